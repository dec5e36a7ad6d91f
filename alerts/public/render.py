"""Rendering of the public artifacts: the alert page (English and Spanish), the alert's JSON, the
home and state pages and the archive.

The publisher writes these bytes to the publish root and the fallback views serve the very same
bytes, so both paths go through the functions here. Templates are rendered without a request (no
context processors, hence no user, session, CSRF token or messages can leak into a public page),
and all content comes from the messages' snapshots through `public_view`, never from the alert's
working copy. Only bookkeeping (status, end time) is read from the alert row.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone

from agencies.models import State

from ..cap import wording
from ..models import Alert, Message
from ..snapshot import public_view
from . import selectors
from .texts import DIRECTIONS, OUTCOMES, TRAVEL_MODES, format_time, trigger_label, ui

HTML = "text/html; charset=utf-8"
JSON = "application/json"


@dataclass(frozen=True)
class Artifact:
    content: bytes
    content_type: str
    last_modified: datetime


# ---- the alert -----------------------------------------------------------------------------


def withdrawal_at(alert: Alert, messages: list[Message]) -> datetime | None:
    """When suspect photos leave the page of an ended alert (None while it is active)."""
    if not alert.is_ended:
        return None
    ended = alert.ended_at or messages[-1].sent_at
    return ended + timedelta(days=settings.PUBLIC_PHOTO_WITHDRAW_DAYS)


def photos_withdrawn(alert: Alert, messages: list[Message], now: datetime) -> bool:
    at = withdrawal_at(alert, messages)
    return at is not None and now >= at


def public_photos(alert: Alert, messages: list[Message], now: datetime) -> list[dict]:
    """The photos of the latest approved snapshot, less suspect photos once withdrawn (vehicle
    photos stay: they identify no one)."""
    photos = list(public_view(messages[-1].snapshot).get("photos") or [])
    if photos_withdrawn(alert, messages, now):
        photos = [p for p in photos if p.get("vehicle") is not None]
    return photos


def alert_last_modified(alert: Alert, messages: list[Message], now: datetime) -> datetime:
    times = [messages[-1].sent_at]
    if alert.ended_at:
        times.append(alert.ended_at)
    at = withdrawal_at(alert, messages)
    if at is not None and now >= at:
        times.append(at)
    return max(times)


def tel_href(number: str) -> str:
    digits = re.sub(r"\D", "", number or "")
    if number.strip().startswith("+"):
        return f"tel:+{digits}"
    if len(digits) == 10:
        return f"tel:+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"tel:+{digits}"
    return f"tel:{digits}"


def _photo_path(public_id, photo_id) -> str:
    return reverse("public:alert-photo", kwargs={"public_id": public_id, "photo_id": photo_id})


def page_url(public_id, lang: str = "en") -> str:
    return wording.alert_page_url(str(public_id), lang)


def _alert_status_label(alert: Alert, t: dict) -> str:
    labels: dict[str, str] = {
        Alert.Status.RESOLVED: t["resolved"],
        Alert.Status.CANCELLED: t["cancelled"],
        Alert.Status.EXPIRED: t["expired"],
    }
    return labels.get(alert.status, "")


def alert_context(alert: Alert, lang: str, now: datetime) -> dict:
    messages: list[Message] = alert.public_messages
    latest = messages[-1]
    view = public_view(latest.snapshot)
    usps = view["state"]["usps"]
    t = ui(lang)
    public_id = view["public_id"]
    photos = [
        {
            **p,
            "url": _photo_path(public_id, p["public_id"]),
            "absolute_url": wording.photo_url(public_id, p["public_id"]),
            "alt": wording.photo_label(view, p),
        }
        for p in public_photos(alert, messages, now)
    ]
    suspects = [
        {**s, "number": i + 1, "photos": [p for p in photos if p.get("suspect") == i]}
        for i, s in enumerate(view.get("suspects") or [])
    ]
    vehicles = [
        {**v, "number": i + 1, "photos": [p for p in photos if p.get("vehicle") == i]}
        for i, v in enumerate(view.get("vehicles") or [])
    ]
    loose_photos = [p for p in photos if p.get("suspect") is None and p.get("vehicle") is None]
    seen = dict(view.get("last_seen") or {})
    seen["when"] = format_time(seen.get("at"), usps, lang)
    seen["direction_text"] = DIRECTIONS[lang].get(seen.get("direction") or "", "")
    seen["travel_text"] = TRAVEL_MODES[lang].get(seen.get("travel_mode") or "", "")
    if seen.get("lat") is not None and seen.get("lon") is not None:
        lat, lon = seen["lat"], seen["lon"]
        seen["coords"] = f"{lat:.5f}, {lon:.5f}"
        seen["osm"] = f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=12/{lat:.5f}/{lon:.5f}"
    ended = alert.is_ended
    outcome = OUTCOMES[lang].get(view.get("outcome") or "", "") if ended else ""
    url = page_url(public_id, lang)
    title = wording.headline(view, lang, Message.Kind.ALERT)
    if ended:
        title = f"{_alert_status_label(alert, t)}: {title}"
    summary = wording.clip_chars(wording.describe(view, lang), 300)
    share_text = f"{title} {url}"
    timeline = [
        {
            "kind": m.kind,
            "label": t[f"kind_{m.kind}"],
            "when": format_time(m.sent_at, usps, lang),
            "iso": m.sent_at.isoformat(),
            "note": m.note,
            "cap": reverse("public:cap-message", kwargs={"message_id": m.message_id}),
        }
        for m in reversed(messages)
    ]
    return {
        "lang": lang,
        "t": t,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "alert_status": alert.status,
        "ended": ended,
        "status_label": _alert_status_label(alert, t),
        "outcome": outcome,
        "outcome_note": view.get("outcome_note") if ended else "",
        "view": view,
        "trigger": trigger_label(view["trigger"], lang),
        "title": title,
        "summary": summary,
        "description": view["texts"].get(f"description_{lang}") or "",
        "instruction": wording.instruction(view, lang, Message.Kind.ALERT),
        "tip_line": view.get("tip_line") or "",
        "tip_href": tel_href(view.get("tip_line") or ""),
        "suspects": suspects,
        "vehicles": vehicles,
        "loose_photos": loose_photos,
        "photos_withdrawn": photos_withdrawn(alert, messages, now) and bool(public_view(latest.snapshot).get("photos")),
        "seen": seen,
        "officer": view.get("officer"),
        "area": wording.area_description(view, lang),
        "radius_km": settings.CAP_CIRCLE_RADIUS_KM,
        "map_tiles": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_ATTRIBUTION,
        "issued": format_time(messages[0].sent_at, usps, lang),
        "updated": format_time(latest.sent_at, usps, lang),
        "expires": format_time(view.get("expires_at"), usps, lang) if not ended else "",
        "agency": view["agency"]["name"],
        "timeline": timeline,
        "url": url,
        "url_en": page_url(public_id, "en"),
        "url_es": page_url(public_id, "es"),
        "other_lang_url": reverse("public:alert-page", kwargs={"public_id": public_id})
        + ("" if lang == "es" else "?lang=es"),
        "cap_url": reverse("public:alert-cap", kwargs={"public_id": public_id}),
        "json_url": reverse("public:alert-json", kwargs={"public_id": public_id}),
        "feed_url": reverse("public:feed-state", kwargs={"usps": usps}),
        "og_image": photos[0]["absolute_url"] if photos else wording.absolute(static("public/blue-alert-card.png")),
        "og_locale": "es_US" if lang == "es" else "en_US",
        "share": {
            "email": "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote),
            "x": "https://twitter.com/intent/tweet?" + urlencode({"text": title, "url": url}),
            "facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
            "text": share_text,
        },
    }


def alert_page(alert: Alert, lang: str = "en", now: datetime | None = None) -> Artifact:
    """The public page of an alert with `public_messages` loaded (see selectors.alert_get_public)."""
    now = now or timezone.now()
    lang = "es" if lang == "es" else "en"
    html = render_to_string("alerts/public/alert_page.html", alert_context(alert, lang, now))
    return Artifact(html.encode(), HTML, alert_last_modified(alert, alert.public_messages, now))


def alert_json(alert: Alert, now: datetime | None = None) -> Artifact:
    """The alert as JSON: the latest approved snapshot's public view and the list of messages."""
    now = now or timezone.now()
    messages: list[Message] = alert.public_messages
    view = public_view(messages[-1].snapshot)
    public_id = view["public_id"]
    photos = [
        {k: v for k, v in p.items() if k not in ("path", "sha256", "size")}
        | {"url": wording.photo_url(public_id, p["public_id"])}
        for p in public_photos(alert, messages, now)
    ]
    body = {k: v for k, v in view.items() if k not in ("photos", "status", "version")}
    doc = {
        "public_id": public_id,
        "status": alert.status,
        "url": page_url(public_id, "en"),
        "url_es": page_url(public_id, "es"),
        "cap": wording.absolute(reverse("public:alert-cap", kwargs={"public_id": public_id})),
        "messages": [
            {
                "identifier": m.identifier,
                "kind": m.kind,
                "sequence": m.sequence,
                "sent": wording.cap_time(m.sent_at, view["state"]["usps"]),
                "cap": wording.message_url(m),
            }
            for m in messages
        ],
        "alert": body | {"photos": photos},
    }
    content = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode()
    return Artifact(content, JSON, alert_last_modified(alert, messages, now))


