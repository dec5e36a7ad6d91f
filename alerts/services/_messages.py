"""Freezing an approved message: the one place a `Message` is created and announced."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .. import events
from ..cap import carry_problems
from ..models import Alert, Message
from ..snapshot import alert_snapshot
from ._mail import notify

if TYPE_CHECKING:
    from accounts.models import User


def _verbose_name(name: str) -> str:
    field = Alert._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def cap_carry_refusal(snapshot: dict[str, Any]) -> ValidationError | None:
    """A ValidationError naming each approved WEA text the CAP message could not carry verbatim,
    or None. The builder never strips or clips an approved text, so approval is refused instead."""
    problems = carry_problems(snapshot)
    if not problems:
        return None
    return ValidationError(
        {
            field: [
                f"{_verbose_name(field)}: the CAP message must carry the approved text "
                f"exactly as written, and cannot. {reason} Return the alert so the agency can fix it."
                for reason in reasons
            ]
            for field, reasons in problems.items()
        }
    )


def message_create(
    *, alert: Alert, kind: str, actor: User, note: str = "", snapshot: dict[str, Any] | None = None
) -> Message:
    """Freeze one immutable message and announce it (alerts.events.message_approved) so publishing
    and distribution run after commit. An Alert or Update whose WEA texts the CAP message cannot
    carry verbatim raises ValidationError before anything is written (the caller's transaction
    rolls back its transition). Mail: the on-call desk for live activations and cancellations."""
    snapshot = snapshot if snapshot is not None else alert_snapshot(alert)
    if kind != Message.Kind.CANCEL:
        refused = cap_carry_refusal(snapshot)
        if refused is not None:
            raise refused
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
        snapshot=snapshot,
        note=note,
        approved_by=actor,
    )
    events.message_approved.send(sender=Message, message_id=message.pk, alert_id=alert.pk)
    if kind in (Message.Kind.ALERT, Message.Kind.CANCEL) and not alert.is_exercise and settings.OPERATIONS_EMAIL:
        # The on-call desk hears of every live activation and cancellation (the Hawaii lesson).
        notify(alert, "oncall", [settings.OPERATIONS_EMAIL], message=message, approver=actor)
    return message
