"""Rendering of alert messages for email and webhook, once per (message, audience, language).

Only the per-recipient parts change between recipients: the To header, Message-ID, threading
headers, List-Unsubscribe and the subscriber's own link (a placeholder in the rendered body).
"""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from alerts.models import Message
from alerts.snapshot import law_enforcement_view, public_view
from outbox.models import Delivery
from outbox.sending import mail_domain, stable_mail_id

log = logging.getLogger(__name__)

# Replaced per recipient; made of characters no escaping changes.
MANAGE_URL_PLACEHOLDER = "BLUEALERT_MANAGE_URL_PLACEHOLDER"
UNSUBSCRIBE_URL_PLACEHOLDER = "BLUEALERT_UNSUBSCRIBE_URL_PLACEHOLDER"
MAX_PHOTOS = 6

LABELS = {
    "en": {
        "name": "English",
        "summary": "Summary",
        "description": "Details",
        "instruction": "What to do",
        "update": "UPDATE",
        "cancel": "CANCELLED",
        "exercise": "EXERCISE – NOT A REAL ALERT",
    },
    "es": {
        "name": "Español",
        "summary": "Resumen",
        "description": "Detalles",
        "instruction": "Qué hacer",
        "update": "ACTUALIZACIÓN",
        "cancel": "CANCELADA",
        "exercise": "EJERCICIO – NO ES UNA ALERTA REAL",
    },
}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    photos: list[tuple[str, bytes, str]] = field(default_factory=list)  # (content id, bytes, caption)


def message_mail_id(message_uuid: UUID | str, recipient_key: str) -> str:
    """The Message-ID of one message to one recipient: deterministic, so a re-send after a crash
    carries the same id and an Update can name the recipient's original without looking it up."""
    return stable_mail_id(str(message_uuid), recipient_key)


def public_url(message: Message) -> str:
    return f"{settings.SITE_URL}/alerts/{message.alert.public_id}/"


def cap_url(message: Message) -> str:
    return f"{settings.SITE_URL}/cap/{message.message_id}.xml"


def message_view(message: Message, audience: str) -> dict[str, Any]:
    if audience == Delivery.Audience.LAW_ENFORCEMENT:
        return law_enforcement_view(message.snapshot)
    return public_view(message.snapshot)


def message_subject(message: Message, view: dict[str, Any]) -> str:
    texts = view.get("texts") or {}
    headline = texts.get("headline") or view.get("trigger_label") or "Blue Alert"
    if message.kind == Message.Kind.UPDATE:
        headline = f"UPDATE: {headline}"
    elif message.kind == Message.Kind.CANCEL:
        headline = f"CANCELLED: {headline}"
    state = (view.get("state") or {}).get("name", "")
    subject = f"BLUE ALERT – {state} – {headline}"
    if message.is_exercise:
        subject = f"EXERCISE – {subject}"
    return " ".join(subject.split())[:300]


def _photos(message: Message, view: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    photos = []
    for i, photo in enumerate((view.get("photos") or [])[:MAX_PHOTOS]):
        try:
            with default_storage.open(photo["path"], "rb") as fh:
                data = fh.read()
        except (OSError, KeyError, ValueError):
            log.warning("photo %s of message %s is missing; sent without it", photo.get("path"), message.message_id)
            continue
        photos.append((f"photo{i}.{message.message_id}@{mail_domain()}", data, photo.get("caption") or ""))
    return photos


def message_render(message: Message, audience: str, language: str) -> Rendered:
    """Subject, text and HTML of one message for one audience and language choice (en, es, both)."""
    view = message_view(message, audience)
    texts = view.get("texts") or {}
    langs = ["en", "es"] if language == "both" else [language if language in ("en", "es") else "en"]
    sections = [
        {
            "lang": lang,
            "labels": LABELS[lang],
            "summary": texts.get(f"wea_long_{lang}") or texts.get(f"wea_short_{lang}") or "",
            "description": texts.get(f"description_{lang}") or "",
        }
        for lang in langs
    ]
    photos = _photos(message, view)
    context = {
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "message": message,
        "kind": message.kind,
        "is_exercise": message.is_exercise,
        "view": view,
        "texts": texts,
        "sections": sections,
        "labels": LABELS[langs[0]],
        "audience": audience,
        "is_law_enforcement": audience == Delivery.Audience.LAW_ENFORCEMENT,
        "is_subscriber": audience == Delivery.Audience.MEDIA,
        # Exercise alerts have no public page and no public CAP file.
        "public_url": "" if message.is_exercise else public_url(message),
        "cap_url": "" if message.is_exercise else cap_url(message),
        "manage_url": MANAGE_URL_PLACEHOLDER,
        "unsubscribe_url": UNSUBSCRIBE_URL_PLACEHOLDER,
        "photos": [{"cid": cid, "caption": caption} for cid, _, caption in photos],
    }
    subject = message_subject(message, view)
    text = render_to_string("notifications/email/message.txt", context)
    html = render_to_string("notifications/email/message.html", context)
    return Rendered(subject=subject, text=text, html=html, photos=photos)


def webhook_body(message: Message, *, sent_at: datetime) -> bytes:
    """The JSON a subscriber's webhook receives: the alert (public view), its links and CAP XML."""
    payload = {
        "type": f"blue_alert.{message.kind.lower()}",
        "timestamp": sent_at.isoformat(),
        "data": {
            "message_id": str(message.message_id),
            "identifier": message.identifier,
            "kind": message.kind,
            "sequence": message.sequence,
            "is_exercise": message.is_exercise,
            "sent": message.sent_at.isoformat(),
            "public_url": "" if message.is_exercise else public_url(message),
            "cap_url": "" if message.is_exercise else cap_url(message),
            "cap_xml": message.cap_xml or None,
            "alert": public_view(message.snapshot),
        },
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
