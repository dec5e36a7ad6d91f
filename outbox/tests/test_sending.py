"""Sending against a real SMTP server (aiosmtpd) and a real HTTP server: outcomes, retries, sweeping.

End to end from an approved alert message (planned by notifications, the layer above), so the
content provider it registers is exercised too; outbox-only cases are in test_outbox.py."""

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from notifications.services import message_deliveries_create, message_distribute
from notifications.tests.factories import make_alert, make_message, make_subscriber
from outbox import tasks
from outbox.models import Delivery
from outbox.sending import backoff_seconds, deliveries_send, webhook_signature
from outbox.sweeper import deliveries_sweep

from .conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def distribute(django_capture_on_commit_callbacks):
    """distribute(message): plan and send a message as the after-commit hook would (tasks in-process)."""

    def _run(message):
        with django_capture_on_commit_callbacks(execute=True):
            return message_distribute(message_id=message.pk)

    return _run


@pytest.fixture
def message(alice, carol, agency_a):
    return make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)


def test_accepted_mail_is_sent_once_over_one_connection_with_html_and_text(message, smtp_server, distribute):
    for i in range(3):
        make_subscriber(f"n{i}@tx.example")

    distribute(message)

    assert sorted(smtp_server.handler.count_by_rcpt().values()) == [1, 1, 1, 1]
    received = smtp_server.handler.to("n0@tx.example")[0]
    assert received["Subject"].strip() == "BLUE ALERT – Texas – Officer shot in Austin; suspect at large"
    assert {part.get_content_type() for part in received.walk()} >= {"text/plain", "text/html"}
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.filter(message=message, status="sent").count() == 4


def test_a_5xx_refusal_fails_permanently_and_a_4xx_one_retries_later(message, smtp_server, distribute, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    make_subscriber("ok@tx.example")
    make_subscriber("nosuch@tx.example")
    make_subscriber("busy@tx.example")
    smtp_server.handler.refuse = {
        "nosuch@tx.example": "550 5.1.1 No such user",
        "busy@tx.example": "451 4.3.0 Try again later",
    }

    distribute(message)

    perm = Delivery.objects.get(address="nosuch@tx.example")
    temp = Delivery.objects.get(address="busy@tx.example")
    assert perm.status == "failed_perm" and "550" in perm.last_error
    assert temp.status == "failed_temp" and "451" in temp.last_error
    assert timezone.now() + timedelta(seconds=25) < temp.next_attempt_at < timezone.now() + timedelta(seconds=61)
    assert Delivery.objects.get(address="ok@tx.example").status == "sent"

    smtp_server.handler.refuse = {}
    assert deliveries_send(delivery_ids=[temp.pk])["sent"] == 0  # not due yet
    Delivery.objects.filter(pk=temp.pk).update(next_attempt_at=timezone.now())
    assert deliveries_send(delivery_ids=[temp.pk, perm.pk])["sent"] == 1  # the permanent one is not retried
    temp.refresh_from_db()
    perm.refresh_from_db()
    assert (temp.status, temp.attempts, perm.status) == ("sent", 2, "failed_perm")
    assert len(smtp_server.handler.to("busy@tx.example")) == 1


def test_a_stopped_smtp_server_delays_mail_until_it_returns(message, smtp_server, distribute, settings):
    make_subscriber("n@tx.example")
    smtp_server.stop()

    distribute(message)

    rows = Delivery.objects.filter(message=message)
    assert set(rows.values_list("status", flat=True)) == {"failed_temp"}
    assert "ConnectionRefusedError" in rows.first().last_error

    smtp_server.start()
    rows.update(next_attempt_at=timezone.now() - timedelta(seconds=1), enqueued_at=timezone.now() - timedelta(hours=1))
    result = deliveries_sweep()
    assert result["requeued"] == 2
    # The sweeper's tasks run after commit; run the send directly as the worker would.
    deliveries_send(delivery_ids=list(rows.values_list("pk", flat=True)))
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert smtp_server.handler.count_by_rcpt() == {"n@tx.example": 1, "alice@austin.example": 1}


def test_a_row_stuck_in_flight_is_requeued_by_the_sweeper_and_sent_once(
    message, mailoutbox, settings, django_capture_on_commit_callbacks
):
    make_subscriber("n@tx.example")
    ids = message_deliveries_create(message_id=message.pk)
    stale = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_STUCK_SECONDS + 5)
    Delivery.objects.filter(pk__in=ids).update(status="sending", claimed_at=stale, claim_token=None)
    assert deliveries_send(delivery_ids=ids)["sent"] == 0  # held by the (dead) claimant

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.deliveries_sweep()

    assert result == {"reset": 2, "requeued": 2}
    assert set(Delivery.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    assert len(mailoutbox) == 2


def test_temporary_failures_give_up_after_the_attempt_limit(message, smtp_server, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    make_subscriber("n@tx.example")
    smtp_server.handler.refuse = {"n@tx.example": "451 busy"}
    ids = message_deliveries_create(message_id=message.pk)
    row = Delivery.objects.get(address="n@tx.example")
    deliveries_send(delivery_ids=[row.pk])
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=None)
    deliveries_send(delivery_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == "failed_perm" and row.last_error.startswith("gave up after 2 attempts")
    assert ids


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 100
    assert 5 <= backoff_seconds(1) <= 10
    assert 20 <= backoff_seconds(3) <= 40
    assert 50 <= backoff_seconds(9) <= 100
    assert len({backoff_seconds(3) for _ in range(20)}) > 1


class _Hook(BaseHTTPRequestHandler):
    status = 204
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    _Hook.received = []
    _Hook.status = 204
    server = HTTPServer(("127.0.0.1", free_port()), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, _Hook
    finally:
        server.shutdown()
        server.server_close()


def test_a_webhook_receives_the_alert_signed_as_standard_webhooks_says(message, hook_server, distribute, mailoutbox):
    server, hook = hook_server
    url = f"http://127.0.0.1:{server.server_port}/hook"
    sub = make_subscriber("desk@tx.example", webhook_url=url)
    type(message).objects.filter(pk=message.pk).update(cap_xml="<alert>cap</alert>")

    distribute(message)

    ((headers, body),) = hook.received
    headers = {k.lower(): v for k, v in headers.items()}
    key = base64.b64decode(sub.webhook_secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == expected
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    payload = json.loads(body)
    assert payload["data"]["message_id"] == str(message.message_id)
    assert payload["data"]["cap_xml"] == "<alert>cap</alert>"
    assert "internal" not in payload["data"]["alert"] and "case_contact" not in body.decode()
    assert Delivery.objects.get(message=message, channel="webhook").status == "sent"
    assert len([m for m in mailoutbox if m.to == [sub.email]]) == 1  # email too: two channels
    assert (
        webhook_signature(sub.webhook_secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
        == expected
    )


def test_a_webhook_5xx_retries_and_a_4xx_fails_permanently(message, hook_server, distribute):
    server, hook = hook_server
    make_subscriber("a@tx.example", webhook_url=f"http://127.0.0.1:{server.server_port}/a")
    hook.status = 503
    distribute(message)
    row = Delivery.objects.get(channel="webhook")
    assert row.status == "failed_temp" and "503" in row.last_error

    hook.status = 410
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=None)
    deliveries_send(delivery_ids=[row.pk])
    row.refresh_from_db()
    assert row.status == "failed_perm" and "410" in row.last_error
