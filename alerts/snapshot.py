"""The frozen content of an alert, as a message carries it, and the views cut from it.

Every public output (page, CAP, feed, JSON, email to the media) is rendered from `public_view`;
law-enforcement mail from `law_enforcement_view`. Neither ever reads the working copy, so what
goes out is exactly what a coordinator approved.
"""

from typing import Any

from .models import Alert

INTERNAL_FIELDS = ("case_number", "ncic_number", "warrant_status", "case_contact", "private_notes")


def _dt(value) -> str | None:
    return value.isoformat() if value else None


def _num(value) -> float | None:
    return float(value) if value is not None else None


def alert_snapshot(alert: Alert) -> dict[str, Any]:
    """Everything about the alert, internal fields under "internal", the officer under "officer"."""
    suspects = list(alert.suspects.all())
    vehicles = list(alert.vehicles.all())
    # Looked up by a photo's suspect_id / vehicle_id, None when it shows neither.
    suspect_index: dict[int | None, int] = {s.pk: i for i, s in enumerate(suspects)}
    vehicle_index: dict[int | None, int] = {v.pk: i for i, v in enumerate(vehicles)}
    return {
        "version": 1,
        "public_id": str(alert.public_id),
        "status": alert.status,
        "trigger": alert.trigger,
        "trigger_label": alert.get_trigger_display(),
        "state": {"usps": alert.state.usps, "name": alert.state.name, "fips": alert.state.fips},
        "extra_states": [{"usps": s.usps, "name": s.name, "fips": s.fips} for s in alert.extra_states.order_by("usps")],
        "agency": {"name": alert.agency.name, "phone": alert.agency.phone},
        "incident": {
            "at": _dt(alert.incident_at),
            "address": alert.incident_address,
            "city": alert.incident_city,
            "county": alert.incident_county.name if alert.incident_county else "",
            "lat": _num(alert.incident_lat),
            "lon": _num(alert.incident_lon),
        },
        "last_seen": {
            "place": alert.last_seen_place,
            "at": _dt(alert.last_seen_at),
            "lat": _num(alert.last_seen_lat),
            "lon": _num(alert.last_seen_lon),
            "direction": alert.direction,
            "direction_label": alert.get_direction_display() if alert.direction else "",
            "travel_mode": alert.travel_mode,
            "travel_mode_label": alert.get_travel_mode_display() if alert.travel_mode else "",
        },
        "public_instruction": alert.public_instruction,
        "tip_line": alert.tip_line,
        "statewide": alert.statewide,
        "counties": [
            {"name": c.name, "fips": c.fips, "same": f"0{alert.state.fips}{c.fips}"}
            for c in alert.counties.select_related("state").order_by("name")
        ],
        "expires_at": _dt(alert.expires_at),
        "texts": {
            "headline": alert.headline,
            "wea_short_en": alert.wea_short_en,
            "wea_long_en": alert.wea_long_en,
            "wea_short_es": alert.wea_short_es,
            "wea_long_es": alert.wea_long_es,
            "eas_script": alert.eas_script,
            "description_en": alert.description_en,
            "description_es": alert.description_es,
        },
        "suspects": [
            {
                "name": s.name,
                "aliases": s.aliases,
                "age": s.age,
                "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None,
                "sex": s.sex,
                "race": s.race,
                "height": s.height,
                "weight": s.weight,
                "hair": s.hair,
                "eyes": s.eyes,
                "clothing": s.clothing,
                "marks": s.marks,
                "armed_and_dangerous": s.armed_and_dangerous,
            }
            for s in suspects
        ],
        "vehicles": [
            {
                "year": v.year,
                "make": v.make,
                "model": v.model,
                "color": v.color,
                "body_style": v.body_style,
                "plate": v.plate,
                "plate_partial": v.plate_partial,
                "plate_state": v.plate_state.usps if v.plate_state else "",
                "features": v.features,
            }
            for v in vehicles
        ],
        "photos": [
            {
                "public_id": str(p.public_id),
                "path": p.web_image.name,
                "size": p.size,
                "sha256": p.sha256,
                "mime": "image/jpeg",
                "width": p.width,
                "height": p.height,
                "caption": p.caption,
                "suspect": suspect_index.get(p.suspect_id),
                "vehicle": vehicle_index.get(p.vehicle_id),
            }
            for p in alert.photos.filter(removed=False)
        ],
        "officer": {
            "name": alert.officer_name,
            "description": alert.officer_description,
            "release": alert.officer_release,
        },
        "outcome": alert.outcome,
        "outcome_label": alert.get_outcome_display() if alert.outcome else "",
        "outcome_note": alert.outcome_note,
        "internal": {f: getattr(alert, f) for f in INTERNAL_FIELDS},
    }


def public_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the public may see: no internal fields; the officer only when released to the public."""
    view = {k: v for k, v in snapshot.items() if k not in ("internal", "officer")}
    officer = snapshot.get("officer") or {}
    view["officer"] = officer if officer.get("release") == Alert.OfficerRelease.PUBLIC else None
    return view


def law_enforcement_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Law-enforcement recipients also get the case contact, case number and NCIC number, and the
    officer when released to law enforcement. Private notes stay in the portal."""
    view = public_view(snapshot)
    internal = snapshot.get("internal") or {}
    view["law_enforcement"] = {
        k: internal.get(k, "") for k in ("case_number", "ncic_number", "warrant_status", "case_contact")
    }
    officer = snapshot.get("officer") or {}
    if officer.get("release") in (Alert.OfficerRelease.LAW_ENFORCEMENT, Alert.OfficerRelease.PUBLIC):
        view["officer"] = officer
    return view
