"""Rows for the public-site tests, built directly (the workflow's own tests go through services).

`make_alert` fills every field, with unique marker strings in the internal ones so the privacy test
can search every public artifact for them; `approve` freezes a message the way the workflow does:
snapshot, kind, sequence, whole-second sent_at, approver, and the alert's new status.
"""

import hashlib
import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from agencies.models import County, State
from alerts.models import Alert, Message, Photo, Suspect, Vehicle
from alerts.snapshot import alert_snapshot

PRIVATE_MARKERS = {
    "case_number": "CASE-PRIV-7731",
    "ncic_number": "NCIC-PRIV-4410",
    "case_contact": "Det. Hidden Contact 555-0142",
    "private_notes": "PRIVNOTE informant lives on Elm",
    "officer_name": "Officer Secretname Privato",
    "officer_description": "OFFDESC badge 0451 private",
}


def jpeg_bytes(color=(200, 30, 30), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=80)
    return out.getvalue()


def add_photo(alert: Alert, user, *, suspect=None, vehicle=None, color=(200, 30, 30), caption="") -> Photo:
    data = jpeg_bytes(color)
    photo = Photo(
        alert=alert,
        suspect=suspect,
        vehicle=vehicle,
        uploaded_by=user,
        caption=caption,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    photo.image.save("original.jpg", ContentFile(data), save=False)
    photo.web_image.save("web.jpg", ContentFile(data), save=False)
    photo.width, photo.height = 64, 48
    photo.save()
    return photo


def make_alert(
    agency,
    user,
    *,
    exercise=False,
    status=Alert.Status.DRAFT,
    counties=("453", "491"),
    statewide=False,
    extra_states=(),
    private=True,
    last_seen_coords=True,
    photos=True,
) -> Alert:
    """A fully filled alert of `agency` (Travis and Williamson counties in Texas by default)."""
    now = timezone.now().replace(microsecond=0)
    alert = Alert.objects.create(
        agency=agency,
        state=agency.state,
        status=status,
        is_exercise=exercise,
        trigger=Alert.Trigger.INJURED,
        incident_at=now - timedelta(hours=2),
        incident_address="500 Congress Ave",
        incident_city="Austin",
        incident_county=agency.county,
        incident_lat=Decimal("30.268000"),
        incident_lon=Decimal("-97.742000"),
        case_number=PRIVATE_MARKERS["case_number"] if private else "",
        ncic_number=PRIVATE_MARKERS["ncic_number"] if private else "",
        warrant_status=Alert.Warrant.ISSUED,
        case_contact=PRIVATE_MARKERS["case_contact"] if private else "",
        private_notes=PRIVATE_MARKERS["private_notes"] if private else "",
        last_seen_place="I-35 northbound at Round Rock",
        last_seen_at=now - timedelta(hours=1),
        last_seen_lat=Decimal("30.508300") if last_seen_coords else None,
        last_seen_lon=Decimal("-97.678900") if last_seen_coords else None,
        direction=Alert.Direction.N,
        travel_mode=Alert.TravelMode.VEHICLE,
        officer_name=PRIVATE_MARKERS["officer_name"] if private else "Officer Jane Roe",
        officer_description=PRIVATE_MARKERS["officer_description"] if private else "",
        officer_release=Alert.OfficerRelease.PRIVATE,
        public_instruction="Do not approach. Call 911 or 1-800-555-0199.",
        tip_line="1-800-555-0199",
        statewide=statewide,
        expires_at=now + timedelta(hours=24),
        headline="BLUE ALERT: Austin PD officer shot; suspect fled north on I-35 in a black Ford F-150",
        wea_short_en="Blue Alert: officer shot. Black Ford F-150 TX ABC1234. Call 911",
        wea_long_en="Blue Alert in Travis County: officer shot. Suspect John Doe, 34, in black Ford F-150 TX plate ABC1234, last seen I-35 northbound. Do not approach. Call 911.",
        wea_short_es="Alerta Azul: oficial herido. Ford F-150 negra TX ABC1234. Llame al 911",
        wea_long_es="Alerta Azul en el condado de Travis: oficial herido. Sospechoso John Doe, 34, en Ford F-150 negra placa TX ABC1234. No se acerque. Llame al 911.",
        eas_script="This is a Blue Alert from the Texas Department of Public Safety.",
        description_en="An Austin police officer was shot during a traffic stop. The suspect fled north.",
        description_es="Un oficial de policía de Austin recibió un disparo. El sospechoso huyó hacia el norte.",
        created_by=user,
    )
    state = agency.state
    if counties:
        alert.counties.set(County.objects.filter(state=state, fips__in=counties))
    if extra_states:
        alert.extra_states.set(State.objects.filter(usps__in=extra_states))
    suspect = Suspect.objects.create(
        alert=alert,
        name="John Doe",
        aliases="JD",
        age=34,
        sex="Male",
        race="White",
        height="5'11\"",
        weight="180 lb",
        hair="Brown",
        eyes="Blue",
        clothing="black hoodie, jeans",
        marks="tattoo on left forearm",
    )
    vehicle = Vehicle.objects.create(
        alert=alert,
        year=2019,
        make="Ford",
        model="F-150",
        color="Black",
        body_style="Pickup",
        plate="ABC1234",
        plate_state=state,
        features="dent in tailgate",
    )
    if photos:
        add_photo(alert, user, suspect=suspect, caption="John Doe")
        add_photo(alert, user, vehicle=vehicle, color=(10, 10, 10))
    return alert


def approve(
    alert: Alert, approver, *, kind=Message.Kind.ALERT, status=Alert.Status.ACTIVE, note="", sent_at=None
) -> Message:
    """Freeze a message of the alert as the workflow's approval does, and set the alert's status."""
    sent_at = (sent_at or timezone.now()).replace(microsecond=0)
    Alert.objects.filter(pk=alert.pk).update(status=status)
    alert.refresh_from_db()
    sequence = alert.messages.count() + 1
    message = Message.objects.create(
        alert=alert,
        sequence=sequence,
        kind=kind,
        sent_at=sent_at,
        is_exercise=alert.is_exercise,
        snapshot=alert_snapshot(alert),
        note=note,
        approved_by=approver,
    )
    return message


def end(
    alert: Alert,
    approver,
    *,
    status=Alert.Status.RESOLVED,
    outcome=Alert.Outcome.APPREHENDED,
    note="Suspect arrested in Waco without incident.",
    sent_at=None,
) -> Message:
    """Resolve or cancel: record the outcome, then freeze the Cancel message."""
    sent_at = (sent_at or timezone.now()).replace(microsecond=0)
    Alert.objects.filter(pk=alert.pk).update(outcome=outcome, outcome_note=note, ended_at=sent_at)
    alert.refresh_from_db()
    return approve(alert, approver, kind=Message.Kind.CANCEL, status=status, note=note, sent_at=sent_at)
