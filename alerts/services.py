"""Every write to an alert: drafting, the approval workflow, updates, resolution, expiry.

Each transition is one service, one transaction, one conditional update
`filter(pk=..., status__in=sources).update(...)` checked against TRANSITIONS (a row count other than
1 raises InvalidTransition, so two coordinators acting at once end with exactly one transition), an
audit row written in the same transaction, and its side effects (mail, publishing, distribution)
scheduled after commit. Permission, two-person and re-authentication rules live here, not in the
pages, so the API and the HTML views cannot differ.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import core.exceptions
from accounts.reauth import ensure_fresh_reauth
from agencies.models import County, State
from agencies.permissions import can_coordinate_state
from agencies.selectors import coordinators_of_state, national_admins
from audit.services import audit_record
from outbox.services import email_notify

from . import events
from .models import Alert, Attestation, Criterion, Message, Photo, Suspect, Vehicle
from .permissions import is_agency_member
from .photos import photo_process
from .snapshot import alert_snapshot
from .texts import TEXT_FIELDS, WEA_FIELDS, generate_texts, replace_typography, texts_problems

if TYPE_CHECKING:
    from accounts.models import User

S = Alert.Status
U = Alert.UpdateState

ESCALATE_AFTER = timedelta(minutes=10)
REMIND_BEFORE = timedelta(hours=1)
DEFAULT_ALERT_HOURS = 24
MAX_EXTENSION_HOURS = 72


class InvalidTransition(core.exceptions.InvalidTransition):
    """The alert is not (any longer) in a state that allows the action. Nothing was changed."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str | None = None  # None: the status does not change
    update_sources: tuple[str, ...] | None = None  # None: update_state is not looked at
    update_target: str | None = None


# The workflow, in one table: the services use it and a test checks every (status, action) pair.
TRANSITIONS: dict[str, Transition] = {
    "edit": Transition("edit the draft", (S.DRAFT, S.RETURNED)),
    "submit": Transition("submit for approval", (S.DRAFT, S.RETURNED), S.PENDING),
    "approve": Transition("approve", (S.PENDING,), S.ACTIVE),
    "return": Transition("return for changes", (S.PENDING,), S.RETURNED),
    "deny": Transition("deny", (S.PENDING,), S.DENIED),
    "update_start": Transition("start an update", (S.ACTIVE,), None, ("",), U.DRAFT),
    "update_edit": Transition("edit the update", (S.ACTIVE,), None, (U.DRAFT, U.RETURNED)),
    "update_submit": Transition("submit the update", (S.ACTIVE,), None, (U.DRAFT, U.RETURNED), U.PENDING),
    "extend": Transition("request an extension", (S.ACTIVE,), None, ("", U.DRAFT, U.RETURNED), U.PENDING),
    "update_approve": Transition("approve the update", (S.ACTIVE,), None, (U.PENDING,), ""),
    "update_return": Transition("return the update", (S.ACTIVE,), None, (U.PENDING,), U.RETURNED),
    "request_resolve": Transition("ask to resolve", (S.ACTIVE,)),
    "resolve": Transition("resolve", (S.ACTIVE,), S.RESOLVED, None, ""),
    "cancel": Transition("cancel", (S.ACTIVE,), S.CANCELLED, None, ""),
    "expire": Transition("expire", (S.ACTIVE,), S.EXPIRED, None, ""),
}

# Fields the drafter writes. Not here: agency, state, is_exercise (fixed at creation), status and
# bookkeeping, expires_at (set at approval, extended by approval), officer_release (coordinator only).
DRAFT_FIELDS = (
    "trigger",
    "incident_at",
    "incident_address",
    "incident_city",
    "incident_county",
    "incident_lat",
    "incident_lon",
    "case_number",
    "ncic_number",
    "warrant_status",
    "case_contact",
    "private_notes",
    "last_seen_place",
    "last_seen_at",
    "last_seen_lat",
    "last_seen_lon",
    "direction",
    "travel_mode",
    "officer_name",
    "officer_description",
    "public_instruction",
    "tip_line",
    "statewide",
    *TEXT_FIELDS,
)
SUSPECT_FIELDS = (
    "name",
    "aliases",
    "age",
    "date_of_birth",
    "sex",
    "race",
    "height",
    "weight",
    "hair",
    "eyes",
    "clothing",
    "marks",
    "armed_and_dangerous",
)
VEHICLE_FIELDS = ("year", "make", "model", "color", "body_style", "plate", "plate_partial", "plate_state", "features")
_TYPOGRAPHY_FIELDS = ("headline", *WEA_FIELDS, "eas_script")


