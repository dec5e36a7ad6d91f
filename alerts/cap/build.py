"""The CAP 1.2 <alert> element of a message, with the IPAWS profile elements (unsigned).

The XML is compact (no pretty-print whitespace) because validators that strip blank text before
checking the signature (capvalidator does) would otherwise see a different document.
"""

import hashlib

from django.conf import settings
from lxml import etree

from ..models import Message
from ..snapshot import public_view
from .storage import photo_bytes
from .wording import (
    HEADLINE_MAX,
    alert_page_url,
    area_circle,
    area_description,
    area_geocodes,
    cap_time,
    clip_chars,
    description,
    expires_at,
    headline,
    instruction,
    photo_label,
    photo_url,
    wea_texts,
)

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
INFO_LANGS = (("en", "en-US"), ("es", "es-US"))


def _sub(parent, tag: str, text: str | None = None):
    el = etree.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def _pair(parent, tag: str, name: str, value: str) -> None:
    el = _sub(parent, tag)
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def cap_build(message: Message, earlier: list[Message] | None = None) -> etree._Element:
    """The unsigned CAP <alert> element for a message. `earlier` are the alert's previous
    messages in order (queried when not given)."""
    if earlier is None:
        earlier = list(
            Message.objects.filter(alert_id=message.alert_id, sequence__lt=message.sequence).order_by("sequence")
        )
    view = public_view(message.snapshot)
    usps = view["state"]["usps"]
    kind = message.kind
    root = etree.Element(f"{{{CAP_NS}}}alert", nsmap={None: CAP_NS})
    _sub(root, "identifier", message.identifier)
    _sub(root, "sender", settings.CAP_SENDER)
    _sub(root, "sent", cap_time(message.sent_at, usps))
    _sub(root, "status", "Exercise" if message.is_exercise else "Actual")
    _sub(root, "msgType", kind)
    _sub(root, "scope", "Public")
    _sub(root, "code", "IPAWSv1.0")
    if kind != Message.Kind.ALERT and earlier:
        _sub(
            root,
            "references",
            " ".join(f"{settings.CAP_SENDER},{m.identifier},{cap_time(m.sent_at, usps)}" for m in earlier),
        )
    _sub(root, "incidents", f"urn:uuid:{view['public_id']}")

    photos = [] if kind == Message.Kind.CANCEL else list(view.get("photos") or [])
    photo_data = [(p, photo_bytes(p)) for p in photos]
    circle = area_circle(view)
    geocodes = area_geocodes(view)
    certainty = "Likely" if view["trigger"] == "threat" else "Observed"
    sender_name = f"{view['agency']['name']} via {view['state']['name']} Blue Alert"
    for lang, code in INFO_LANGS:
        page = alert_page_url(view["public_id"], lang)
        info = _sub(root, "info")
        _sub(info, "language", code)
        _sub(info, "category", "Security")
        _sub(info, "event", "Blue Alert" if lang == "en" else "Alerta Azul")
        _sub(info, "responseType", "AllClear" if kind == Message.Kind.CANCEL else "Monitor")
        _sub(info, "urgency", "Immediate")
        _sub(info, "severity", "Severe")
        _sub(info, "certainty", certainty)
        _pair(info, "eventCode", "SAME", "BLU")
        _sub(info, "expires", cap_time(expires_at(view, message), usps))
        _sub(info, "senderName", sender_name)
        _sub(info, "headline", clip_chars(headline(view, lang, kind), HEADLINE_MAX))
        _sub(info, "description", description(view, lang, kind))
        _sub(info, "instruction", instruction(view, lang, kind))
        _sub(info, "web", page)
        if view.get("tip_line"):
            _sub(info, "contact", view["tip_line"])
        short, long = wea_texts(view, lang, kind, page)
        _pair(info, "parameter", "EAS-ORG", "CIV")
        _pair(info, "parameter", "CMAMtext", short)
        _pair(info, "parameter", "CMAMlongtext", long)
        for photo, data in photo_data:
            if data is None:
                continue
            res = _sub(info, "resource")
            _sub(res, "resourceDesc", photo_label(view, photo))
            _sub(res, "mimeType", photo.get("mime") or "image/jpeg")
            _sub(res, "size", str(len(data)))
            _sub(res, "uri", photo_url(view["public_id"], photo["public_id"]))
            _sub(res, "digest", hashlib.sha1(data).hexdigest())  # noqa: S324  CAP 1.2 specifies SHA-1
        area = _sub(info, "area")
        _sub(area, "areaDesc", area_description(view, lang))
        if circle:
            _sub(area, "circle", circle)
        for same in geocodes:
            _pair(area, "geocode", "SAME", same)
    return root
