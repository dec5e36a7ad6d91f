"""Decisions on a submission: submit (draft | returned -> pending), and the coordinator's approve,
return and deny. Each is one transition of the table (alerts.workflow), one transaction with its
audit row, mail and publishing after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.reauth import ensure_fresh_reauth
from audit.services import audit_record

from ..models import Alert, Message
from ._engine import apply, check, require_agency_member, require_reason, require_reviewer, two_person
from ._mail import agency_people, coordinators, notify
from ._messages import message_create
from .drafting import ensure_submittable

if TYPE_CHECKING:
    from accounts.models import User

DEFAULT_ALERT_HOURS = 24


@transaction.atomic
def alert_submit(*, actor: User, alert: Alert, ip: str | None = None) -> Alert:
    """The "submit" row: draft | returned -> pending. Refused until every required criterion is attested and every
    text passes the channel rules. Audit: alert.submitted. Mail: the state's coordinators. Not
    repeatable (a second call is an InvalidTransition)."""
    require_agency_member(actor, alert)
    check("submit", alert)
    ensure_submittable(alert)
    before = alert.status
    apply(alert, "submit", submitted_by=actor, submitted_at=timezone.now(), escalated_at=None)
    audit_record(actor=actor, action="alert.submitted", target=alert, ip=ip, changes={"status": [before, alert.status]})
    notify(alert, "submitted", coordinators(alert), actor=actor)
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
    """The "approve" row: pending -> active, by a coordinator of the state who neither drafted nor submitted it and
    re-entered their password within 15 minutes. Sets expires_at (the state's default, 24 h if
    unset) and freezes message 1 (kind Alert); refused (ValidationError) when a WEA text could not
    be carried verbatim by the CAP message. Audit: alert.approved. After commit: publishing,
    distribution, mail to the agency. Not repeatable."""
    require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    current = Alert.objects.select_for_update().get(pk=alert.pk)
    two_person(actor, current.created_by_id, current.submitted_by_id)
    check("approve", current)
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
    before = current.status
    apply(alert, "approve", **values)
    assert alert.expires_at is not None  # set just above
    message = message_create(alert=alert, kind=Message.Kind.ALERT, actor=actor, note=note.strip())
    audit_record(
        actor=actor,
        action="alert.approved",
        target=alert,
        ip=ip,
        changes={
            "status": [before, alert.status],
            "message": str(message.message_id),
            "sequence": message.sequence,
            "expires_at": alert.expires_at.isoformat(),
            "officer_release": alert.officer_release,
        },
    )
    notify(alert, "approved", agency_people(alert), actor=actor, message=message)
    return message


@transaction.atomic
def alert_return(*, actor: User, alert: Alert, reason: str, ip: str | None = None) -> Alert:
    """The "return" row: pending -> returned, with a reason, back to the drafter. Audit: alert.returned. Mail: the
    drafter and submitter. Not repeatable."""
    require_reviewer(actor, alert)
    reason = require_reason(reason)
    before = alert.status
    apply(alert, "return", decided_by=actor, decided_at=timezone.now(), decision_reason=reason)
    audit_record(
        actor=actor,
        action="alert.returned",
        target=alert,
        ip=ip,
        changes={"status": [before, alert.status], "reason": reason},
    )
    notify(alert, "returned", agency_people(alert), actor=actor, reason=reason)
    return alert


@transaction.atomic
def alert_deny(
    *, actor: User, alert: Alert, reason: str, reauthenticated_at: datetime | None, ip: str | None = None
) -> Alert:
    """The "deny" row: pending -> denied (final), with a reason; needs a fresh re-authentication. Audit:
    alert.denied. Mail: the drafter and submitter. Not repeatable."""
    require_reviewer(actor, alert)
    ensure_fresh_reauth(reauthenticated_at)
    reason = require_reason(reason)
    before = alert.status
    apply(alert, "deny", decided_by=actor, decided_at=timezone.now(), decision_reason=reason)
    audit_record(
        actor=actor,
        action="alert.denied",
        target=alert,
        ip=ip,
        changes={"status": [before, alert.status], "reason": reason},
    )
    notify(alert, "denied", agency_people(alert), actor=actor, reason=reason)
    return alert
