"""Background work of the alerts app: each task a few lines calling one service."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def alert_publish(alert_id: int) -> None:
    """Render and write the alert's public artifacts. Safe to repeat."""
    from alerts.publishing import alert_publish as publish

    publish(alert_id=alert_id)


@shared_task
def alerts_expire() -> int:
    """Periodic (beat, every minute): active alerts past expires_at become expired. Safe to repeat."""
    from alerts.services import alerts_expire as expire

    return expire()


@shared_task
def alerts_remind_expiry() -> int:
    """Periodic (beat, every minute): remind agency and coordinators one hour before expiry, once. Safe to repeat."""
    from alerts.services import alerts_remind_expiry as remind

    return remind()


@shared_task
def alerts_escalate() -> int:
    """Periodic (beat, every minute): re-send submissions pending over 10 minutes to every coordinator
    of the state and the national administrators, once. Safe to repeat."""
    from alerts.services import alerts_escalate as escalate

    return escalate()


@shared_task
def alerts_withdraw_photos() -> int:
    """Periodic (beat, hourly): republish ended alerts whose suspect photos passed the withdrawal
    period, which removes the photos from their pages. Safe to repeat."""
    from alerts.publishing import photos_withdraw_due

    return photos_withdraw_due()