# ---- lists ---------------------------------------------------------------------------------


def _card(alert: Alert, lang: str) -> dict:
    messages = alert.public_messages
    view = public_view(messages[-1].snapshot)
    usps = view["state"]["usps"]
    t = ui(lang)
    seen = view.get("last_seen") or {}
    photo = next((p for p in view.get("photos") or [] if not alert.is_ended), None)
    return {
        "url": reverse("public:alert-page", kwargs={"public_id": view["public_id"]}),
        "headline": wording.headline(view, lang, Message.Kind.ALERT),
        "trigger": trigger_label(view["trigger"], lang),
        "state": view["state"]["name"],
        "usps": usps,
        "place": seen.get("place") or "",
        "direction": DIRECTIONS[lang].get(seen.get("direction") or "", ""),
        "issued": format_time(messages[0].sent_at, usps, lang),
        "updated": format_time(messages[-1].sent_at, usps, lang) if len(messages) > 1 else "",
        "status_label": _alert_status_label(alert, t),
        "outcome": OUTCOMES[lang].get(view.get("outcome") or "", "") if alert.is_ended else "",
        "photo": _photo_path(view["public_id"], photo["public_id"]) if photo else "",
        "plates": [v["plate"] for v in view.get("vehicles") or [] if v.get("plate")],
    }


