"""What the outbox asks of the layer that plans alert-message deliveries.

A workflow notice is rendered when it is created, so its rows carry everything sending needs. A
delivery of an alert message (`Delivery.message` set) is rendered by its owner: the distribution
side registers one `MessageContent` in its AppConfig.ready, and the outbox calls it per row. The
outbox never imports that side; without a registered provider, sending an alert message fails
loudly (ImproperlyConfigured) instead of sending something half-rendered.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from .models import Delivery


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML body (`<img src="cid:...">`)."""

    content_id: str
    data: bytes
    filename: str
    subtype: str = "jpeg"


@dataclass(frozen=True)
class EmailContent:
    """One recipient's email: the outbox adds From, To, Message-ID and Auto-Submitted."""

    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    images: tuple[InlineImage, ...] = ()


@dataclass(frozen=True)
class WebhookContent:
    """The JSON body one webhook receives and the Standard Webhooks secret that signs it."""

    body: bytes
    secret: str


class MessageContent(Protocol):
    """Renders alert-message deliveries. Raise outbox.sending.PermanentFailure for a row that can
    never be sent (no webhook secret, say); any other exception counts as a rendering bug and fails
    that row permanently too, without stopping the rest of its chunk."""

    # Relations the outbox loads with each claimed row, so rendering many rows costs no query per row.
    select_related: tuple[str, ...]

    def email(self, delivery: Delivery) -> EmailContent: ...

    def webhook(self, delivery: Delivery, *, sent_at: datetime) -> WebhookContent: ...


_provider: MessageContent | None = None


def register(provider: MessageContent) -> None:
    """Called once, from the providing app's AppConfig.ready. A second registration replaces the first
    (tests swap in their own)."""
    global _provider
    _provider = provider


def message_content() -> MessageContent:
    if _provider is None:
        raise ImproperlyConfigured(
            "No content provider for alert-message deliveries: the app that plans them must call "
            "outbox.content.register() in its AppConfig.ready."
        )
    return _provider


def related_to_load() -> tuple[str, ...]:
    return _provider.select_related if _provider is not None else ()
