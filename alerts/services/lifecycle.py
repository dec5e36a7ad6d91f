"""An active alert's life: updates (start, submit, approve, return), extensions, the agency's
request to end it, and the coordinator's resolve or cancel. Each is one transition of the table
(alerts.workflow), one transaction with its audit row, mail and publishing after commit."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.reauth import ensure_fresh_reauth
from audit.services import audit_record

from ..models import Alert, Message
from ..snapshot import alert_snapshot
from ._engine import apply, check, require_agency_member, require_reason, require_reviewer, two_person
from ._mail import agency_people, coordinators, notify
from ._messages import message_create
from .drafting import ensure_submittable

if TYPE_CHECKING:
    from accounts.models import User

MAX_EXTENSION_HOURS = 72


@transaction.atomic
def alert_update_start(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """The "update_start" row: active, update_state "" -> draft; the working copy becomes editable (what is public
    stays the last message). Audit: alert.update_started. Not repeatable."""
    require_agency_member(actor, alert)
    before = alert.update_state
    apply(
        alert, "update_start", update_note="", update_submitted_by=None, update_submitted_at=None, extension_hours=None
    )
    audit_record(
        actor=actor,
        action="alert.update_started",
        target=alert,
        ip=ip,
        changes={"update_state": [before, alert.update_state]},
    )
    return alert


@transaction.atomic
def alert_update_submit(*, actor: User, alert: Alert, note: str, ip: str | None = None) -> Alert:
    """The "update_submit" row: update draft | returned -> pending, with a note saying what changed. Audit:
    alert.update_submitted. Mail: the state's coordinators. Not repeatable."""
    require_agency_member(actor, alert)
    check("update_submit", alert)
    note = require_reason(note, "note")
    ensure_submittable(alert)
    before = alert.update_state
    apply(
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
        changes={"update_state": [before, alert.update_state], "note": note},
    )
    notify(alert, "update_submitted", coordinators(alert), actor=actor, note=note)
    return alert


@transaction.atomic
def alert_extend_request(*, actor: User, alert: Alert, hours: int, note: str = "", ip: str | None = None) -> Alert:
    """The "extend" row: ask to keep an active alert running `hours` longer, submitted as an update (with any update
    being drafted) that a coordinator approves. Audit: alert.extension_requested. Mail: the state's
    coordinators. Not repeatable while pending."""
    require_agency_member(actor, alert)
    check("extend", alert)
    if not 1 <= int(hours) <= MAX_EXTENSION_HOURS:
        raise ValidationError({"hours": [f"Extend by 1 to {MAX_EXTENSION_HOURS} hours."]})
    note = (note or "").strip() or f"Extend the alert by {hours} hours."
    before = alert.update_state
    if before:
        ensure_submittable(alert)
    apply(
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
        changes={"update_state": [before, alert.update_state], "hours": int(hours), "note": note},
    )
    notify(alert, "update_submitted", coordinators(alert), actor=actor, note=note)
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
    """The "update_approve" row: update pending -> approved (update_state ""), by a coordinator other than the update's
    submitter, freshly re-authenticated. Freezes a new message (kind Update, referencing every
    earlier one; refused when a WEA text could not be carried verbatim by the CAP message); applies
    a requested extension. Audit: alert.update_approved. After commit:
    publishing, distribution, mail to the agency. Not repeatable."""
    require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    two_person(actor, current.update_submitted_by_id)
    check("update_approve", current)
    if officer_release and officer_release not in Alert.OfficerRelease.values:
        raise ValidationError({"officer_release": ["Choose who may see the officer's details."]})
    now = timezone.now()
    values: dict[str, Any] = {"decided_by": actor, "decided_at": now, "extension_hours": None}
    if current.extension_hours:
        values["expires_at"] = max(current.expires_at or now, now) + timedelta(hours=current.extension_hours)
        values["expiry_reminded_at"] = None
    if officer_release:
        values["officer_release"] = officer_release
    note, before = current.update_note, current.update_state
    apply(alert, "update_approve", **values)
    message = message_create(alert=alert, kind=Message.Kind.UPDATE, actor=actor, note=note)
    audit_record(
        actor=actor,
        action="alert.update_approved",
        target=alert,
        ip=ip,
        changes={
            "update_state": [before, alert.update_state],
            "message": str(message.message_id),
            "sequence": message.sequence,
            "extension_hours": current.extension_hours,
            "expires_at": alert.expires_at.isoformat() if alert.expires_at else None,
        },
    )
    notify(alert, "update_approved", agency_people(alert), actor=actor, message=message)
    return message


@transaction.atomic
def alert_update_return(*, actor: User, alert: Alert, reason: str, ip: str | None = None) -> Alert:
    """The "update_return" row: update pending -> returned, with a reason, back to the agency. The public alert is
    unchanged. Audit: alert.update_returned. Mail: the update's submitter. Not repeatable."""
    require_reviewer(actor, alert)
    reason = require_reason(reason)
    before = alert.update_state
    apply(
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
        changes={"update_state": [before, alert.update_state], "reason": reason},
    )
    notify(alert, "update_returned", agency_people(alert), actor=actor, reason=reason)
    return alert


# ---------------------------------------------------------------------------------------------
# Ending an alert


@transaction.atomic
def alert_request_resolve(*, actor: User, alert: Alert, outcome: str, note: str = "", ip: str | None = None) -> Alert:
    """The "request_resolve" row: the agency asks the coordinator to end an active alert (status
    unchanged). Audit:
    alert.resolve_requested. Mail: the state's coordinators. Safe to repeat (the last request wins)."""
    require_agency_member(actor, alert)
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": ["Choose the outcome."]})
    apply(
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
    notify(alert, "resolve_requested", coordinators(alert), actor=actor)
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
    """The "resolve" row, active -> resolved (the "cancel" row, -> cancelled, when issued in error), by a coordinator of the state,
    freshly re-authenticated. Any update in progress is abandoned. Freezes the Cancel message: the
    last approved content plus the outcome (never the unapproved working copy). Audit:
    alert.resolved / alert.cancelled. After commit: publishing, distribution (to everyone who got
    the alert), mail to the agency. Not repeatable."""
    require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    if outcome not in Alert.Outcome.values:
        raise ValidationError({"outcome": ["Choose the outcome."]})
    action = "cancel" if outcome == Alert.Outcome.ISSUED_IN_ERROR else "resolve"
    check(action, alert)
    last = Message.objects.filter(alert=alert).order_by("-sequence").first()
    before, abandoned = alert.status, alert.update_state
    note = (note or "").strip()
    apply(
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
    message = message_create(
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
            "status": [before, alert.status],
            "outcome": outcome,
            "note": note,
            "message": str(message.message_id),
            "sequence": message.sequence,
            "abandoned_update": abandoned or None,
        },
    )
    notify(alert, "ended", agency_people(alert), actor=actor, message=message)
    return message


def _join_note(label: str, note: str) -> str:
    return f"{label}: {note}" if note else label
