"""Drafting: starting a draft, saving the working copy with its criteria, photos, and what a draft
still needs before it can be submitted. None of these changes the status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, County, State
from agencies.permissions import can_draft_for_agency
from audit.services import audit_record

from .. import gsm7, workflow
from ..fields import DRAFT_FIELDS, SUSPECT_FIELDS, VEHICLE_FIELDS
from ..models import Alert, Attestation, Criterion, Photo, Suspect, Vehicle
from ..photos import photo_process
from ..texts import TEXT_FIELDS, generate_texts, plain_texts, texts_problems
from ._engine import apply, check, require_agency_member

if TYPE_CHECKING:
    from accounts.models import User

# The rows of an alert edited as a list (a formset on the page, a list in the API).
_Row = TypeVar("_Row", Suspect, Vehicle)


@transaction.atomic
def alert_create(
    *, actor: User, agency: Agency, trigger: str, is_exercise: bool = False, ip: str | None = None
) -> Alert:
    """Start a draft for the actor's agency. -> draft. `is_exercise` is fixed here for good.

    Audit: alert.created. Side effects: none. Not idempotent: each call is a new draft.
    """
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


def _sync_rows(model: type[_Row], alert: Alert, rows: list[dict[str, Any]], fields: tuple[str, ...]) -> int:
    existing = {obj.pk: obj for obj in model.objects.filter(alert=alert)}
    position = 0
    for row in rows:
        obj = existing.pop(row["id"], None) if row.get("id") else None
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
    suspects: list[dict[str, Any]] | None = None,
    vehicles: list[dict[str, Any]] | None = None,
    counties: Iterable[County] | None = None,
    extra_states: Iterable[State] | None = None,
    criteria: Iterable[str] | None = None,
    regenerate_texts: bool = False,
    ip: str | None = None,
) -> Alert:
    """Save the working copy of a draft, a returned alert, or an active alert's update draft, and
    with `criteria` make the attested criteria exactly those keys: all of it or nothing, in one
    transaction (the drafting page and the API both make this one call).

    Not a transition (the status stays); refused (InvalidTransition) in any other state, and for
    `criteria` on an update (criteria are attested before the first submission).
    Suspect/vehicle rows: dicts of fields with "id" for an existing row and "DELETE" to remove it.
    Typographic characters in channel texts are replaced. Audit: alert.draft_saved (field names
    only), alert.criteria_attested when attestations changed. Side effects: none. Safe to repeat.
    """
    require_agency_member(actor, alert)
    action = workflow.edit_action(alert)
    check(action, alert)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    values = plain_texts(fields)
    county = values.get("incident_county")
    if county is not None and county.state_id != alert.state_id:
        raise ValidationError({"incident_county": [f"Choose a county of {alert.state.name}."]})
    changed = sorted(f for f, v in values.items() if getattr(alert, f) != v)
    # Conditional on the editable state, so a save racing a submission changes nothing.
    apply(alert, action, **values)
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
    if criteria is not None:
        _attest(actor=actor, alert=alert, keys=criteria, ip=ip)
    return alert


def _attest(*, actor: User, alert: Alert, keys: Iterable[str], ip: str | None) -> list[Attestation]:
    check("edit", alert)
    keys = set(keys)
    by_key = {c.key: c for c in Criterion.objects.filter(state=alert.state_id, is_active=True)}
    unknown = keys - set(by_key)
    if unknown:
        raise ValidationError({"criteria": [f"Unknown criteria: {', '.join(sorted(unknown))}."]})
    current = {a.criterion.key: a for a in alert.attestations.select_related("criterion")}
    now = timezone.now()
    added = sorted(keys - set(current))
    withdrawn = sorted(set(current) - keys)
    for key in added:
        Attestation.objects.create(alert=alert, criterion=by_key[key], attested_by=actor, attested_at=now)
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
def alert_attest(*, actor: User, alert: Alert, keys: Iterable[str], ip: str | None = None) -> list[Attestation]:
    """Make the attested criteria exactly `keys`; each new attestation records who and when.

    Allowed while the draft is editable (not on an update). Audit: alert.criteria_attested (only
    when something changed). Side effects: none. Safe to repeat.
    """
    require_agency_member(actor, alert)
    return _attest(actor=actor, alert=alert, keys=keys, ip=ip)


@transaction.atomic
def alert_photo_add(
    *,
    actor: User,
    alert: Alert,
    upload: UploadedFile[bytes],
    caption: str = "",
    suspect: Suspect | None = None,
    vehicle: Vehicle | None = None,
    ip: str | None = None,
) -> Photo:
    """Add a photo to the working copy: decoded, re-encoded without metadata, web copy made.

    Refused (ValidationError with a message for a person) for anything but a raster image within
    the limits. Audit: alert.photo_added. Not idempotent: each call adds a photo.
    """
    require_agency_member(actor, alert)
    check(workflow.edit_action(alert), alert)
    if (suspect and suspect.alert_id != alert.pk) or (vehicle and vehicle.alert_id != alert.pk):
        raise ValidationError("That suspect or vehicle belongs to another alert.")
    processed = photo_process(upload)
    photo = Photo(
        alert=alert,
        suspect=suspect,
        vehicle=vehicle,
        caption=gsm7.replace_typography(caption).strip()[:200],
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
    require_agency_member(actor, alert)
    check(workflow.edit_action(alert), alert)
    if photo.alert_id != alert.pk:
        raise PermissionDenied("That photo belongs to another alert.")
    if Photo.objects.filter(pk=photo.pk, removed=False).update(removed=True):
        audit_record(
            actor=actor, action="alert.photo_removed", target=alert, ip=ip, changes={"photo": str(photo.public_id)}
        )
    photo.refresh_from_db()
    return photo


def alert_submission_problems(alert: Alert) -> dict[str, list[str]]:
    """What stops the alert from being submitted, per field ("criteria", "suspects", texts...).
    Reads only; the submit services refuse while this is not empty."""
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


def ensure_submittable(alert: Alert) -> None:
    """ValidationError listing alert_submission_problems, if any."""
    problems = alert_submission_problems(alert)
    if problems:
        raise ValidationError(problems)
