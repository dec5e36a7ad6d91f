"""The periodic jobs (Celery beat, alerts.tasks): expire alerts past expires_at, remind an hour
before, escalate submissions waiting too long. Which alerts each one looks at is the transition
table's answer (alerts.workflow), never a status list of their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record

from .. import events, workflow
from ..models import Alert
from ._mail import agency_people, coordinators, national_administrators, notify

ESCALATE_AFTER = timedelta(minutes=10)
REMIND_BEFORE = timedelta(hours=1)


def alerts_expire(*, now: datetime | None = None) -> int:
    """The table's "expire" row (active -> expired) for every alert past expires_at, with no
    message (CAP has none for expiry). One transaction per alert; actor None (the system). Audit:
    alert.expired. Mail: agency and coordinators. After commit: publishing (alerts.events.alert_ended).
    Safe to repeat: the conditional update claims each alert once."""
    now = now or timezone.now()
    may_expire = workflow.source_q("expire")
    count = 0
    ids = list(Alert.objects.filter(may_expire, expires_at__lte=now).values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            before = Alert.objects.filter(pk=pk).values_list("status", flat=True).first()
            claimed = Alert.objects.filter(may_expire, pk=pk, expires_at__lte=now).update(
                **workflow.target_values("expire"), ended_at=now, updated_at=now
            )
            if claimed != 1:
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            assert alert.expires_at is not None  # the claim matched expires_at <= now
            audit_record(
                actor=None,
                action="alert.expired",
                target=alert,
                changes={"status": [before, alert.status], "expires_at": alert.expires_at.isoformat()},
            )
            notify(alert, "expired", agency_people(alert, admins=True) + coordinators(alert))
            events.alert_ended.send(sender=Alert, alert_id=alert.pk)
            count += 1
    return count


def alerts_remind_expiry(*, now: datetime | None = None) -> int:
    """Once per alert, one hour before expires_at of an alert that may still expire: remind the
    agency and the coordinators so they extend (with approval) or resolve. No transition. Audit:
    alert.expiry_reminded. Mail: agency (with its administrators) and coordinators. Safe to repeat:
    expiry_reminded_at is claimed by a conditional update."""
    now = now or timezone.now()
    may_expire = workflow.source_q("expire")
    count = 0
    due = Alert.objects.filter(
        may_expire, expiry_reminded_at__isnull=True, expires_at__gt=now, expires_at__lte=now + REMIND_BEFORE
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Alert.objects.filter(may_expire, pk=pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=now
            )
            if claimed != 1:
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            assert alert.expires_at is not None  # the claim matched expires_at > now
            audit_record(
                actor=None,
                action="alert.expiry_reminded",
                target=alert,
                changes={"expires_at": alert.expires_at.isoformat()},
            )
            notify(alert, "expiry_reminder", agency_people(alert, admins=True) + coordinators(alert))
            count += 1
    return count


def alerts_escalate(*, now: datetime | None = None) -> int:
    """Once per submission: a submission (or update) waiting for approval more than 10 minutes is
    re-sent to every coordinator of the state and to the national administrators. No transition.
    Audit: alert.escalated. Safe to repeat (escalated_at is claimed by a conditional update; a new
    submission resets it)."""
    now = now or timezone.now()
    cutoff = now - ESCALATE_AFTER
    waiting = (workflow.source_q("approve") & Q(submitted_at__lte=cutoff)) | (
        workflow.source_q("update_approve") & Q(update_submitted_at__lte=cutoff)
    )
    count = 0
    for pk in list(Alert.objects.filter(waiting, escalated_at__isnull=True).values_list("pk", flat=True)):
        with transaction.atomic():
            if Alert.objects.filter(waiting, pk=pk, escalated_at__isnull=True).update(escalated_at=now) != 1:
                continue
            alert = Alert.objects.select_related("agency", "state").get(pk=pk)
            is_update = alert.waiting_for == "update"
            waiting_since = alert.update_submitted_at if is_update else alert.submitted_at
            assert waiting_since is not None  # the claim matched it <= cutoff
            audit_record(
                actor=None,
                action="alert.escalated",
                target=alert,
                changes={
                    "update": is_update,
                    "waiting_since": waiting_since.isoformat(),
                },
            )
            notify(alert, "escalated", coordinators(alert) + national_administrators(), is_update=is_update)
            count += 1
    return count
