"""The public pages' and CAP messages' fixed wording in English and Spanish.

A plain table rather than gettext catalogues: two languages, a few dozen strings, and no compile
step at install time. Staff-entered free text (descriptions, clothing...) is shown as entered;
the Spanish long description and WEA texts come from the alert's own Spanish fields.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import us
from django.conf import settings

from alerts.texts import MONTHS_ES

LANGS = ("en", "es")

UI = {
    "en": {
        "blue_alert": "BLUE ALERT",
        "resolved": "RESOLVED",
        "cancelled": "CANCELLED",
        "expired": "EXPIRED",
        "do_not_approach": "Do not approach. Call 911",
        "or_tip_line": "or the tip line",
        "call_911": "Call 911",
        "call_tip_line": "Call the tip line",
        "suspects": "Suspects",
        "suspect": "Suspect",
        "name_unknown": "Name unknown",
        "aliases": "Also known as",
        "age": "Age",
        "born": "Born",
        "sex": "Sex",
        "race": "Race",
        "height": "Height",
        "weight": "Weight",
        "hair": "Hair",
        "eyes": "Eyes",
        "clothing": "Clothing",
        "marks": "Scars, marks, tattoos",
        "armed": "Considered armed and dangerous",
        "vehicles": "Vehicles",
        "plate": "Plate",
        "partial_plate": "partial plate",
        "features": "Distinguishing features",
        "last_seen": "Last seen",
        "where": "Where",
        "when": "When",
        "heading": "Heading",
        "travel_mode": "Travelling",
        "coordinates": "Coordinates",
        "open_map": "Open in OpenStreetMap",
        "map": "Map of the last-seen point and the alert area",
        "officer": "Officer",
        "area": "Alert area",
        "statewide": "Statewide",
        "also_in": "Also in",
        "details": "Details",
        "updates": "Updates",
        "kind_Alert": "Alert issued",
        "kind_Update": "Alert updated",
        "kind_Cancel": "Alert ended",
        "outcome": "Outcome",
        "share": "Share",
        "share_email": "Email",
        "share_x": "X (Twitter)",
        "share_facebook": "Facebook",
        "link": "Link",
        "issued_by": "Issued by",
        "expires": "Expires",
        "cap": "CAP message",
        "json": "JSON",
        "feed": "Atom feed",
        "other_language": "Español",
        "other_language_label": "Ver en español",
        "photos_withdrawn": "Suspect photos have been withdrawn from this page.",
        "home_title": "Active Blue Alerts",
        "no_active": "There is no active Blue Alert.",
        "all_states": "All states",
        "filter_state": "State",
        "show": "Show",
        "archive": "Archive of past alerts",
        "archive_title": "Past Blue Alerts",
        "no_archive": "No past alert.",
        "active_alerts": "Active alerts",
        "updated": "Updated",
        "in_emergency": "In an emergency call 911.",
        "trigger_killed": "Officer killed in the line of duty",
        "trigger_injured": "Officer seriously injured in the line of duty",
        "trigger_missing": "Officer missing in connection with official duties",
        "trigger_threat": "Imminent and credible threat to kill or seriously injure an officer",
        "instruction": "Do not approach. Call 911 or {tip}.",
        "instruction_no_tip": "Do not approach. Call 911.",
        "cancel_headline": "BLUE ALERT ENDED",
        "cancel_instruction": "This Blue Alert has ended. No further action is needed.",
    },
    "es": {
        "blue_alert": "ALERTA AZUL",
        "resolved": "RESUELTA",
        "cancelled": "CANCELADA",
        "expired": "VENCIDA",
        "do_not_approach": "No se acerque. Llame al 911",
        "or_tip_line": "o a la línea de información",
        "call_911": "Llame al 911",
        "call_tip_line": "Llame a la línea de información",
        "suspects": "Sospechosos",
        "suspect": "Sospechoso",
        "name_unknown": "Nombre desconocido",
        "aliases": "También conocido como",
        "age": "Edad",
        "born": "Nacimiento",
        "sex": "Sexo",
        "race": "Raza",
        "height": "Estatura",
        "weight": "Peso",
        "hair": "Cabello",
        "eyes": "Ojos",
        "clothing": "Ropa",
        "marks": "Cicatrices, marcas, tatuajes",
        "armed": "Se considera armado y peligroso",
        "vehicles": "Vehículos",
        "plate": "Placa",
        "partial_plate": "placa parcial",
        "features": "Rasgos distintivos",
        "last_seen": "Visto por última vez",
        "where": "Dónde",
        "when": "Cuándo",
        "heading": "En dirección",
        "travel_mode": "Desplazamiento",
        "coordinates": "Coordenadas",
        "open_map": "Abrir en OpenStreetMap",
        "map": "Mapa del último lugar donde fue visto y del área de la alerta",
        "officer": "Oficial",
        "area": "Área de la alerta",
        "statewide": "Todo el estado",
        "also_in": "También en",
        "details": "Detalles",
        "updates": "Actualizaciones",
        "kind_Alert": "Alerta emitida",
        "kind_Update": "Alerta actualizada",
        "kind_Cancel": "Alerta terminada",
        "outcome": "Resultado",
        "share": "Compartir",
        "share_email": "Correo",
        "share_x": "X (Twitter)",
        "share_facebook": "Facebook",
        "link": "Enlace",
        "issued_by": "Emitida por",
        "expires": "Vence",
        "cap": "Mensaje CAP",
        "json": "JSON",
        "feed": "Canal Atom",
        "other_language": "English",
        "other_language_label": "View in English",
        "photos_withdrawn": "Las fotos de los sospechosos se han retirado de esta página.",
        "home_title": "Alertas Azules activas",
        "no_active": "No hay ninguna Alerta Azul activa.",
        "all_states": "Todos los estados",
        "filter_state": "Estado",
        "show": "Mostrar",
        "archive": "Archivo de alertas anteriores",
        "archive_title": "Alertas Azules anteriores",
        "no_archive": "No hay alertas anteriores.",
        "active_alerts": "Alertas activas",
        "updated": "Actualizada",
        "in_emergency": "En caso de emergencia llame al 911.",
        "trigger_killed": "Oficial muerto en cumplimiento del deber",
        "trigger_injured": "Oficial gravemente herido en cumplimiento del deber",
        "trigger_missing": "Oficial desaparecido en relación con sus funciones",
        "trigger_threat": "Amenaza inminente y creíble de matar o herir gravemente a un oficial",
        "instruction": "No se acerque. Llame al 911 o al {tip}.",
        "instruction_no_tip": "No se acerque. Llame al 911.",
        "cancel_headline": "ALERTA AZUL TERMINADA",
        "cancel_instruction": "Esta Alerta Azul ha terminado. No se necesita ninguna acción.",
    },
}

DIRECTIONS = {
    "en": {
        "N": "North",
        "NE": "Northeast",
        "E": "East",
        "SE": "Southeast",
        "S": "South",
        "SW": "Southwest",
        "W": "West",
        "NW": "Northwest",
    },
    "es": {
        "N": "Norte",
        "NE": "Noreste",
        "E": "Este",
        "SE": "Sureste",
        "S": "Sur",
        "SW": "Suroeste",
        "W": "Oeste",
        "NW": "Noroeste",
    },
}
TRAVEL_MODES = {
    "en": {"vehicle": "In a vehicle", "foot": "On foot", "other": "Other"},
    "es": {"vehicle": "En un vehículo", "foot": "A pie", "other": "Otro"},
}
OUTCOMES = {
    "en": {
        "apprehended": "Suspect apprehended",
        "officer_found": "Officer found",
        "no_longer_useful": "Alert no longer useful",
        "issued_in_error": "Issued in error",
    },
    "es": {
        "apprehended": "Sospechoso detenido",
        "officer_found": "Oficial encontrado",
        "no_longer_useful": "La alerta ya no es útil",
        "issued_in_error": "Emitida por error",
    },
}
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": MONTHS_ES,  # one list of Spanish month names: alerts.texts
}


def ui(lang: str) -> dict[str, str]:
    return UI[lang if lang in UI else "en"]


def trigger_label(trigger: str, lang: str) -> str:
    return ui(lang).get(f"trigger_{trigger}", trigger)


def state_zone(usps: str) -> ZoneInfo:
    """The state's time zone (its capital's): CAP `sent` and the pages use the state's local time."""
    state = us.states.lookup(usps or "")
    return ZoneInfo(getattr(state, "capital_tz", None) or settings.TIME_ZONE)


def local_time(value: datetime | str | None, usps: str) -> datetime | None:
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(state_zone(usps))


def format_time(value: datetime | str | None, usps: str, lang: str) -> str:
    """'May 14, 2026, 9:30 AM CDT' or '14 de mayo de 2026, 09:30 CDT', in the state's time zone."""
    local = local_time(value, usps)
    if local is None:
        return ""
    month = MONTHS["es" if lang == "es" else "en"][local.month - 1]
    zone = local.tzname() or ""
    if lang == "es":
        return f"{local.day} de {month} de {local.year}, {local:%H:%M} {zone}".strip()
    hour = local.hour % 12 or 12
    return f"{month} {local.day}, {local.year}, {hour}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {zone}".strip()
