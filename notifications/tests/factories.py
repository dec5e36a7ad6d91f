"""A minimal factory for alerts and messages (the workflow services are built elsewhere): rows are
created directly, the snapshot by the real alerts.snapshot.alert_snapshot."""

from django.utils import timezone

from agencies.models import County, State
from alerts.models import Alert, Message
from alerts.snapshot import alert_snapshot
from notifications.models import MediaSubscriber, webhook_secret_new


def county(usps: str, fips: str) -> County:
    return County.objects.get(state__usps=usps, fips=fips)


def make_alert(
    *, agency, created_by, statewide=True, counties=(), extra_states=(), is_exercise=False, **fields
) -> Alert:
    defaults = {
        "trigger": Alert.Trigger.INJURED,
        "status": Alert.Status.ACTIVE,
        "headline": "Officer shot in Austin; suspect at large",
        "wea_short_en": "Blue Alert: officer shot in Austin. Suspect at large. Call 911.",
        "wea_long_en": "Blue Alert: an officer was shot in Austin, TX. Suspect drives a red Ford F-150, plate ABC123. Do not approach. Call 911.",
        "wea_short_es": "Alerta Azul: policía herido en Austin. Llame al 911.",
        "wea_long_es": "Alerta Azul: un policía fue herido en Austin, TX. No se acerque. Llame al 911.",
        "description_en": "An officer was shot during a traffic stop.",
        "description_es": "Un policía fue herido.",
        "public_instruction": "Do not approach. Call 911.",
        "tip_line": "1-800-555-0199",
        "case_contact": "Det. Rivera 512-555-0142",
        "case_number": "APD-2026-0042",
        "ncic_number": "W123456789",
        "officer_name": "Officer Jane Doe",
        "officer_release": Alert.OfficerRelease.LAW_ENFORCEMENT,
    }
    defaults.update(fields)
    alert = Alert.objects.create(
        agency=agency,
        state=agency.state,
        created_by=created_by,
        statewide=statewide,
        is_exercise=is_exercise,
        **defaults,
    )
    alert.counties.set(counties)
    alert.extra_states.set([State.objects.get(usps=u) if isinstance(u, str) else u for u in extra_states])
    return alert


def make_message(alert: Alert, *, approved_by, kind: str = Message.Kind.ALERT, note: str = "") -> Message:
    sequence = alert.messages.count() + 1
    return Message.objects.create(
        alert=alert,
        sequence=sequence,
        kind=kind,
        sent_at=timezone.now().replace(microsecond=0),
        is_exercise=alert.is_exercise,
        snapshot=alert_snapshot(alert),
        note=note,
        approved_by=approved_by,
    )


def make_subscriber(
    email: str,
    *,
    states=("TX",),
    counties=(),
    language="en",
    wants_exercises=False,
    status=MediaSubscriber.Status.VERIFIED,
    webhook_url="",
    organisation="",
) -> MediaSubscriber:
    sub = MediaSubscriber.objects.create(
        email=email,
        organisation=organisation or f"Outlet {email.split('@')[0]}",
        outlet_type="tv",
        contact_name="News Desk",
        phone="555-0100",
        language=language,
        wants_exercises=wants_exercises,
        status=status,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret_new() if webhook_url else "",
    )
    sub.states.set(State.objects.filter(usps__in=states))
    sub.counties.set(counties)
    return sub
