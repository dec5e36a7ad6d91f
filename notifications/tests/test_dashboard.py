"""The delivery dashboard: counts, live progress JSON, failures and "retry failed"."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Delivery

from .factories import make_alert, make_message, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(alice, carol, agency_a, smtp_server, distribute):
    make_subscriber("ok@tx.example")
    make_subscriber("nosuch@tx.example")
    smtp_server.handler.refuse = {"nosuch@tx.example": "550 5.1.1 No such user"}
    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)
    distribute(message)
    smtp_server.handler.refuse = {}
    return message


def test_the_coordinator_sees_counts_failures_and_a_live_progress_bar(carol, login, message):
    client = login(carol)
    response = client.get(reverse("notifications:delivery-dashboard", args=[message.message_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<progress" in body and "notifications/delivery_dashboard.js" in body and "<script>" not in body
    assert "nosuch@tx.example" in body and "550 5.1.1 No such user" in body and "Retry failed" in body

    data = client.get(reverse("notifications:delivery-progress", args=[message.message_id])).json()
    assert data == {"total": 3, "sent": 2, "queued": 0, "retrying": 0, "failed": 1, "pending": 0, "done": True}


def test_retry_failed_sends_the_failed_ones_again_and_is_audited(
    carol, login, message, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(carol).post(reverse("notifications:delivery-retry", args=[message.message_id]))
    assert response.status_code == 302
    assert Delivery.objects.get(address="nosuch@tx.example").status == "sent"
    assert len(smtp_server.handler.to("nosuch@tx.example")) == 1
    assert len(smtp_server.handler.to("ok@tx.example")) == 1
    event = AuditEvent.objects.get(action="deliveries.retried")
    assert event.actor == carol and event.changes == {"deliveries": 1}


def test_a_national_admin_sees_the_dashboard_but_cannot_retry(nora, login, message):
    client = login(nora)
    body = client.get(reverse("notifications:delivery-dashboard", args=[message.message_id])).content.decode()
    assert "nosuch@tx.example" in body and "Retry failed" not in body
    assert client.post(reverse("notifications:delivery-retry", args=[message.message_id])).status_code == 302
    assert Delivery.objects.get(address="nosuch@tx.example").status == "failed_perm"
    assert not AuditEvent.objects.filter(action="deliveries.retried").exists()


def test_another_states_coordinator_and_mallory_get_a_404(yves, mallory, login, message):
    for user in (yves, mallory):
        client = login(user)
        assert client.get(reverse("notifications:delivery-dashboard", args=[message.message_id])).status_code == 404
        assert client.get(reverse("notifications:delivery-progress", args=[message.message_id])).status_code == 404
        assert client.post(reverse("notifications:delivery-retry", args=[message.message_id])).status_code == 404
    assert Delivery.objects.get(address="nosuch@tx.example").status == "failed_perm"
