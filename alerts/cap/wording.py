"""What a CAP message says and where it links: headline, description, instruction, the WEA texts
(CMAMtext, CMAMlongtext), the area, and the public URLs. The public pages and feeds reuse the same
wording, so a page and its CAP message never disagree.

The WEA texts a coordinator approved go into the message exactly as approved. `carry_problems`
says which of them the message could not carry (the same rule as the drafting form's,
alerts.texts.wea_problems); the approval services refuse such an approval, and the builder raises
rather than strip or clip a character. Only texts the portal writes itself (a Cancel's, or the
fallback for a message approved without one) are folded and clipped to fit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse

from .. import gsm7
from ..models import Message
from ..public.texts import DIRECTIONS, OUTCOMES, local_time, trigger_label, ui
from ..texts import WEA_FIELDS, WEA_LONG_MAX, WEA_SHORT_MAX, wea_problems

MAX_GEOCODES = 31  # EAS carries at most 31 location codes
HEADLINE_MAX = 160


class CannotCarry(ValueError):
    """An approved WEA text the CAP message cannot carry verbatim (approval should have refused it)."""


def cap_time(value: datetime | str, usps: str) -> str:
    """CAP dateTime: the state's local time with a numeric offset and no fraction."""
    local = local_time(value, usps)
    if local is None:
        raise ValueError("a CAP time needs a date and time")
    return local.replace(microsecond=0).isoformat(timespec="seconds")


