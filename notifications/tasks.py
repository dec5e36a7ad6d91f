"""Background work of the notifications app: planning the distribution of approved messages.

Sending the planned rows is the outbox's (outbox.tasks). acks_late + reject_on_worker_lost: a
planning task whose worker dies is delivered again; planning is idempotent.
"""

from celery import shared_task

from outbox.tasks import OUTBOX_TASK, queue_name

from .services import distribution


@shared_task(**OUTBOX_TASK)
def message_distribute(message_id: int) -> int:
    """Plan the deliveries of an approved message (by pk) and queue their sending. Safe to repeat."""
    return distribution.message_distribute(message_id=message_id)


@shared_task(**OUTBOX_TASK)
def messages_plan_check() -> int:
    """Periodic (beat): plan again the messages whose planning task was lost. Safe to repeat."""
    ids = distribution.messages_unplanned()
    for pk in ids:
        message_distribute.apply_async(args=(pk,), queue=queue_name(priority=True))
    return len(ids)
