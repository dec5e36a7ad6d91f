"""Helpers shared by the API tests: token clients per persona, a published alert, DB fingerprints."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _api_unthrottled(settings):
    """Throttle state lives in the cache: start each test clean, with rates no test reaches."""
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    yield
    cache.clear()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient sending that user's token; api_as(None) -> anonymous."""

    def _client(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return _client


def make_published_alert(
    agency,
    user,
    *,
    status="active",
    is_exercise=False,
    headline="Blue Alert: armed suspect",
    officer_release="private",
    messages=("Alert",),
):
    """An alert as if the workflow had approved it: rows and messages frozen from the snapshot.

    Test data only; the real transitions are the services' and are exercised by the workflow tests.
    """
    from alerts.models import Alert, Message, Suspect, Vehicle
    from alerts.snapshot import alert_snapshot

    alert = Alert.objects.create(
        agency=agency,
        state=agency.state,
        status=status,
        is_exercise=is_exercise,
        trigger=Alert.Trigger.INJURED,
        incident_at=timezone.now(),
        incident_city="Austin",
        case_number="CASE-SECRET-42",
        private_notes="Informant is the cousin",
        case_contact="Det. Secret 555-0000",
        officer_name="Officer Hidden",
        officer_release=officer_release,
        headline=headline,
        public_instruction="Do not approach. Call 911.",
        tip_line="1-800-555-0199",
        created_by=user,
    )
    Suspect.objects.create(alert=alert, name="John Roe", age=34, armed_and_dangerous=True)
    Vehicle.objects.create(alert=alert, make="Ford", model="F-150", color="Black", plate="ABC1*34", plate_partial=True)
    for sequence, kind in enumerate(messages, start=1):
        Message.objects.create(
            alert=alert,
            sequence=sequence,
            kind=kind,
            sent_at=timezone.now().replace(microsecond=0),
            is_exercise=is_exercise,
            snapshot=alert_snapshot(alert),
            approved_by=user,
        )
    return alert
