"""Every write of the outbox that is not sending itself: workflow mail and putting failed rows back.

`email_notify` is the one way any app sends a workflow email; it goes through the outbox like an
alert message does, so it is recorded, retried and visible.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Delivery, Notice
from .sending import stable_mail_id
from .tasks import deliveries_enqueue


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) from templates/<template>.subject.txt, .txt and .html."""
    ctx = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", ctx).split())
    text = render_to_string(f"{template}.txt", ctx)
    html = render_to_string(f"{template}.html", ctx)
    return subject, text, html


def notice_create(
    *, to: Iterable[str], template: str, context: dict[str, Any], headers: dict[str, str] | None = None
) -> Notice | None:
    """Render a workflow email once and queue one Delivery per address, sent after commit.

    Transition: (none) -> Notice + Delivery rows `queued` on the priority queue, each with a stable
    Message-ID. Side effect: a send task on the priority queue after the current transaction commits
    (a rollback leaves no row and sends nothing). Not idempotent: each call is one notice.
    """
    recipients = sorted({addr.strip().lower() for addr in to if addr and addr.strip()})
    if not recipients:
        return None
    subject, text, html = render_email(template, context)
    with transaction.atomic():
        notice = Notice.objects.create(
            template=template, subject=subject[:300], body_text=text, body_html=html, headers=headers or {}
        )
        rows = Delivery.objects.bulk_create(
            [
                Delivery(
                    notice=notice,
                    recipient_key=f"addr.{addr}",
                    channel=Delivery.Channel.EMAIL,
                    audience=Delivery.Audience.WORKFLOW,
                    address=addr,
                    priority=True,
                    smtp_message_id=stable_mail_id(f"notice.{notice.pk}", f"addr.{addr}"),
                )
                for addr in recipients
            ]
        )
        ids = (
            [row.pk for row in rows]
            if all(row.pk for row in rows)
            else list(notice.deliveries.values_list("pk", flat=True))
        )
        deliveries_enqueue(ids, priority=True)
    return notice


def email_notify(*, to: Iterable[str], template: str, context: dict[str, Any]) -> None:
    """Send a workflow email to each address, after the current transaction commits.

    Rendered now (the context may hold model instances), recorded in the outbox in the caller's
    transaction and sent after commit, so a rolled-back change sends nothing; temporary failures are
    retried like alert deliveries. One message per recipient so addresses are never disclosed to
    each other. Not idempotent: each call is one email per address.
    """
    notice_create(to=to, template=template, context=context)


def deliveries_retry_failed(*, message_id: int) -> list[int]:
    """Send again every failed delivery of one alert message (the caller checks who may, and audits).

    Transition: failed_perm | failed_temp -> queued (attempts reset). Side effect: send tasks on the
    priority queue after commit. Returns the ids put back. Safe to repeat (a second call finds nothing
    failed and changes nothing).
    """
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(message_id=message_id)
            .failed()
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Delivery.objects.filter(
            pk__in=ids, status__in=[Delivery.Status.FAILED_PERM, Delivery.Status.FAILED_TEMP]
        ).update(
            status=Delivery.Status.QUEUED,
            attempts=0,
            next_attempt_at=None,
            enqueued_at=timezone.now(),
            claim_token=None,
        )
        deliveries_enqueue(ids, priority=True)
    return ids
