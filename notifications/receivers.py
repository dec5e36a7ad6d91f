"""How the distribution side reacts to the alert workflow's events."""

from django.db import transaction

from .tasks import message_distribute


def distribute_after_commit(sender, *, message_id: int, **kwargs) -> None:
    transaction.on_commit(lambda: message_distribute.delay(message_id))
