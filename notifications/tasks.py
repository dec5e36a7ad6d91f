"""Background work of the notifications app: each task a few lines calling one service.

acks_late + reject_on_worker_lost: a task whose worker dies is delivered again. That is safe only
because every row is claimed by a conditional update before it is sent.
"""

from celery import shared_task

OUTBOX_TASK = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**OUTBOX_TASK)
def message_distribute(message_id: int) -> int:
    """Plan the deliveries of an approved message (by pk) and queue their sending. Safe to repeat."""
    from notifications.services import message_distribute as distribute

    return distribute(message_id=message_id)


@shared_task(**OUTBOX_TASK)
def deliveries_send(delivery_ids: list[int]) -> int:
    """Send one chunk of deliveries; schedule the temporary failures again with backoff and jitter.
    Safe to repeat: rows already sent or held by another task are skipped."""
    from notifications.services import deliveries_send as send

    result = send(delivery_ids=delivery_ids)
    if result["retry"]:
        queue = (deliveries_send.request.delivery_info or {}).get("routing_key") or None
        deliveries_send.apply_async(args=[result["retry"]], countdown=result["retry_in"], queue=queue)
    return result["sent"]


@shared_task(**OUTBOX_TASK)
def deliveries_sweep() -> dict:
    """Periodic (beat): requeue rows stuck in flight or queued too long. Safe to repeat."""
    from notifications.services import deliveries_sweep as sweep

    return sweep()
