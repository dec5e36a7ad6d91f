"""Background work of the notifications app (issue 5 builds the outbox)."""

from celery import shared_task


@shared_task
def message_distribute(message_id: int) -> None:
    raise NotImplementedError("distribution is built by the distribution issue")
