"""Channel texts: generated from the alert's fields, then editable by the drafter.

The rules every WEA text must pass (the form, the serializer, the submit service and the CAP check
at approval all ask `wea_problems`): typographic characters are replaced first (smart quotes have
broken real IPAWS deliveries), then anything outside the GSM 03.38 7-bit alphabet (alerts.gsm7) is
refused, and the length is counted the way a handset counts it (an extension-table character takes
two septets).
Spanish generated WEA texts fold the accents GSM lacks (a with acute, i, o, u) to the bare letter
(gsm7.fold); the long descriptions for the web page keep proper Spanish.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from . import gsm7

if TYPE_CHECKING:
    from .models import Alert

WEA_SHORT_MAX = 90
WEA_LONG_MAX = 360
HEADLINE_MAX = 160
EAS_WORDS_PER_MINUTE = 150
EAS_MAX_SECONDS = 120

WEA_FIELDS = {
    "wea_short_en": WEA_SHORT_MAX,
    "wea_long_en": WEA_LONG_MAX,
    "wea_short_es": WEA_SHORT_MAX,
    "wea_long_es": WEA_LONG_MAX,
}
TEXT_FIELDS = ("headline", *WEA_FIELDS, "eas_script", "description_en", "description_es")
# The texts whose typographic characters are replaced when saved (the long descriptions keep them).
TYPOGRAPHY_FIELDS = ("headline", *WEA_FIELDS, "eas_script")


def plain_texts(values: dict) -> dict:
    """`values` with typography replaced and surrounding space stripped in the short channel texts
    it holds (the drafting service saves that; the form and serializer check it)."""
    return {k: gsm7.replace_typography(v or "").strip() if k in TYPOGRAPHY_FIELDS else v for k, v in values.items()}


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"“{ch}” ({name.lower()})" if name else repr(ch)


def wea_problems(text: str, limit: int) -> list[str]:
    """Why a WEA text would be refused (empty list: fine). Run on text already typography-replaced."""
    problems = []
    bad = gsm7.invalid_chars(text)
    if bad:
        hint = " Write a, i, o, u without accents." if set(bad) & set("áíóúÁÍÓÚ") else ""
        problems.append(
            "Not in the GSM 7-bit set that phones use for alerts: " + ", ".join(_describe(c) for c in bad) + "." + hint
        )
    if "\f" in text:
        # In the extension table, but XML 1.0 cannot carry it, so the CAP message could not either.
        problems.append("A page break cannot be sent: remove it.")
    length = gsm7.septets(text)
    if length > limit:
        problems.append(f"{length} characters; the limit is {limit}. Shorten it by {length - limit}.")
    return problems


def eas_seconds(text: str) -> int:
    """Reading time of an EAS script at about 150 words a minute."""
    return round(len((text or "").split()) * 60 / EAS_WORDS_PER_MINUTE)


def texts_problems(texts: dict[str, str]) -> dict[str, list[str]]:
    """Problems per field for a dict of channel texts (the form's and the service's one rule)."""
    errors: dict[str, list[str]] = {}
    for field, limit in WEA_FIELDS.items():
        value = texts.get(field) or ""
        problems = wea_problems(value, limit)
        if problems:
            errors[field] = problems
    if len(texts.get("headline") or "") > HEADLINE_MAX:
        errors["headline"] = [f"At most {HEADLINE_MAX} characters."]
    if eas_seconds(texts.get("eas_script") or "") > EAS_MAX_SECONDS:
        errors["eas_script"] = [
            f"Takes about {eas_seconds(texts['eas_script'])} seconds to read; EAS audio is at most "
            f"{EAS_MAX_SECONDS} seconds (about {EAS_WORDS_PER_MINUTE * EAS_MAX_SECONDS // 60} words)."
        ]
    return errors


# ---------------------------------------------------------------------------------------------
# Generation

COLOR_ABBR = {
    "black": "blk",
    "white": "wht",
    "silver": "sil",
    "gray": "gry",
    "grey": "gry",
    "blue": "blu",
    "green": "grn",
    "yellow": "yel",
    "brown": "bro",
    "maroon": "mar",
    "orange": "ong",
    "purple": "ple",
    "beige": "bge",
    "gold": "gld",
    "tan": "tan",
    "red": "red",
    "pink": "pnk",
}
COLOR_ES = {
    "black": "negro",
    "white": "blanco",
    "silver": "plateado",
    "gray": "gris",
    "grey": "gris",
    "blue": "azul",
    "green": "verde",
    "yellow": "amarillo",
    "brown": "marron",
    "maroon": "granate",
    "orange": "naranja",
    "purple": "morado",
    "beige": "beige",
    "gold": "dorado",
    "tan": "canela",
    "red": "rojo",
    "pink": "rosa",
}
DIRECTION_ES = {
    "N": "norte",
    "NE": "noreste",
    "E": "este",
    "SE": "sureste",
    "S": "sur",
    "SW": "suroeste",
    "W": "oeste",
    "NW": "noroeste",
}
TRAVEL_EN = {"vehicle": "in a vehicle", "foot": "on foot", "other": ""}
TRAVEL_ES = {"vehicle": "en vehiculo", "foot": "a pie", "other": ""}
TRIGGER_EN = {
    "killed": "An officer was killed",
    "injured": "An officer was seriously injured",
    "missing": "An officer is missing",
    "threat": "Credible threat to officers",
}
TRIGGER_ES = {
    "killed": "Un agente fue asesinado",
    "injured": "Un agente resultó gravemente herido",
    "missing": "Un agente está desaparecido",
    "threat": "Amenaza creíble contra agentes",
}
MONTHS_ES = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def _join(parts: Iterable, sep: str = " ") -> str:
    return sep.join(str(p).strip() for p in parts if p not in (None, "") and str(p).strip())


def _fit(candidates: Iterable[str], limit: int) -> str:
    """The first candidate that fits (already clean of typography), else the last one cut short."""
    last = ""
    for text in candidates:
        text = " ".join(gsm7.replace_typography(text).split())
        last = text
        if gsm7.septets(text) <= limit:
            return text
    return gsm7.clip(last, limit)


class _Facts:
    """The pieces the generators assemble, read once from the working copy."""

    def __init__(self, alert: Alert):
        self.alert = alert
        self.usps = alert.state.usps
        self.city = alert.incident_city or (alert.agency.city if alert.agency_id else "")
        self.place = _join([self.city, self.usps])
        suspects = list(alert.suspects.all())
        vehicles = list(alert.vehicles.select_related("plate_state").all())
        self.suspect = suspects[0] if suspects else None
        self.suspect_count = len(suspects)
        self.vehicle = vehicles[0] if vehicles else None
        self.tip = alert.tip_line or (alert.agency.tip_line if alert.agency_id else "")
        self.exercise = alert.is_exercise

    # Vehicle -----------------------------------------------------------------------------
    def plate(self) -> str:
        v = self.vehicle
        if not v or not v.plate:
            return ""
        state = v.plate_state.usps if v.plate_state else ""
        partial = " (partial)" if v.plate_partial else ""
        return _join([state, v.plate.upper()]) + partial

    def plate_es(self) -> str:
        v = self.vehicle
        if not v or not v.plate:
            return ""
        state = v.plate_state.usps if v.plate_state else ""
        partial = " (parcial)" if v.plate_partial else ""
        return "placa " + _join([state, v.plate.upper()]) + partial

    def vehicle_en(self, short: bool = False, with_year: bool = True) -> str:
        v = self.vehicle
        if not v:
            return ""
        color = (v.color or "").strip()
        if short:
            color = COLOR_ABBR.get(color.lower(), color)
        return _join([color, v.year if with_year else "", v.make, v.model])

    def vehicle_es(self, with_year: bool = True) -> str:
        v = self.vehicle
        if not v:
            return ""
        color = COLOR_ES.get((v.color or "").strip().lower(), v.color)
        return _join([v.make, v.model, v.year if with_year else "", color])

    # Last seen ---------------------------------------------------------------------------
    def heading_en(self) -> str:
        a = self.alert
        parts = []
        if a.direction:
            parts.append(f"heading {a.get_direction_display().lower()}")
        if a.travel_mode and TRAVEL_EN.get(a.travel_mode):
            parts.append(TRAVEL_EN[a.travel_mode])
        return _join(parts)

    def heading_es(self) -> str:
        a = self.alert
        parts = []
        if a.direction:
            parts.append(f"rumbo al {DIRECTION_ES[a.direction]}")
        if a.travel_mode and TRAVEL_ES.get(a.travel_mode):
            parts.append(TRAVEL_ES[a.travel_mode])
        return _join(parts)

    # Suspect -----------------------------------------------------------------------------
    def suspect_en(self) -> str:
        s = self.suspect
        if not s:
            return ""
        age = f"{s.age} years old" if s.age else ""
        return _join(
            [
                s.name or "Unknown suspect",
                s.sex,
                s.race,
                age,
                s.height,
                s.weight,
                f"{s.hair} hair" if s.hair else "",
                f"wearing {s.clothing}" if s.clothing else "",
                s.marks,
            ],
            ", ",
        )

    def suspect_es(self) -> str:
        s = self.suspect
        if not s:
            return ""
        age = f"{s.age} años" if s.age else ""
        return _join(
            [s.name or "Sospechoso desconocido", age, s.height, s.weight, f"viste {s.clothing}" if s.clothing else ""],
            ", ",
        )

    def armed(self) -> bool:
        return any(s.armed_and_dangerous for s in self.alert.suspects.all())

    def when_en(self) -> str:
        at = self.alert.incident_at
        if not at:
            return ""
        local = timezone.localtime(at)
        return local.strftime("%B %-d, %Y at %-I:%M %p")

    def when_es(self) -> str:
        at = self.alert.incident_at
        if not at:
            return ""
        local = timezone.localtime(at)
        return f"{local.day} de {MONTHS_ES[local.month - 1]} de {local.year}, {local:%H:%M}"


def _label(facts: _Facts, es: bool = False) -> str:
    if es:
        return "SIMULACRO ALERTA AZUL" if facts.exercise else "ALERTA AZUL"
    return "BLUE ALERT EXERCISE" if facts.exercise else "BLUE ALERT"


def wea_short_en(f: _Facts) -> str:
    head = f"{_label(f)}: {f.place}."
    call = "Call 911."
    plate = f.plate()
    candidates = []
    if f.vehicle:
        candidates += [
            f"{head} Suspect in {f.vehicle_en()} {plate}. {call}",
            f"{head} Suspect in {f.vehicle_en(short=True)} {plate}. {call}",
            f"{head} Suspect in {f.vehicle_en(short=True, with_year=False)} {plate}. {call}",
            f"{head} Suspect vehicle {plate}. {call}"
            if plate
            else f"{head} Suspect in {f.vehicle_en(short=True)}. {call}",
        ]
    if f.suspect and f.suspect.name:
        candidates.append(f"{head} Suspect {f.suspect.name}. {call}")
    candidates.append(f"{head} Armed suspect sought. {call}" if f.armed() else f"{head} Suspect sought. {call}")
    return _fit(candidates, WEA_SHORT_MAX)


def wea_short_es(f: _Facts) -> str:
    head = f"{_label(f, es=True)}: {f.place}."
    call = "Llame al 911."
    plate = f.plate_es()
    candidates = []
    if f.vehicle:
        candidates += [
            f"{head} Sospechoso en {f.vehicle_es()} {plate}. {call}",
            f"{head} Sospechoso en {f.vehicle_es(with_year=False)} {plate}. {call}",
            f"{head} Vehiculo {plate}. {call}" if plate else f"{head} Sospechoso en {f.vehicle_es()}. {call}",
        ]
    if f.suspect and f.suspect.name:
        candidates.append(f"{head} Sospechoso {f.suspect.name}. {call}")
    candidates.append(f"{head} Buscan sospechoso armado. {call}" if f.armed() else f"{head} Buscan sospechoso. {call}")
    return _fit((gsm7.fold(c) for c in candidates), WEA_SHORT_MAX)


def _instruction_en(f: _Facts) -> str:
    return f"Do not approach. Call 911 or {f.tip}." if f.tip else "Do not approach. Call 911."


def _instruction_es(f: _Facts) -> str:
    return f"No se acerque. Llame al 911 o al {f.tip}." if f.tip else "No se acerque. Llame al 911."


def wea_long_en(f: _Facts) -> str:
    a = f.alert
    trigger = TRIGGER_EN.get(a.trigger, "")
    where = f" in {f.place}" if f.place else ""
    suspect = f"Suspect: {f.suspect_en()}." if f.suspect else ""
    vehicle = f"Vehicle: {_join([f.vehicle_en(), f.plate()], ', ')}." if f.vehicle else ""
    seen = _join([f"Last seen {a.last_seen_place}" if a.last_seen_place else "Last seen", f.heading_en()])
    seen = f"{seen}." if (a.last_seen_place or f.heading_en()) else ""
    armed = "Armed and dangerous." if f.armed() else ""
    instr = a.public_instruction or _instruction_en(f)
    full = [f"{_label(f)}: {trigger}{where}.", suspect, vehicle, seen, armed, instr]
    short_suspect = f"Suspect: {f.suspect.name}." if f.suspect and f.suspect.name else ""
    return _fit(
        [
            _join(full),
            _join([full[0], short_suspect, vehicle, seen, armed, instr]),
            _join([full[0], vehicle, seen, armed, instr]),
            _join([full[0], vehicle, armed, _instruction_en(f)]),
        ],
        WEA_LONG_MAX,
    )


def wea_long_es(f: _Facts) -> str:
    a = f.alert
    trigger = TRIGGER_ES.get(a.trigger, "")
    where = f" en {f.place}" if f.place else ""
    suspect = f"Sospechoso: {f.suspect_es()}." if f.suspect else ""
    vehicle = f"Vehiculo: {_join([f.vehicle_es(), f.plate_es()], ', ')}." if f.vehicle else ""
    seen_place = f"Visto por ultima vez en {a.last_seen_place}" if a.last_seen_place else "Visto por ultima vez"
    seen = f"{_join([seen_place, f.heading_es()])}." if (a.last_seen_place or f.heading_es()) else ""
    armed = "Armado y peligroso." if f.armed() else ""
    instr = _instruction_es(f)
    first = f"{_label(f, es=True)}: {trigger}{where}."
    candidates = [
        _join([first, suspect, vehicle, seen, armed, instr]),
        _join([first, vehicle, seen, armed, instr]),
        _join([first, vehicle, armed, instr]),
    ]
    return _fit((gsm7.fold(c) for c in candidates), WEA_LONG_MAX)


def headline(f: _Facts) -> str:
    a = f.alert
    trigger = TRIGGER_EN.get(a.trigger, "Blue Alert")
    where = f" in {_join([f.city, f.usps], ', ')}" if f.place else ""
    veh = f" - suspect in {_join([f.vehicle_en(), f.plate()])}" if f.vehicle else ""
    prefix = "EXERCISE - Blue Alert" if f.exercise else "Blue Alert"
    text = " ".join(f"{prefix}: {trigger}{where}{veh}".split())
    return text if len(text) <= HEADLINE_MAX else text[: HEADLINE_MAX - 3].rstrip() + "..."


def _suspect_paragraphs_en(alert: Alert) -> list[str]:
    out = []
    for i, s in enumerate(alert.suspects.all(), start=1):
        bits = _join(
            [
                s.name or "Name unknown",
                f"also known as {s.aliases}" if s.aliases else "",
                f"{s.age} years old" if s.age else "",
                s.sex,
                s.race,
                s.height,
                s.weight,
                f"{s.hair} hair" if s.hair else "",
                f"{s.eyes} eyes" if s.eyes else "",
                f"last seen wearing {s.clothing}" if s.clothing else "",
                s.marks,
            ],
            ", ",
        )
        danger = " Considered armed and dangerous." if s.armed_and_dangerous else ""
        out.append(f"Suspect {i}: {bits}.{danger}")
    return out


def _vehicle_paragraphs_en(alert: Alert) -> list[str]:
    out = []
    for i, v in enumerate(alert.vehicles.select_related("plate_state"), start=1):
        plate = ""
        if v.plate:
            st = f"{v.plate_state.name} " if v.plate_state else ""
            plate = f", {st}plate {v.plate.upper()}" + (" (partial)" if v.plate_partial else "")
        extra = f", {v.features}" if v.features else ""
        out.append(f"Vehicle {i}: {_join([v.color, v.year, v.make, v.model, v.body_style])}{plate}{extra}.")
    return out


def description_en(f: _Facts) -> str:
    a = f.alert
    paras = []
    when = f" on {f.when_en()}" if f.when_en() else ""
    place = _join([a.incident_address, f.place], ", ")
    paras.append(
        f"{TRIGGER_EN.get(a.trigger, '')}{' at ' + place if place else ''}{when}. "
        f"{a.agency.name} is searching for the suspect{'s' if f.suspect_count > 1 else ''}."
    )
    paras += _suspect_paragraphs_en(a)
    paras += _vehicle_paragraphs_en(a)
    if a.last_seen_place or a.last_seen_at or f.heading_en():
        at = f" at {timezone.localtime(a.last_seen_at):%-I:%M %p on %B %-d}" if a.last_seen_at else ""
        paras.append(
            _join([f"Last seen{' at ' + a.last_seen_place if a.last_seen_place else ''}{at}", f.heading_en()]) + "."
        )
    paras.append(a.public_instruction or _instruction_en(f))
    text = "\n\n".join(paras)
    return ("EXERCISE - THIS IS NOT A REAL ALERT.\n\n" + text) if f.exercise else text


def description_es(f: _Facts) -> str:
    a = f.alert
    paras = []
    when = f" el {f.when_es()}" if f.when_es() else ""
    place = _join([a.incident_address, f.place], ", ")
    paras.append(
        f"{TRIGGER_ES.get(a.trigger, '')}{' en ' + place if place else ''}{when}. {a.agency.name} busca al sospechoso."
    )
    for i, s in enumerate(a.suspects.all(), start=1):
        bits = _join(
            [
                s.name or "Nombre desconocido",
                f"{s.age} años" if s.age else "",
                s.height,
                s.weight,
                f"viste {s.clothing}" if s.clothing else "",
                s.marks,
            ],
            ", ",
        )
        danger = " Se le considera armado y peligroso." if s.armed_and_dangerous else ""
        paras.append(f"Sospechoso {i}: {bits}.{danger}")
    for i, v in enumerate(a.vehicles.select_related("plate_state"), start=1):
        color = COLOR_ES.get((v.color or "").lower(), v.color)
        plate = ""
        if v.plate:
            st = f" de {v.plate_state.name}" if v.plate_state else ""
            plate = f", placa{st} {v.plate.upper()}" + (" (parcial)" if v.plate_partial else "")
        paras.append(f"Vehículo {i}: {_join([v.make, v.model, v.year, color])}{plate}.")
    if a.last_seen_place or f.heading_es():
        paras.append(
            _join([f"Visto por última vez{' en ' + a.last_seen_place if a.last_seen_place else ''}", f.heading_es()])
            + "."
        )
    paras.append(_instruction_es(f))
    text = "\n\n".join(paras)
    return ("SIMULACRO - ESTA NO ES UNA ALERTA REAL.\n\n" + text) if f.exercise else text


def eas_script(f: _Facts) -> str:
    """What a broadcaster reads: plain sentences, no abbreviations, well under two minutes."""
    a = f.alert
    parts = [
        f"{'This is an exercise. ' if f.exercise else ''}The following is a Blue Alert issued by "
        f"{a.agency.name}{', ' + a.state.name if a.state_id else ''}.",
        f"{TRIGGER_EN.get(a.trigger, '')}{' in ' + f.city if f.city else ''}.",
        f"The suspect is {f.suspect_en()}." if f.suspect else "",
        f"The suspect may be driving a {_join([f.vehicle_en(), ('plate ' + f.plate()) if f.plate() else ''], ', ')}."
        if f.vehicle
        else "",
        _join([f"Last seen {a.last_seen_place}" if a.last_seen_place else "", f.heading_en()]) + "."
        if (a.last_seen_place or f.heading_en())
        else "",
        "The suspect is considered armed and dangerous. Do not approach." if f.armed() else "Do not approach.",
        f"If you see the suspect, call 911{' or ' + f.tip if f.tip else ''}.",
        "This has been an exercise." if f.exercise else "",
    ]
    text = " ".join(gsm7.replace_typography(_join(parts)).split())
    words = text.split()
    limit = EAS_WORDS_PER_MINUTE * EAS_MAX_SECONDS // 60 - 10
    return text if len(words) <= limit else " ".join(words[:limit]) + "."


def generate_texts(alert: Alert) -> dict[str, str]:
    """Every channel text, generated from the working copy's fields."""
    f = _Facts(alert)
    return {
        "headline": headline(f),
        "wea_short_en": wea_short_en(f),
        "wea_long_en": wea_long_en(f),
        "wea_short_es": wea_short_es(f),
        "wea_long_es": wea_long_es(f),
        "eas_script": eas_script(f),
        "description_en": description_en(f),
        "description_es": description_es(f),
    }