def clip_chars(text: str, limit: int) -> str:
    """Whitespace collapsed, then at most `limit` characters (headlines, page summaries). WEA texts
    never pass here: they are counted in septets (gsm7)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 3].rstrip() + "..."


# ---- URLs ----------------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def alert_page_url(public_id: str, lang: str = "en") -> str:
    url = absolute(reverse("public:alert-page", kwargs={"public_id": public_id}))
    return url + "?lang=es" if lang == "es" else url


def photo_url(public_id: str, photo_id: str) -> str:
    return absolute(reverse("public:alert-photo", kwargs={"public_id": public_id, "photo_id": photo_id}))


def message_url(message: Message) -> str:
    return absolute(reverse("public:cap-message", kwargs={"message_id": message.message_id}))


# ---- wording -------------------------------------------------------------------------------


def headline(view: dict, lang: str, kind: str) -> str:
    t = ui(lang)
    where = view["state"]["name"]
    if kind == Message.Kind.CANCEL:
        outcome = OUTCOMES[lang].get(view.get("outcome") or "", "")
        return f"{t['cancel_headline']}: {where}" + (f" - {outcome}" if outcome else "")
    if lang == "en" and view["texts"].get("headline"):
        return view["texts"]["headline"]
    return f"{t['blue_alert']}: {trigger_label(view['trigger'], lang)} - {where}"


def instruction(view: dict, lang: str, kind: str) -> str:
    t = ui(lang)
    if kind == Message.Kind.CANCEL:
        return t["cancel_instruction"]
    if lang == "en" and view.get("public_instruction"):
        return view["public_instruction"]
    tip = view.get("tip_line")
    return t["instruction"].format(tip=tip) if tip else t["instruction_no_tip"]


def describe(view: dict, lang: str) -> str:
    """A plain-text description generated from the structured fields (the fallback when the
    alert has no long description in that language, and the page's text summary)."""
    t = ui(lang)
    parts = [f"{t['blue_alert']}: {trigger_label(view['trigger'], lang)}."]
    for i, s in enumerate(view.get("suspects") or []):
        bits = [s.get("name") or t["name_unknown"]]
        if s.get("age"):
            bits.append(f"{t['age']} {s['age']}")
        for key in ("sex", "race", "height", "weight"):
            if s.get(key):
                bits.append(str(s[key]))
        if s.get("hair"):
            bits.append(f"{t['hair']}: {s['hair']}")
        if s.get("eyes"):
            bits.append(f"{t['eyes']}: {s['eyes']}")
        if s.get("clothing"):
            bits.append(f"{t['clothing']}: {s['clothing']}")
        if s.get("marks"):
            bits.append(f"{t['marks']}: {s['marks']}")
        line = f"{t['suspect']} {i + 1}: " + ", ".join(bits) + "."
        if s.get("armed_and_dangerous"):
            line += f" {t['armed']}."
        parts.append(line)
    for v in view.get("vehicles") or []:
        desc = " ".join(
            str(x) for x in (v.get("color"), v.get("year"), v.get("make"), v.get("model"), v.get("body_style")) if x
        )
        if v.get("plate"):
            plate = f"{t['plate']} {v['plate']}" + (f" ({v['plate_state']})" if v.get("plate_state") else "")
            if v.get("plate_partial"):
                plate += f", {t['partial_plate']}"
            desc = f"{desc}, {plate}" if desc else plate
        if v.get("features"):
            desc += f", {v['features']}"
        if desc:
            parts.append(desc + ".")
    seen = view.get("last_seen") or {}
    if seen.get("place") or seen.get("at"):
        bits = [x for x in (seen.get("place"),) if x]
        if seen.get("direction"):
            bits.append(f"{t['heading']} {DIRECTIONS[lang].get(seen['direction'], seen['direction'])}")
        parts.append(f"{t['last_seen']}: " + ", ".join(bits) + ".")
    return " ".join(parts)


def description(view: dict, lang: str, kind: str) -> str:
    if kind == Message.Kind.CANCEL:
        t = ui(lang)
        outcome = OUTCOMES[lang].get(view.get("outcome") or "", "")
        text = f"{t['cancel_headline']}."
        if outcome:
            text += f" {t['outcome']}: {outcome}."
        if view.get("outcome_note"):
            text += f" {view['outcome_note']}"
        return text
    return view["texts"].get(f"description_{lang}") or describe(view, lang)


# ---- WEA texts -----------------------------------------------------------------------------


def carry_problems(snapshot: dict) -> dict[str, list[str]]:
    """The approved WEA texts of `snapshot` (an alert's, as approval would freeze it) that a CAP
    message could not carry exactly as written, with the reasons, per field. Empty: all fine."""
    texts = snapshot.get("texts") or {}
    problems: dict[str, list[str]] = {}
    for field, limit in WEA_FIELDS.items():
        text = texts.get(field) or ""
        found = wea_problems(text, limit) if text else []
        if found:
            problems[field] = found
    return problems


def _approved(text: str, field: str) -> str:
    problems = wea_problems(text, WEA_FIELDS[field])
    if problems:
        raise CannotCarry(f"{field} cannot be carried verbatim: {' '.join(problems)}")
    return text


def _generated(text: str, limit: int) -> str:
    return gsm7.clip(" ".join(gsm7.fold(text, drop_others=True).split()), limit)


def wea_texts(view: dict, lang: str, kind: str, page_url: str) -> tuple[str, str]:
    """CMAMtext (at most 90 septets) and CMAMlongtext (at most 360): the approved texts verbatim
    (CannotCarry if one cannot be), else the portal's own wording made to fit."""
    texts = view["texts"]
    if kind == Message.Kind.CANCEL:
        short = f"{ui(lang)['cancel_headline']} ({view['state']['usps']})"
        outcome = OUTCOMES[lang].get(view.get("outcome") or "", "")
        long = f"{short}: {outcome}. {ui(lang)['cancel_instruction']} {page_url}" if outcome else f"{short}. {page_url}"
        return _generated(short, WEA_SHORT_MAX), _generated(long, WEA_LONG_MAX)
    short_field, long_field = f"wea_short_{lang}", f"wea_long_{lang}"
    if texts.get(short_field):
        short = _approved(texts[short_field], short_field)
    else:
        short = _generated(f"{headline(view, lang, kind)}. {instruction(view, lang, kind)}", WEA_SHORT_MAX)
    if texts.get(long_field):
        long = _approved(texts[long_field], long_field)
    else:
        long = _generated(
            f"{headline(view, lang, kind)}. {describe(view, lang)} {instruction(view, lang, kind)} {page_url}",
            WEA_LONG_MAX,
        )
    return short, long


# ---- area ----------------------------------------------------------------------------------


def area_geocodes(view: dict) -> list[str]:
    """SAME PSSCCC codes: the counties (at most 31, else the whole state), plus each joined state."""
    state_code = f"0{view['state']['fips']}000"
    counties = [c["same"] for c in view.get("counties") or []]
    extra = [f"0{s['fips']}000" for s in view.get("extra_states") or []]
    own = counties if (counties and not view.get("statewide")) else [state_code]
    if len(own) + len(extra) > MAX_GEOCODES:
        own = [state_code]
    return (own + extra)[:MAX_GEOCODES]


def area_description(view: dict, lang: str) -> str:
    t = ui(lang)
    counties = [c["name"] for c in view.get("counties") or []]
    if counties and not view.get("statewide") and len(counties) < MAX_GEOCODES:
        text = f"{', '.join(counties)}, {view['state']['name']}"
    else:
        text = f"{view['state']['name']} ({t['statewide'].lower()})"
    extra = [s["name"] for s in view.get("extra_states") or []]
    if extra:
        text += f"; {t['also_in'].lower()} {', '.join(extra)}"
    return text


def area_circle(view: dict) -> str | None:
    seen = view.get("last_seen") or {}
    if seen.get("lat") is None or seen.get("lon") is None:
        return None
    return f"{seen['lat']:.4f},{seen['lon']:.4f} {float(settings.CAP_CIRCLE_RADIUS_KM):.1f}"


# ---- resources and expiry ------------------------------------------------------------------


def photo_label(view: dict, photo: dict) -> str:
    if photo.get("caption"):
        return photo["caption"]
    if photo.get("suspect") is not None:
        return f"Photo of suspect {photo['suspect'] + 1}"
    if photo.get("vehicle") is not None:
        return f"Photo of vehicle {photo['vehicle'] + 1}"
    return "Photo"


def expires_at(view: dict, message: Message) -> datetime:
    """The snapshot's expiry; a Cancel (or an alert without one) expires an hour or a day after sending."""
    sent = message.sent_at
    value = view.get("expires_at")
    expires = datetime.fromisoformat(value) if value else None
    if message.kind == Message.Kind.CANCEL:
        return sent + timedelta(hours=1)
    if expires is None or expires <= sent:
        return sent + timedelta(hours=24)
    return expires
