"""Every write of the notifications app: subscribers, the outbox, distribution and workflow mail.

`email_notify` is the one way any app sends a workflow email; it goes through the outbox like an
alert does, so it is recorded, retried and visible.
"""

from .distribution import (
    deliveries_enqueue,
    deliveries_retry_failed,
    deliveries_sweep,
    message_deliveries_create,
    message_distribute,
    recipients_for_message,
)
from .mail import email_notify, notice_create, render_email
from .sending import deliveries_send
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
    "deliveries_enqueue",
    "deliveries_retry_failed",
    "deliveries_send",
    "deliveries_sweep",
    "email_notify",
    "message_deliveries_create",
    "message_distribute",
    "notice_create",
    "recipients_for_message",
    "render_email",
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
