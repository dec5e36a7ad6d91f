"""The outbox on its own: workflow notices end to end against a real SMTP server, the queue each row
goes to, and alert-message rows rendered only by the registered content provider."""

import pytest
from celery.signals import before_task_publish
from django.db import transaction

from outbox import content, sweeper, tasks
from outbox.models import Delivery, Notice
from outbox.sending import deliveries_send, stable_mail_id
from outbox.services import email_notify

pytestmark = pytest.mark.django_db

TEMPLATE = "agencies/email/registration_rejected"


def _notify(to, django_capture_on_commit_callbacks, **context):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_notify(
            to=to,
            template=TEMPLATE,
            context={"agency": {"name": "Round Rock PD"}, "reason": "We could not reach you.", **context},
        )


def test_a_notice_reaches_each_address_once_with_a_message_id_that_survives_a_resend(
    smtp_server, django_capture_on_commit_callbacks
):
    _notify(
        ["chief@roundrock.example", "Chief@RoundRock.example", "desk@roundrock.example"],
        django_capture_on_commit_callbacks,
    )

    notice = Notice.objects.get()
    assert smtp_server.handler.count_by_rcpt() == {"chief@roundrock.example": 1, "desk@roundrock.example": 1}
    received = smtp_server.handler.to("chief@roundrock.example")[0]
    expected_id = stable_mail_id(f"notice.{notice.pk}", "addr.chief@roundrock.example")
    assert received["Message-ID"] == expected_id
    assert expected_id.startswith(f"<notice.{notice.pk}.") and expected_id.endswith("@127.0.0.1>")
    assert received["Auto-Submitted"] == "auto-generated"

    # Sent again (the worker died before marking it): the same Message-ID, so mail clients dedupe it.
    row = Delivery.objects.get(address="chief@roundrock.example")
    Delivery.objects.filter(pk=row.pk).update(status=Delivery.Status.QUEUED)
    assert deliveries_send(delivery_ids=[row.pk])["sent"] == 1
    again = smtp_server.handler.to("chief@roundrock.example")[1]
    assert again["Message-ID"] == expected_id


def test_a_rolled_back_notice_leaves_nothing_and_sends_nothing(mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email_notify(to=["chief@roundrock.example"], template=TEMPLATE, context={"agency": {"name": "X"}})
        raise RuntimeError("the change that asked for the mail failed")
    assert not Notice.objects.exists() and not Delivery.objects.exists() and mailoutbox == []


@pytest.fixture
def published():
    """Celery publishes to an in-memory broker instead of running tasks in-process; each publish is
    recorded as (task name, queue, first argument)."""
    from portal.celery import app

    seen: list[tuple[str, str, list]] = []

    def record(sender=None, body=None, routing_key=None, **kwargs):
        seen.append((sender, routing_key, body[0][0] if body and body[0] else None))

    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = "memory://", False
    app._pool = None
    app.amqp._producer_pool = None
    before_task_publish.connect(record)
    try:
        yield seen
    finally:
        before_task_publish.disconnect(record)
        app.conf.broker_url, app.conf.task_always_eager = before
        app._pool = None
        app.amqp._producer_pool = None


def test_the_sweeper_requeues_each_row_on_its_own_queue(published, django_capture_on_commit_callbacks):
    notice = Notice.objects.create(template=TEMPLATE, subject="s", body_text="t")
    urgent = Delivery.objects.create(
        notice=notice, recipient_key="addr.a@x.example", address="a@x.example", audience="workflow", priority=True
    )
    bulk = Delivery.objects.create(
        notice=notice, recipient_key="addr.b@x.example", address="b@x.example", audience="workflow", priority=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliveries_sweep() == {"reset": 0, "requeued": 2}

    assert sorted(published) == [
        ("outbox.tasks.deliveries_send", "bulk", [bulk.pk]),
        ("outbox.tasks.deliveries_send", "priority", [urgent.pk]),
    ]
    assert sweeper.deliveries_sweep()["requeued"] == 0  # just queued: left alone until stale


class _FakeContent:
    """A content provider the way the planning layer supplies one (notifications registers the real one)."""

    select_related = ("message",)

    def email(self, delivery):
        return content.EmailContent(
            subject=f"Message {delivery.message.sequence}",
            text="body",
            html="<p>body</p>",
            headers={"In-Reply-To": "<first@example.org>"},
        )

    def webhook(self, delivery, *, sent_at):
        raise AssertionError("no webhook here")


@pytest.fixture
def message_row(alice, carol, agency_a):
    from notifications.tests.factories import make_alert, make_message

    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)
    return Delivery.objects.create(
        message=message,
        recipient_key="addr.desk@kxan.example",
        address="desk@kxan.example",
        audience="media",
        smtp_message_id="<m1.abc@127.0.0.1>",
    )


def test_an_alert_message_row_is_rendered_by_the_registered_provider(monkeypatch, message_row, mailoutbox):
    monkeypatch.setattr(content, "_provider", _FakeContent())

    assert deliveries_send(delivery_ids=[message_row.pk])["sent"] == 1

    (mail,) = mailoutbox
    assert (mail.subject, mail.to, mail.body) == ("Message 1", ["desk@kxan.example"], "body")
    assert mail.extra_headers["In-Reply-To"] == "<first@example.org>"
    assert mail.extra_headers["Message-ID"] == "<m1.abc@127.0.0.1>"


def test_without_a_provider_an_alert_message_row_fails_for_good_and_says_why(monkeypatch, message_row, mailoutbox):
    monkeypatch.setattr(content, "_provider", None)

    assert deliveries_send(delivery_ids=[message_row.pk]) == {"sent": 0, "retry": [], "retry_in": 0.0, "failed": 1}

    message_row.refresh_from_db()
    assert message_row.status == "failed_perm" and "No content provider" in message_row.last_error
    assert mailoutbox == []