def _list_last_modified(alerts: list[Alert], last_ended: datetime | None) -> datetime:
    times = [m.sent_at for a in alerts for m in a.public_messages[-1:]]
    times += [a.ended_at for a in alerts if a.ended_at]
    if last_ended:
        times.append(last_ended)
    return max(times) if times else datetime(2019, 1, 18, tzinfo=UTC)


def home_page(state: State | None = None) -> Artifact:
    """Active alerts, newest first; for one state when given (the state page)."""
    alerts = selectors.alerts_list_public(active=True, state=state)
    context = {
        "t": ui("en"),
        "lang": "en",
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "state": state,
        "states": selectors.states_for_filter(),
        "cards": [_card(a, "en") for a in alerts],
        "feed_url": reverse("public:feed-state", kwargs={"usps": state.usps})
        if state
        else reverse("public:feed-alerts"),
        "canonical": wording.absolute(
            reverse("public:state-home", kwargs={"usps": state.usps}) if state else reverse("public:home")
        ),
    }
    html = render_to_string("alerts/public/home.html", context)
    return Artifact(html.encode(), HTML, _list_last_modified(alerts, selectors.alerts_last_ended(state)))


def archive_page() -> Artifact:
    alerts = selectors.alerts_list_public(active=False)
    context = {
        "t": ui("en"),
        "lang": "en",
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "cards": [_card(a, "en") for a in alerts],
        "canonical": wording.absolute(reverse("public:archive")),
    }
    html = render_to_string("alerts/public/archive.html", context)
    return Artifact(html.encode(), HTML, _list_last_modified(alerts, None))
