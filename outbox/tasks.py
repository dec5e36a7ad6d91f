"""The outbox's Celery tasks and the one function that queues them.

acks_late + reject_on_worker_lost: a task whose worker dies is delivered again. That is safe only
because every row is claimed by a conditional update before it is sent.

Arrows: tasks -> sending, sweeper (which queue nothing); services -> tasks (to queue after commit).
"""

from typing import TypedDict

from celery import shared_task
from django.conf import settings
from django.db import transaction

from . import sending, sweeper


class TaskOptions(TypedDict):
    acks_late: bool
    reject_on_worker_lost: bool


OUTBOX_TASK: TaskOptions = {"acks_late": True, "reject_on_worker_lost": True}


def queue_name(*, priority: bool) -> str:
    """`priority`: updates, cancellations and workflow mail, which must never wait behind a fan-out."""
    return "priority" if priority else "bulk"


def deliveries_enqueue(ids: list[int], *, priority: bool) -> None:
    """Queue send tasks for these rows in chunks of NOTIFICATIONS_CHUNK_SIZE, after the current
    transaction commits (a rollback queues nothing).

    Side effect: Celery tasks on the priority or bulk queue. Safe to repeat: a row is claimed
    before it is sent, so an extra task for it sends nothing.
    """
    if not ids:
        return
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    queue = queue_name(priority=priority)
    chunks = [list(ids[i : i + size]) for i in range(0, len(ids), size)]

    def send() -> None:
        for chunk in chunks:
            deliveries_send.apply_async(args=(chunk,), queue=queue)

    transaction.on_commit(send)


@shared_task(**OUTBOX_TASK)
def deliveries_send(delivery_ids: list[int]) -> int:
    """Send one chunk of deliveries; schedule the temporary failures again with backoff and jitter,
    on the queue this chunk came from. Safe to repeat: rows already sent or held by another task are
    skipped."""
    result = sending.deliveries_send(delivery_ids=delivery_ids)
    if result["retry"]:
        queue = (deliveries_send.request.delivery_info or {}).get("routing_key") or None
        # No routing key known: None leaves the queue to Celery's routing (celery-types allow str only).
        deliveries_send.apply_async(
            args=(result["retry"],),
            countdown=result["retry_in"],
            queue=queue,  # type: ignore[arg-type]
        )
    return result["sent"]


@shared_task(**OUTBOX_TASK)
def deliveries_sweep() -> dict:
    """Periodic (beat): reset rows stuck in flight and queue again those queued too long ago, each
    on its own queue. Safe to repeat."""
    result = sweeper.deliveries_sweep()
    deliveries_enqueue(result["priority"], priority=True)
    deliveries_enqueue(result["bulk"], priority=False)
    return {"reset": result["reset"], "requeued": result["requeued"]}
