"""Every write of the notifications app: media subscribers, and the distribution of approved alert
messages to them and to law enforcement (planning the outbox rows; the outbox sends them).

Workflow mail is the outbox's (`outbox.services.email_notify`).
"""

from .distribution import (
    deliveries_retry_failed,
    message_deliveries_create,
    message_distribute,
    messages_unplanned,
    recipients_for_message,
)
from .subscribers import (
    LinkExpired,
    LinkInvalid,
    subscriber_confirm,
    subscriber_confirm_token,
    subscriber_link_rotate,
    subscriber_manage_token,
    subscriber_manage_url,
    subscriber_preferences_update,
    subscriber_register,
    subscriber_reject,
    subscriber_unsubscribe,
    subscriber_unsubscribe_url,
    subscriber_verify,
)

__all__ = [
    "LinkExpired",
    "LinkInvalid",
    "deliveries_retry_failed",
    "message_deliveries_create",
    "message_distribute",
    "messages_unplanned",
    "recipients_for_message",
    "subscriber_confirm",
    "subscriber_confirm_token",
    "subscriber_link_rotate",
    "subscriber_manage_token",
    "subscriber_manage_url",
    "subscriber_preferences_update",
    "subscriber_register",
    "subscriber_reject",
    "subscriber_unsubscribe",
    "subscriber_unsubscribe_url",
    "subscriber_verify",
]