# ---------------------------------------------------------------------------------------------
# Helpers


def allowed(action: str, alert: Alert) -> bool:
    """Whether TRANSITIONS allows `action` from the alert's (status, update_state)."""
    t = TRANSITIONS[action]
    return alert.status in t.sources and (t.update_sources is None or alert.update_state in t.update_sources)


def _refusal(alert: Alert, action: str) -> str:
    current = Alert.objects.select_related("decided_by").filter(pk=alert.pk).first()
    label = TRANSITIONS[action].label
    if current is None:
        return "This alert no longer exists."
    status = current.get_status_display().lower()
    if current.update_state and current.status == S.ACTIVE:
        status += f" ({current.get_update_state_display().lower()})"
    who = ""
    if current.decided_by_id and current.status in (S.ACTIVE, S.RETURNED, S.DENIED) and current.decided_at:
        when = timezone.localtime(current.decided_at)
        who = f" {current.decided_by.get_full_name()} decided at {when:%H:%M}."
    return f"Cannot {label}: the alert is {status}.{who} Nothing was changed."


def _check(action: str, alert: Alert) -> None:
    if not allowed(action, alert):
        raise InvalidTransition(_refusal(alert, action))


def _apply(alert: Alert, action: str, **values: Any) -> None:
    """The conditional update of one transition; refreshes `alert`. Raises InvalidTransition."""
    t = TRANSITIONS[action]
    qs = Alert.objects.filter(pk=alert.pk, status__in=t.sources)
    if t.update_sources is not None:
        qs = qs.filter(update_state__in=t.update_sources)
    if t.target is not None:
        values["status"] = t.target
    if t.update_target is not None:
        values["update_state"] = t.update_target
    values["updated_at"] = timezone.now()
    if qs.update(**values) != 1:
        raise InvalidTransition(_refusal(alert, action))
    alert.refresh_from_db()


def _require_agency_member(actor: User, alert: Alert) -> None:
    if not is_agency_member(actor, alert):
        raise PermissionDenied("Only staff of the alert's agency can do this.")


def _require_reviewer(actor: User, alert: Alert) -> None:
    if not can_coordinate_state(actor, alert.state):
        raise PermissionDenied(f"Only a coordinator of {alert.state.name} can decide on this alert.")


