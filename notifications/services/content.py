"""What the outbox sends for an alert-message delivery: this app's rendering, the recipient's own
links and threading headers, the subscriber's webhook secret. Registered with the outbox in
NotificationsConfig.ready (outbox.content), so the outbox never imports this app.
"""

from datetime import datetime
from uuid import UUID

from alerts.models import Message
from outbox.content import EmailContent, InlineImage, WebhookContent
from outbox.models import Delivery
from outbox.sending import PermanentFailure

from . import rendering
from .subscribers import subscriber_manage_url, subscriber_unsubscribe_url

# A message never changes once approved, so its renderings and the ids of its earlier messages can
# be reused across chunks; bounded so a long-running worker does not grow without end.
_CACHE_MAX = 64
_render_cache: dict[tuple[str, str, str], rendering.Rendered] = {}
_earlier_cache: dict[int, list[UUID]] = {}


def _cached_render(message: Message, audience: str, language: str) -> rendering.Rendered:
    key = (str(message.message_id), audience, language)
    if key not in _render_cache:
        if len(_render_cache) >= _CACHE_MAX:
            _render_cache.clear()
        _render_cache[key] = rendering.message_render(message, audience, language)
    return _render_cache[key]


def _earlier_message_ids(message: Message) -> list[UUID]:
    if message.pk not in _earlier_cache:
        if len(_earlier_cache) >= _CACHE_MAX:
            _earlier_cache.clear()
        _earlier_cache[message.pk] = list(
            Message.objects.filter(alert_id=message.alert_id, sequence__lt=message.sequence)
            .order_by("sequence")
            .values_list("message_id", flat=True)
        )
    return _earlier_cache[message.pk]


def _message(delivery: Delivery) -> Message:
    """The alert message of a row the outbox asks this provider about (a row carries a message or a
    notice, never both: the outbox's check constraint)."""
    if delivery.message is None:
        raise PermanentFailure("not an alert-message delivery")
    return delivery.message


def thread_headers(delivery: Delivery) -> dict[str, str]:
    """Updates and the cancellation refer to the recipient's original, so a newsroom sees one thread."""
    message = _message(delivery)
    if message.sequence <= 1:
        return {}
    earlier = _earlier_message_ids(message)
    if not earlier:
        return {}
    ids = [rendering.message_mail_id(m, delivery.recipient_key) for m in earlier]
    return {"In-Reply-To": ids[0], "References": " ".join(ids)}


def _subscriber_urls(delivery: Delivery) -> tuple[str, str]:
    subscriber = delivery.subscriber
    if subscriber is None:
        return "", ""
    return subscriber_manage_url(subscriber), subscriber_unsubscribe_url(subscriber)


class AlertMessageContent:
    """outbox.content.MessageContent for alert messages."""

    select_related: tuple[str, ...] = ("message__alert", "subscriber")

    def email(self, delivery: Delivery) -> EmailContent:
        rendered = _cached_render(_message(delivery), delivery.audience, delivery.language)
        manage_url, unsubscribe_url = _subscriber_urls(delivery)
        text = rendered.text.replace(rendering.MANAGE_URL_PLACEHOLDER, manage_url).replace(
            rendering.UNSUBSCRIBE_URL_PLACEHOLDER, unsubscribe_url
        )
        html = rendered.html.replace(rendering.MANAGE_URL_PLACEHOLDER, manage_url).replace(
            rendering.UNSUBSCRIBE_URL_PLACEHOLDER, unsubscribe_url
        )
        headers = thread_headers(delivery)
        if unsubscribe_url:
            # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to this URL.
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        images = tuple(
            InlineImage(content_id=cid, data=data, filename=f"{cid.split('@')[0]}.jpg")
            for cid, data, _caption in rendered.photos
        )
        return EmailContent(subject=rendered.subject, text=text, html=html, headers=headers, images=images)

    def webhook(self, delivery: Delivery, *, sent_at: datetime) -> WebhookContent:
        subscriber = delivery.subscriber
        secret = subscriber.webhook_secret if subscriber else ""
        if not secret:
            raise PermanentFailure("the subscriber has no webhook secret")
        return WebhookContent(body=rendering.webhook_body(_message(delivery), sent_at=sent_at), secret=secret)
