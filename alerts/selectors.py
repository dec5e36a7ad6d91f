"""Reads scoped to the user. An alert outside the user's tenancy is a 404, never a 403."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from agencies.permissions import is_national_admin
from agencies.selectors import agencies_for_user, states_coordinated_by
from audit.models import AuditEvent
from audit.selectors import audit_events_for

from . import workflow
from .models import Alert, Attestation, Criterion, Message

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    Person = User | AnonymousUser


def alerts_visible_to(user: Person) -> QuerySet[Alert]:
    """Agency members: their agencies' alerts; coordinators: their states' alerts and published
    alerts that asked their state to join; national administrators: everything."""
    qs = Alert.objects.select_related("agency", "state")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if is_national_admin(user):
        return qs
    agencies = agencies_for_user(user, "agencies.draft_alert")
    states = states_coordinated_by(user)
    return qs.filter(
        Q(agency__in=agencies) | Q(state__in=states) | Q(extra_states__in=states, status__in=workflow.PUBLISHED)
    ).distinct()


def alert_get_for_user(user: Person, public_id: UUID | str) -> Alert:
    try:
        return alerts_visible_to(user).get(public_id=public_id)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert") from None


def agencies_for_dashboard(user: Person) -> QuerySet[Agency]:
    return agencies_for_user(user, "agencies.draft_alert").select_related("state").order_by("name")


def alerts_for_agency_dashboard(user: Person, agency: Agency) -> list[tuple[str, list[Alert]]]:
    """The agency's alerts grouped by status (label, alerts), in workflow order; empty groups left out."""
    if agency not in agencies_for_user(user, "agencies.draft_alert"):
        raise Http404("No such agency")
    alerts = list(
        Alert.objects.filter(agency=agency).select_related("agency", "state", "created_by").order_by("-updated_at")
    )
    groups = []
    for status in workflow.DASHBOARD_ORDER:
        members = [a for a in alerts if a.status == status]
        if members:
            groups.append((Alert.Status(status).label, members))
    return groups


def alerts_review_queue(user: Person) -> QuerySet[Alert]:
    """What waits for a decision in the user's states: submissions, updates, requests to resolve.
    A national administrator sees every state's queue (read only)."""
    qs = Alert.objects.waiting_for_decision().select_related("agency", "state", "submitted_by", "update_submitted_by")
    if not is_national_admin(user):
        qs = qs.filter(state__in=states_coordinated_by(user))
    return qs.order_by("submitted_at", "update_submitted_at", "id")


def alerts_active_in_states(user: Person) -> QuerySet[Alert]:
    qs = Alert.objects.active().select_related("agency", "state")
    if is_national_admin(user):
        return qs
    return qs.filter(state__in=states_coordinated_by(user))


def alert_messages(alert: Alert) -> QuerySet[Message]:
    return alert.messages.select_related("approved_by").order_by("sequence")


def alert_latest_message(alert: Alert) -> Message | None:
    return alert.messages.order_by("-sequence").first()


def alert_history(alert: Alert) -> QuerySet[AuditEvent]:
    return audit_events_for(alert).order_by("id")


def criteria_for_alert(alert: Alert) -> list[tuple[Criterion, Attestation | None]]:
    """(criterion, attestation or None) for the active criteria of the alert's state."""
    attestations = {a.criterion_id: a for a in alert.attestations.select_related("attested_by")}
    return [(c, attestations.get(c.pk)) for c in Criterion.objects.filter(state=alert.state_id, is_active=True)]


def _normal_plate(plate: str) -> str:
    return "".join(ch for ch in plate.upper() if ch.isalnum())


def alerts_possible_duplicates(alert: Alert) -> list[Alert]:
    """Active alerts sharing a plate or a suspect name with this one. Exercises match exercises of
    the same state only, so a drill never reveals or collides with anything else."""
    plates = {_normal_plate(v.plate) for v in alert.vehicles.all() if v.plate and "*" not in v.plate}
    plates.discard("")
    names = {s.name.strip().lower() for s in alert.suspects.all() if s.name.strip()}
    if not plates and not names:
        return []
    candidates = Alert.objects.active().exclude(pk=alert.pk).filter(is_exercise=alert.is_exercise)
    if alert.is_exercise:
        candidates = candidates.filter(state=alert.state_id)
    candidates = candidates.filter(Q(vehicles__plate__isnull=False) | Q(suspects__name__isnull=False)).distinct()
    found = []
    for other in candidates.select_related("agency", "state").prefetch_related("vehicles", "suspects"):
        other_plates = {_normal_plate(v.plate) for v in other.vehicles.all() if v.plate}
        other_names = {s.name.strip().lower() for s in other.suspects.all() if s.name.strip()}
        if plates & other_plates or names & other_names:
            found.append(other)
    return found
