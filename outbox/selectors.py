"""Reads of the outbox. Who may read them is the caller's business (the delivery dashboard checks)."""

from typing import TypedDict

from django.db.models import Count, Q, QuerySet

from .models import Delivery


class DeliveryCounts(TypedDict):
    total: int
    sent: int
    queued: int
    retrying: int
    failed: int
    pending: int
    done: bool


def delivery_counts(*, message_id: int) -> DeliveryCounts:
    """How far the distribution of one alert message got: one aggregate query."""
    s = Delivery.Status
    counts = Delivery.objects.filter(message_id=message_id).aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(status=s.SENT)),
        queued=Count("id", filter=Q(status__in=[s.QUEUED, s.SENDING])),
        retrying=Count("id", filter=Q(status=s.FAILED_TEMP)),
        failed=Count("id", filter=Q(status=s.FAILED_PERM)),
    )
    pending = counts["queued"] + counts["retrying"]
    return {
        "total": counts["total"],
        "sent": counts["sent"],
        "queued": counts["queued"],
        "retrying": counts["retrying"],
        "failed": counts["failed"],
        "pending": pending,
        "done": counts["total"] > 0 and pending == 0,
    }


def delivery_failures(*, message_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(message_id=message_id).failed().order_by("status", "address")