def _require_reason(reason: str, what: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({what: ["Give a reason; it is sent to the agency and kept in the history."]})
    return reason


def _two_person(actor: User, *user_ids: int | None) -> None:
    if actor.pk in {u for u in user_ids if u}:
        raise PermissionDenied(
            "Two-person rule: you drafted or submitted this, so another coordinator must approve it."
        )


def _prefix(alert: Alert) -> str:
    return "EXERCISE – " if alert.is_exercise else ""


def _url(name: str, alert: Alert) -> str:
    return settings.SITE_URL + reverse(name, args=[alert.public_id])


def _emails(users: Iterable) -> list[str]:
    return [u.email for u in users if u is not None and u.is_active]


def _agency_people(alert: Alert, *, admins: bool = False) -> list[str]:
    """Who at the agency hears about the alert: its drafter and the people who acted on it."""
    people = [alert.created_by, alert.submitted_by, alert.update_submitted_by, alert.resolve_requested_by]
    if admins:
        from agencies.models import Membership, Role

        people += [
            m.user
            for m in Membership.objects.active()
            .filter(agency=alert.agency_id, role=Role.AGENCY_ADMIN)
            .select_related("user")
        ]
    return _emails(people)


def _coordinators(alert: Alert) -> list[str]:
    return _emails(coordinators_of_state(alert.state))


def _notify(alert: Alert, template: str, to: Iterable[str], **context: Any) -> None:
    email_notify(
        to=to,
        template=f"alerts/email/{template}",
        context={
            "alert": alert,
            "prefix": _prefix(alert),
            "detail_url": _url("alerts:alert-detail", alert),
            "review_url": _url("alerts:alert-review", alert),
            **context,
        },
    )


def _message_create(*, alert: Alert, kind: str, actor: User, note: str = "", snapshot: dict | None = None) -> Message:
    """Freeze one immutable message and hand it to publishing and distribution after commit."""
    last = Message.objects.filter(alert=alert).order_by("-sequence").first()
    sent_at = timezone.now().replace(microsecond=0)
    if last and sent_at <= last.sent_at:
        sent_at = last.sent_at + timedelta(seconds=1)  # CAP `sent` strictly increases along references
    message = Message.objects.create(
        alert=alert,
        sequence=(last.sequence + 1) if last else 1,
        kind=kind,
        sent_at=sent_at,
        is_exercise=alert.is_exercise,
        snapshot=snapshot if snapshot is not None else alert_snapshot(alert),
        note=note,
        approved_by=actor,
    )
    events.message_approved.send(sender=Message, message_id=message.pk, alert_id=alert.pk)
    if kind in (Message.Kind.ALERT, Message.Kind.CANCEL) and not alert.is_exercise and settings.OPERATIONS_EMAIL:
        # The on-call desk hears of every live activation and cancellation (the Hawaii lesson).
        _notify(alert, "oncall", [settings.OPERATIONS_EMAIL], message=message, approver=actor)
    return message


# ---------------------------------------------------------------------------------------------
# Validation


def alert_submission_problems(alert: Alert) -> dict[str, list[str]]:
    """What stops the alert from being submitted, per field ("criteria", "suspects", texts...)."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not alert.trigger:
        add("trigger", "Choose the trigger.")
    if not alert.incident_at:
        add("incident_at", "Give the incident date and time.")
    if not (alert.incident_city or alert.incident_address):
        add("incident_city", "Give where the incident happened.")
    if not alert.suspects.exists():
        add("suspects", "Describe at least one suspect (leave the name blank if unknown).")
    if not alert.statewide and not alert.counties.exists():
        add("counties", "Choose the counties, or make the alert statewide.")
    for field in TEXT_FIELDS:
        if not (getattr(alert, field) or "").strip():
            add(field, "This text is empty: write it or regenerate the texts.")
    for field, messages in texts_problems({f: getattr(alert, f) for f in TEXT_FIELDS}).items():
        for m in messages:
            add(field, m)
    criteria = list(Criterion.objects.filter(state=alert.state_id, is_active=True, required=True))
    attested = set(alert.attestations.values_list("criterion_id", flat=True))
    for c in criteria:
        if c.pk not in attested:
            add("criteria", f"Not attested: {c.label}.")
        if c.key == "ncic_entry" and not alert.ncic_number.strip():
            add("ncic_number", f"{alert.state.name} requires the NCIC entry number.")
        if c.key == "arrest_warrant" and alert.warrant_status != Alert.Warrant.ISSUED:
            add("warrant_status", f"{alert.state.name} requires an issued arrest warrant.")
    return problems


def _ensure_submittable(alert: Alert) -> None:
    problems = alert_submission_problems(alert)
    if problems:
        raise ValidationError(problems)


# ---------------------------------------------------------------------------------------------
# Drafting


@transaction.atomic
def alert_create(*, actor: User, agency, trigger: str, is_exercise: bool = False, ip: str | None = None) -> Alert:
    """Start a draft for the actor's agency. -> draft. `is_exercise` is fixed here for good.

    Audit: alert.created. Side effects: none. Not idempotent: each call is a new draft.
    """
    from agencies.permissions import can_draft_for_agency

    if not can_draft_for_agency(actor, agency):
        raise PermissionDenied("Only staff of a verified agency can draft its alerts.")
    if trigger not in Alert.Trigger.values:
        raise ValidationError({"trigger": ["Choose one of the four Blue Alert triggers."]})
    tip = agency.tip_line
    alert = Alert.objects.create(
        agency=agency,
        state=agency.state,
        is_exercise=bool(is_exercise),
        trigger=trigger,
        created_by=actor,
        incident_city=agency.city,
        incident_county=agency.county,
        tip_line=tip,
        public_instruction=f"Do not approach. Call 911 or {tip}." if tip else "Do not approach. Call 911.",
    )
    audit_record(
        actor=actor,
        action="alert.created",
        target=alert,
        ip=ip,
        changes={"agency": agency.ori, "trigger": trigger, "exercise": alert.is_exercise},
    )
    return alert


def _sync_rows(model, alert: Alert, rows: list[dict], fields: tuple[str, ...]) -> int:
    existing = {obj.pk: obj for obj in model.objects.filter(alert=alert)}
    position = 0
    for row in rows:
        obj = existing.pop(row.get("id"), None) if row.get("id") else None
        if row.get("DELETE"):
            if obj is not None:
                obj.delete()
            continue
        obj = obj or model(alert=alert)
        for f in fields:
            if f in row:
                setattr(obj, f, row[f])
        obj.position = position
        position += 1
        obj.save()
    return position


@transaction.atomic
def alert_save_draft(
    *,
    actor: User,
    alert: Alert,
    fields: dict[str, Any],
    suspects: list[dict] | None = None,
    vehicles: list[dict] | None = None,
    counties: Iterable[County] | None = None,
    extra_states: Iterable[State] | None = None,
    regenerate_texts: bool = False,
    ip: str | None = None,
) -> Alert:
    """Save the working copy of a draft, a returned alert, or an active alert's update draft.

    Not a transition (the status stays); refused (InvalidTransition) in any other state.
    Suspect/vehicle rows: dicts of fields with "id" for an existing row and "DELETE" to remove it.
    Typographic characters in channel texts are replaced. Audit: alert.draft_saved (field names
    only). Side effects: none. Safe to repeat.
    """
    _require_agency_member(actor, alert)
    action = "update_edit" if alert.status == S.ACTIVE else "edit"
    _check(action, alert)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    values = dict(fields)
    for f in _TYPOGRAPHY_FIELDS:
        if f in values:
            values[f] = replace_typography(values[f] or "").strip()
    county = values.get("incident_county")
    if county is not None and county.state_id != alert.state_id:
        raise ValidationError({"incident_county": [f"Choose a county of {alert.state.name}."]})
    changed = sorted(f for f, v in values.items() if getattr(alert, f) != v)
    values["updated_at"] = timezone.now()
    # Conditional on the editable state, so a save racing a submission changes nothing.
    t = TRANSITIONS[action]
    qs = Alert.objects.filter(pk=alert.pk, status__in=t.sources)
    if t.update_sources is not None:
        qs = qs.filter(update_state__in=t.update_sources)
    if qs.update(**values) != 1:
        raise InvalidTransition(_refusal(alert, action))
    alert.refresh_from_db()
    counts = {}
    if suspects is not None:
        counts["suspects"] = _sync_rows(Suspect, alert, suspects, SUSPECT_FIELDS)
    if vehicles is not None:
        counts["vehicles"] = _sync_rows(Vehicle, alert, vehicles, VEHICLE_FIELDS)
    if counties is not None:
        counties = list(counties)
        if any(c.state_id != alert.state_id for c in counties):
            raise ValidationError({"counties": [f"Choose counties of {alert.state.name}."]})
        alert.counties.set(counties)
    if extra_states is not None:
        alert.extra_states.set([s for s in extra_states if s.pk != alert.state_id])
    if regenerate_texts:
        generated = generate_texts(alert)
        Alert.objects.filter(pk=alert.pk).update(**generated)
        alert.refresh_from_db()
        changed = sorted(set(changed) | set(generated))
    audit_record(
        actor=actor,
        action="alert.draft_saved",
        target=alert,
        ip=ip,
        changes={"fields": changed, **counts, "texts_regenerated": regenerate_texts},
    )
    return alert


@transaction.atomic
def alert_attest(*, actor: User, alert: Alert, keys: Iterable[str], ip: str | None = None) -> list[Attestation]:
    """Make the attested criteria exactly `keys`; each new attestation records who and when.

    Allowed while the draft is editable. Audit: alert.criteria_attested (only when something
    changed). Side effects: none. Safe to repeat.
    """
    _require_agency_member(actor, alert)
    _check("edit", alert)
    keys = set(keys)
    criteria = {c.key: c for c in Criterion.objects.filter(state=alert.state_id, is_active=True)}
    unknown = keys - set(criteria)
    if unknown:
        raise ValidationError({"criteria": [f"Unknown criteria: {', '.join(sorted(unknown))}."]})
    current = {a.criterion.key: a for a in alert.attestations.select_related("criterion")}
    now = timezone.now()
    added = sorted(keys - set(current))
    withdrawn = sorted(set(current) - keys)
    for key in added:
        Attestation.objects.create(alert=alert, criterion=criteria[key], attested_by=actor, attested_at=now)
    if withdrawn:
        alert.attestations.filter(criterion__key__in=withdrawn).delete()
    if added or withdrawn:
        audit_record(
            actor=actor,
            action="alert.criteria_attested",
            target=alert,
            ip=ip,
            changes={"attested": added, "withdrawn": withdrawn},
        )
    return list(alert.attestations.select_related("criterion", "attested_by"))


@transaction.atomic
def alert_photo_add(
    *,
    actor: User,
    alert: Alert,
    upload,
    caption: str = "",
    suspect: Suspect | None = None,
    vehicle: Vehicle | None = None,
    ip: str | None = None,
) -> Photo:
    """Add a photo to the working copy: decoded, re-encoded without metadata, web copy made.

    Refused (ValidationError with a message for a person) for anything but a raster image within
    the limits. Audit: alert.photo_added. Not idempotent: each call adds a photo.
    """
    _require_agency_member(actor, alert)
    _check("update_edit" if alert.status == S.ACTIVE else "edit", alert)
    if (suspect and suspect.alert_id != alert.pk) or (vehicle and vehicle.alert_id != alert.pk):
        raise ValidationError("That suspect or vehicle belongs to another alert.")
    processed = photo_process(upload)
    photo = Photo(
        alert=alert,
        suspect=suspect,
        vehicle=vehicle,
        caption=replace_typography(caption).strip()[:200],
        size=processed.size,
        sha256=processed.sha256,
        uploaded_by=actor,
    )
    photo.image.save("photo.jpg", ContentFile(processed.image), save=False)
    photo.web_image.save("photo-web.jpg", ContentFile(processed.web_image), save=False)
    photo.width, photo.height = processed.width, processed.height
    photo.save()
    audit_record(
        actor=actor,
        action="alert.photo_added",
        target=alert,
        ip=ip,
        changes={"photo": str(photo.public_id), "sha256": photo.sha256, "size": photo.size},
    )
    return photo


@transaction.atomic
def alert_photo_remove(*, actor: User, alert: Alert, photo: Photo, ip: str | None = None) -> Photo:
    """Take a photo off the working copy; the file stays for the messages that carried it.

    Audit: alert.photo_removed. Safe to repeat.
    """
    _require_agency_member(actor, alert)
    _check("update_edit" if alert.status == S.ACTIVE else "edit", alert)
    if photo.alert_id != alert.pk:
        raise PermissionDenied("That photo belongs to another alert.")
    if Photo.objects.filter(pk=photo.pk, removed=False).update(removed=True):
        audit_record(
            actor=actor, action="alert.photo_removed", target=alert, ip=ip, changes={"photo": str(photo.public_id)}
        )
    photo.refresh_from_db()
    return photo


# ---------------------------------------------------------------------------------------------
# Approval workflow


@transaction.atomic
def alert_submit(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """draft | returned -> pending. Refused until every required criterion is attested and every
    text passes the channel rules. Audit: alert.submitted. Mail: the state's coordinators. Not
    repeatable (a second call is an InvalidTransition)."""
    _require_agency_member(actor, alert)
    _check("submit", alert)
    _ensure_submittable(alert)
    before = alert.status
    _apply(alert, "submit", submitted_by=actor, submitted_at=timezone.now(), escalated_at=None)
    audit_record(actor=actor, action="alert.submitted", target=alert, ip=ip, changes={"status": [before, S.PENDING]})
    _notify(alert, "submitted", _coordinators(alert), actor=actor)
    return alert


@transaction.atomic
def alert_approve(
    *,
    actor: User,
    alert: Alert,
    reauthenticated_at: datetime | None,
    officer_release: str | None = None,
    note: str = "",
    ip: str | None = None,
) -> Message:
    """pending -> active, by a coordinator of the state who neither drafted nor submitted it and
    re-entered their password within 15 minutes. Sets expires_at (the state's default, 24 h if
    unset) and freezes message 1 (kind Alert). Audit: alert.approved. After commit: publishing,
    distribution, mail to the agency. Not repeatable."""
    _require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    _two_person(actor, current.created_by_id, current.submitted_by_id)
    _check("approve", current)
    if officer_release and officer_release not in Alert.OfficerRelease.values:
        raise ValidationError({"officer_release": ["Choose who may see the officer's details."]})
    now = timezone.now()
    hours = alert.state.default_alert_hours or DEFAULT_ALERT_HOURS
    values: dict[str, Any] = {
        "decided_by": actor,
        "decided_at": now,
        "decision_reason": note.strip(),
        "expires_at": now + timedelta(hours=hours),
        "expiry_reminded_at": None,
    }
    if officer_release:
        values["officer_release"] = officer_release
    _apply(alert, "approve", **values)
    message = _message_create(alert=alert, kind=Message.Kind.ALERT, actor=actor, note=note.strip())
    audit_record(
        actor=actor,
        action="alert.approved",
        target=alert,
        ip=ip,
        changes={
            "status": [S.PENDING, S.ACTIVE],
            "message": str(message.message_id),
            "sequence": message.sequence,
            "expires_at": alert.expires_at.isoformat(),
            "officer_release": alert.officer_release,
        },
    )
    _notify(alert, "approved", _agency_people(alert), actor=actor, message=message)
    return message


@transaction.atomic
def alert_return(*, actor: User, alert: Alert, reason: str, ip: str | None = None) -> Alert:
    """pending -> returned, with a reason, back to the drafter. Audit: alert.returned. Mail: the
    drafter and submitter. Not repeatable."""
    _require_reviewer(actor, alert)
    reason = _require_reason(reason)
    _apply(alert, "return", decided_by=actor, decided_at=timezone.now(), decision_reason=reason)
    audit_record(
        actor=actor,
        action="alert.returned",
        target=alert,
        ip=ip,
        changes={"status": [S.PENDING, S.RETURNED], "reason": reason},
    )
    _notify(alert, "returned", _agency_people(alert), actor=actor, reason=reason)
    return alert


@transaction.atomic
def alert_deny(
    *, actor: User, alert: Alert, reason: str, reauthenticated_at: datetime | None, ip: str | None = None
) -> Alert:
    """pending -> denied (final), with a reason; needs a fresh re-authentication. Audit:
    alert.denied. Mail: the drafter and submitter. Not repeatable."""
    _require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    reason = _require_reason(reason)
    _apply(alert, "deny", decided_by=actor, decided_at=timezone.now(), decision_reason=reason)
    audit_record(
        actor=actor,
        action="alert.denied",
        target=alert,
        ip=ip,
        changes={"status": [S.PENDING, S.DENIED], "reason": reason},
    )
    _notify(alert, "denied", _agency_people(alert), actor=actor, reason=reason)
    return alert


# ---------------------------------------------------------------------------------------------
# Updates to an active alert


@transaction.atomic
def alert_update_start(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """Active alert: update_state "" -> draft; the working copy becomes editable (what is public
    stays the last message). Audit: alert.update_started. Not repeatable."""
    _require_agency_member(actor, alert)
    _apply(
        alert, "update_start", update_note="", update_submitted_by=None, update_submitted_at=None, extension_hours=None
    )
    audit_record(
        actor=actor, action="alert.update_started", target=alert, ip=ip, changes={"update_state": ["", U.DRAFT]}
    )
    return alert


@transaction.atomic
def alert_update_submit(*, actor: User, alert: Alert, note: str, ip: str | None = None) -> Alert:
    """Update draft | returned -> pending, with a note saying what changed. Audit:
    alert.update_submitted. Mail: the state's coordinators. Not repeatable."""
    _require_agency_member(actor, alert)
    _check("update_submit", alert)
    note = _require_reason(note, "note")
    _ensure_submittable(alert)
    before = alert.update_state
    _apply(
        alert,
        "update_submit",
        update_note=note,
        update_submitted_by=actor,
        update_submitted_at=timezone.now(),
        escalated_at=None,
    )
    audit_record(
        actor=actor,
        action="alert.update_submitted",
        target=alert,
        ip=ip,
        changes={"update_state": [before, U.PENDING], "note": note},
    )
    _notify(alert, "update_submitted", _coordinators(alert), actor=actor, note=note)
    return alert


@transaction.atomic
def alert_extend_request(*, actor: User, alert: Alert, hours: int, note: str = "", ip: str | None = None) -> Alert:
    """Ask to keep an active alert running `hours` longer: submitted as an update (with any update
    being drafted) that a coordinator approves. Audit: alert.extension_requested. Mail: the state's
    coordinators. Not repeatable while pending."""
    _require_agency_member(actor, alert)
    _check("extend", alert)
    if not 1 <= int(hours) <= MAX_EXTENSION_HOURS:
        raise ValidationError({"hours": [f"Extend by 1 to {MAX_EXTENSION_HOURS} hours."]})
    note = (note or "").strip() or f"Extend the alert by {hours} hours."
    before = alert.update_state
    if before:
        _ensure_submittable(alert)
    _apply(
        alert,
        "extend",
        extension_hours=int(hours),
        update_note=note,
        update_submitted_by=actor,
        update_submitted_at=timezone.now(),
        escalated_at=None,
    )
    audit_record(
        actor=actor,
        action="alert.extension_requested",
        target=alert,
        ip=ip,
        changes={"update_state": [before, U.PENDING], "hours": int(hours), "note": note},
    )
    _notify(alert, "update_submitted", _coordinators(alert), actor=actor, note=note)
    return alert


@transaction.atomic
def alert_update_approve(
    *,
    actor: User,
    alert: Alert,
    reauthenticated_at: datetime | None,
    officer_release: str | None = None,
    ip: str | None = None,
) -> Message:
    """Update pending -> approved (update_state ""), by a coordinator other than the update's
    submitter, freshly re-authenticated. Freezes a new message (kind Update, referencing every
    earlier one); applies a requested extension. Audit: alert.update_approved. After commit:
    publishing, distribution, mail to the agency. Not repeatable."""
    _require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    _two_person(actor, current.update_submitted_by_id)
    _check("update_approve", current)
    if officer_release and officer_release not in Alert.OfficerRelease.values:
        raise ValidationError({"officer_release": ["Choose who may see the officer's details."]})
    now = timezone.now()
    values: dict[str, Any] = {"decided_by": actor, "decided_at": now, "extension_hours": None}
    if current.extension_hours:
        values["expires_at"] = max(current.expires_at or now, now) + timedelta(hours=current.extension_hours)
        values["expiry_reminded_at"] = None
    if officer_release:
        values["officer_release"] = officer_release
    note = current.update_note
    _apply(alert, "update_approve", **values)
    message = _message_create(alert=alert, kind=Message.Kind.UPDATE, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="alert.update_approved",
        target=alert,
        ip=ip,
        changes={
            "update_state": [U.PENDING, ""],
            "message": str(message.message_id),
            "sequence": message.sequence,
            "extension_hours": current.extension_hours,
            "expires_at": alert.expires_at.isoformat() if alert.expires_at else None,
        },
    )
    _notify(alert, "update_approved", _agency_people(alert), actor=actor, message=message)
    return message


@transaction.atomic
def alert_update_return(*, actor: User, alert: Alert, reason: str, ip: str | None = None) -> Alert:
    """Update pending -> returned, with a reason, back to the agency. The public alert is
    unchanged. Audit: alert.update_returned. Mail: the update's submitter. Not repeatable."""
    _require_reviewer(actor, alert)
    reason = _require_reason(reason)
    _apply(
        alert,
        "update_return",
        decided_by=actor,
        decided_at=timezone.now(),
        decision_reason=reason,
        extension_hours=None,
    )
    audit_record(
        actor=actor,
        action="alert.update_returned",
        target=alert,
        ip=ip,
        changes={"update_state": [U.PENDING, U.RETURNED], "reason": reason},
    )
    _notify(alert, "update_returned", _agency_people(alert), actor=actor, reason=reason)
    return alert


# ---------------------------------------------------------------------------------------------
# Ending an alert


@transaction.atomic
def alert_request_resolve(*, actor: User, alert: Alert, outcome: str, note: str = "", ip: str | None = None) -> Alert:
    """The agency asks the coordinator to end an active alert (status unchanged). Audit:
    alert.resolve_requested. Mail: the state's coordinators. Safe to repeat (the last request wins)."""
    _require_agency_member(actor, alert)
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": ["Choose the outcome."]})
    _apply(
        alert,
        "request_resolve",
        resolve_requested_by=actor,
        resolve_requested_at=timezone.now(),
        resolve_requested_outcome=outcome,
        resolve_requested_note=(note or "").strip(),
    )
    audit_record(
        actor=actor,
        action="alert.resolve_requested",
        target=alert,
        ip=ip,
        changes={"outcome": outcome, "note": alert.resolve_requested_note},
    )
    _notify(alert, "resolve_requested", _coordinators(alert), actor=actor)
    return alert


@transaction.atomic
def alert_resolve(
    *,
    actor: User,
    alert: Alert,
    outcome: str,
    note: str = "",
    reauthenticated_at: datetime | None,
    ip: str | None = None,
) -> Message:
    """active -> resolved (or cancelled when issued in error), by a coordinator of the state,
    freshly re-authenticated. Any update in progress is abandoned. Freezes the Cancel message: the
    last approved content plus the outcome (never the unapproved working copy). Audit:
    alert.resolved / alert.cancelled. After commit: publishing, distribution (to everyone who got
    the alert), mail to the agency. Not repeatable."""
    _require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": ["Choose the outcome."]})
    action = "cancel" if outcome == Alert.Outcome.ISSUED_IN_ERROR else "resolve"
    _check(action, alert)
    last = Message.objects.filter(alert=alert).order_by("-sequence").first()
    abandoned = alert.update_state
    note = (note or "").strip()
    _apply(
        alert,
        action,
        outcome=outcome,
        outcome_note=note,
        ended_at=timezone.now(),
        decided_by=actor,
        decided_at=timezone.now(),
        extension_hours=None,
    )
    snapshot = copy.deepcopy(last.snapshot) if last else alert_snapshot(alert)
    snapshot.update(
        status=alert.status, outcome=alert.outcome, outcome_label=alert.get_outcome_display(), outcome_note=note
    )
    message = _message_create(
        alert=alert,
        kind=Message.Kind.CANCEL,
        actor=actor,
        note=_join_note(alert.get_outcome_display(), note),
        snapshot=snapshot,
    )
    audit_record(
        actor=actor,
        action=f"alert.{alert.status}",
        target=alert,
        ip=ip,
        changes={
            "status": [S.ACTIVE, alert.status],
            "outcome": outcome,
            "note": note,
            "message": str(message.message_id),
            "sequence": message.sequence,
            "abandoned_update": abandoned or None,
        },
    )
    _notify(alert, "ended", _agency_people(alert), actor=actor, message=message)
    return message


def _join_note(label: str, note: str) -> str:
    return f"{label}: {note}" if note else label


def alerts_expire(*, now: datetime | None = None) -> int:
    """active -> expired for every alert past expires_at (no message: CAP has none for expiry).
    One transaction per alert; actor None (the system). Audit: alert.expired. Mail: agency and
    coordinators. Safe to repeat: the conditional update claims each alert once."""
    now = now or timezone.now()
    count = 0
    ids = list(Alert.objects.filter(status=S.ACTIVE, expires_at__lte=now).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            claimed = Alert.objects.filter(pk=pk, status=S.ACTIVE, expires_at__lte=now).update(
                status=S.EXPIRED, update_state="", ended_at=now, updated_at=now
            )
            if claimed != 1:
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            audit_record(
                actor=None,
                action="alert.expired",
                target=alert,
                changes={"status": [S.ACTIVE, S.EXPIRED], "expires_at": alert.expires_at.isoformat()},
            )
            _notify(alert, "expired", _agency_people(alert, admins=True) + _coordinators(alert))
            events.alert_ended.send(sender=Alert, alert_id=alert.pk)
            count += 1
    return count


def alerts_remind_expiry(*, now: datetime | None = None) -> int:
    """Once per alert, one hour before expires_at: remind the agency and the coordinators so they
    extend (with approval) or resolve. Audit: alert.expiry_reminded. Safe to repeat."""
    now = now or timezone.now()
    count = 0
    due = Alert.objects.filter(
        status=S.ACTIVE, expiry_reminded_at__isnull=True, expires_at__gt=now, expires_at__lte=now + REMIND_BEFORE
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if (
                Alert.objects.filter(pk=pk, status=S.ACTIVE, expiry_reminded_at__isnull=True).update(
                    expiry_reminded_at=now
                )
                != 1
            ):
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            audit_record(
                actor=None,
                action="alert.expiry_reminded",
                target=alert,
                changes={"expires_at": alert.expires_at.isoformat()},
            )
            _notify(alert, "expiry_reminder", _agency_people(alert, admins=True) + _coordinators(alert))
            count += 1
    return count


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Once per submission: a submission (or update) pending more than 10 minutes is re-sent to
    every coordinator of the state and to the national administrators. Audit: alert.escalated.
    Safe to repeat (escalated_at is claimed by a conditional update; a new submission resets it)."""
    now = now or timezone.now()
    cutoff = now - ESCALATE_AFTER
    from django.db.models import Q

    waiting = Q(status=S.PENDING, submitted_at__lte=cutoff) | Q(
        status=S.ACTIVE, update_state=U.PENDING, update_submitted_at__lte=cutoff
    )
    count = 0
    for pk in list(Alert.objects.filter(waiting, escalated_at__isnull=True).values_list("pk", flat=True)):
        with transaction.atomic():
            if Alert.objects.filter(waiting, pk=pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            is_update = alert.status == S.ACTIVE
            audit_record(
                actor=None,
                action="alert.escalated",
                target=alert,
                changes={
                    "update": is_update,
                    "waiting_since": (alert.update_submitted_at if is_update else alert.submitted_at).isoformat(),
                },
            )
            _notify(alert, "escalated", _coordinators(alert) + _emails(national_admins()), is_update=is_update)
            count += 1
    return count
