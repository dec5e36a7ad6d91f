"""What happens after a message (Alert, Update, Cancel) is approved: the seam between the
workflow and the two consumers of a message, publishing and distribution."""

from django.db import transaction


def message_approved(*, message_id: int, alert_id: int) -> None:
    """Schedule, after commit, the publishing of the alert's public artifacts and the
    distribution of the message. Call inside the approving transaction; a rollback sends nothing."""
    from alerts.tasks import alert_publish
    from notifications.tasks import message_distribute

    transaction.on_commit(lambda: alert_publish.delay(alert_id))
    transaction.on_commit(lambda: message_distribute.delay(message_id))


def alert_ended(*, alert_id: int) -> None:
    """An alert ended without a message (expiry): republish its pages and feeds after commit."""
    from alerts.tasks import alert_publish

    transaction.on_commit(lambda: alert_publish.delay(alert_id))
