"""The sweeper: puts back in the queue what a lost broker message or a killed worker left behind.

It decides which rows need a new send task; outbox.tasks queues them (this module queues nothing,
so the task can import it and nothing here imports the tasks).
"""

import logging
from datetime import timedelta
from typing import TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Delivery

log = logging.getLogger(__name__)


class SweepResult(TypedDict):
    reset: int
    requeued: int
    priority: list[int]
    bulk: list[int]


def deliveries_sweep() -> SweepResult:
    """Find the rows that need a new send task, and reset the ones stuck in flight.

    Transitions: `sending` claimed longer ago than NOTIFICATIONS_STUCK_SECONDS -> `queued`;
    `queued` or due `failed_temp` rows whose last task was queued longer ago than
    NOTIFICATIONS_QUEUED_STALE_SECONDS (or never) get `enqueued_at` = now and are returned, split by
    queue, for the caller to queue after commit (at most NOTIFICATIONS_SWEEP_LIMIT).
    Safe to repeat (and to run while senders work: a row is claimed before it is sent).
    """
    now = timezone.now()
    stuck_before = now - timedelta(seconds=settings.NOTIFICATIONS_STUCK_SECONDS)
    stale_before = now - timedelta(seconds=settings.NOTIFICATIONS_QUEUED_STALE_SECONDS)
    with transaction.atomic():
        reset = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stuck_before).update(
            status=Delivery.Status.QUEUED,
            claim_token=None,
            enqueued_at=None,
            last_error="requeued: the worker that claimed it never finished",
        )
        rows = list(
            Delivery.objects.filter(
                Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale_before),
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
                status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED_TEMP],
            )
            .order_by("pk")
            .values_list("pk", "priority")[: settings.NOTIFICATIONS_SWEEP_LIMIT]
        )
        Delivery.objects.filter(pk__in=[pk for pk, _ in rows]).update(enqueued_at=now)
    if reset or rows:
        log.warning("delivery sweep: %d stuck rows reset, %d rows requeued", reset, len(rows))
    return {
        "reset": reset,
        "requeued": len(rows),
        "priority": [pk for pk, priority in rows if priority],
        "bulk": [pk for pk, priority in rows if not priority],
    }
