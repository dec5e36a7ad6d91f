"""Background work of the alerts app: each task a few lines calling one service."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def alert_publish(alert_id: int) -> None:
    """Render and write the alert's public artifacts. Safe to repeat."""
    from alerts.publishing import alert_publish as publish

    publish(alert_id=alert_id)
