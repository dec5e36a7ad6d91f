"""seed_demo: the demo alerts exist in each state of the workflow, made through the services, and a
second run changes nothing."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from alerts.models import Alert, Message
from alerts.selectors import alert_history
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_demo_alerts_through_the_workflow_and_is_idempotent():
    output = run()
    one = Alert.objects.get(case_number="DEMO-1")
    two = Alert.objects.get(case_number="DEMO-2")
    three = Alert.objects.get(case_number="DEMO-3")
    assert one.status == "active" and one.update_state == ""
    assert list(one.messages.values_list("kind", flat=True)) == ["Alert", "Update"]
    assert one.messages.get(kind="Update").approved_by != one.created_by
    assert one.photos.count() == 1
    assert two.status == "resolved" and list(two.messages.values_list("kind", flat=True)) == ["Alert", "Cancel"]
    assert three.status == "pending" and three.state.usps == "NY" and not three.messages.exists()
    assert "alert.update_approved" in alert_history(one).values_list("action", flat=True)
    assert one.agency.status == "verified" and three.agency.ori == "NY0010100"
    assert "bluealert-demo-2026" in output and "carol@dps.texas.example" in output

    counts = (Alert.objects.count(), Message.objects.count(), AuditEvent.objects.count())
    again = run()
    assert (Alert.objects.count(), Message.objects.count(), AuditEvent.objects.count()) == counts
    assert "carol@dps.texas.example" in again and "albert@austin.example" in again


def test_the_demo_personas_can_sign_in_and_stay_in_their_tenancy():
    run()
    for email in (
        "alice@austin.example",
        "albert@austin.example",
        "carol@dps.texas.example",
        "yves@nysp.example",
        "nora@cops.example",
        "maria@albany.example",
        "adam@albany.example",
    ):
        request = RequestFactory().post("/accounts/login/")  # django-axes needs the request
        assert authenticate(request, username=email, password="bluealert-demo-2026") is not None, email
    from accounts.models import User
    from alerts.selectors import alerts_visible_to

    maria = User.objects.get(email="maria@albany.example")  # Albany staff: never Austin's alerts
    assert set(alerts_visible_to(maria).values_list("case_number", flat=True)) == {"DEMO-3"}


def test_seed_demo_adds_verified_newsrooms_that_the_demo_alerts_reached(django_capture_on_commit_callbacks):
    from notifications.models import MediaSubscriber
    from outbox.models import Delivery

    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    newsrooms = MediaSubscriber.objects.filter(status="verified")
    assert newsrooms.count() == 3
    assert "/subscriber/" in output
    kxan = newsrooms.get(email="desk@kxan-demo.example")  # all of Texas
    assert Delivery.objects.filter(subscriber=kxan, message__alert__case_number="DEMO-1", status="sent").exists()
    run()
    assert MediaSubscriber.objects.count() == 3
