"""Alert builders for the alerts tests: every alert is made through the services, as in production."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import State
from alerts import services
from alerts.models import Criterion


def fresh():
    """A re-authentication time inside the 15-minute window."""
    return timezone.now() - timedelta(minutes=1)


def stale():
    return timezone.now() - timedelta(minutes=16)


def required_keys(state) -> set[str]:
    return set(Criterion.objects.filter(state=state, required=True, is_active=True).values_list("key", flat=True))


def make_draft(user, agency, *, exercise=False, plate="ABC1234", name="John Doe", trigger="injured"):
    alert = services.alert_create(actor=user, agency=agency, trigger=trigger, is_exercise=exercise)
    services.alert_save_draft(
        actor=user,
        alert=alert,
        fields={
            "incident_at": timezone.now() - timedelta(hours=1),
            "incident_city": agency.city,
            "incident_address": "500 Congress Ave",
            "last_seen_place": "I-35 and 6th St",
            "direction": "N",
            "travel_mode": "vehicle",
            "case_number": "2026-000123",
            "officer_name": "Officer Jane Roe",
            "private_notes": "Informant says the suspect has family in Waco.",
        },
        suspects=[
            {
                "name": name,
                "sex": "Male",
                "race": "White",
                "age": 34,
                "height": "5'11\"",
                "weight": "180 lb",
                "clothing": "black hoodie, jeans",
                "armed_and_dangerous": True,
            }
        ],
        vehicles=[
            {
                "year": 2019,
                "make": "Ford",
                "model": "F-150",
                "color": "Black",
                "plate": plate,
                "plate_state": State.objects.get(usps=agency.state.usps),
            }
        ]
        if plate
        else [],
        regenerate_texts=True,
    )
    services.alert_attest(actor=user, alert=alert, keys=required_keys(agency.state))
    alert.refresh_from_db()
    return alert


def make_pending(user, agency, **kw):
    alert = make_draft(user, agency, **kw)
    return services.alert_submit(actor=user, alert=alert)


def make_active(user, agency, approver, **kw):
    alert = make_pending(user, agency, **kw)
    services.alert_approve(actor=approver, alert=alert, reauthenticated_at=fresh())
    alert.refresh_from_db()
    return alert


def run_mail(callbacks) -> None:
    """Run the captured after-commit mail sends, and only those (publishing and distribution are
    asserted as scheduled, and run by their own issues' tests)."""
    for cb in callbacks:
        if not cb.__qualname__.startswith("message_approved"):
            cb()


def publishing_callbacks(callbacks) -> list:
    # The receivers of alerts.events.message_approved: publishing and distribution.
    return [
        cb for cb in callbacks if cb.__qualname__.split(".")[0] in ("publish_after_commit", "distribute_after_commit")
    ]


@pytest.fixture
def draft(alice, agency_a):
    return make_draft(alice, agency_a)


@pytest.fixture
def pending(alice, agency_a, carol, cora):
    return make_pending(alice, agency_a)


@pytest.fixture
def active(alice, agency_a, carol, cora):
    return make_active(alice, agency_a, carol)
