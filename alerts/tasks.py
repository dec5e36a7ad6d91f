"""Background work of the alerts app: each task a few lines calling one service. Tasks import the
services, never the other way round (the services announce through alerts.events)."""

from celery import shared_task

from . import publishing, services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def alert_publish(alert_id: int) -> None:
    """Render and write the alert's public artifacts. Safe to repeat."""
    publishing.alert_publish(alert_id=alert_id)


@shared_task
def alerts_expire() -> int:
    """Periodic (beat, every minute): active alerts past expires_at become expired. Safe to repeat."""
    return services.alerts_expire()


@shared_task
def alerts_remind_expiry() -> int:
    """Periodic (beat, every minute): remind agency and coordinators one hour before expiry, once. Safe to repeat."""
    return services.alerts_remind_expiry()


@shared_task
def alerts_escalate() -> int:
    """Periodic (beat, every minute): re-send submissions pending over 10 minutes to every coordinator
    of the state and the national administrators, once. Safe to repeat."""
    return services.alerts_escalate()


@shared_task
def alerts_withdraw_photos() -> int:
    """Periodic (beat, hourly): republish ended alerts whose suspect photos passed the withdrawal
    period, which removes the photos from their pages. Safe to repeat."""
    return publishing.photos_withdraw_due()
