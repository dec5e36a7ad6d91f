"""Alerts' own reactions to its events: the public artifacts are rebuilt after commit."""

from django.db import transaction

from .tasks import alert_publish


def publish_after_commit(sender, *, alert_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: alert_publish.delay(alert_id))
