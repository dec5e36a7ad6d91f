"""Sending claimed deliveries: one SMTP connection per chunk, each row marked right after its send.

Marking each row as soon as the server accepted it bounds the duplicates a killed worker can cause
to one message per worker process (the one sent but not yet marked). Queuing is not done here
(outbox.tasks schedules, this module only sends), so the tasks can import it and nothing here
imports them.
"""

import base64
import contextlib
import hashlib
import hmac
import logging
import random
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from email.mime.image import MIMEImage
from typing import TypedDict
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from .content import EmailContent, message_content, related_to_load
from .models import Delivery, Notice

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later (4xx SMTP reply, connection refused, HTTP 5xx/429)."""


class PermanentFailure(Exception):
    """Never going to work as it is (5xx SMTP reply, HTTP 4xx, nothing to sign with)."""


class SendResult(TypedDict):
    sent: int
    retry: list[int]
    retry_in: float
    failed: int


# --- stable Message-IDs ----------------------------------------------------------------------


def mail_domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def recipient_hash(recipient_key: str) -> str:
    return hashlib.sha256(recipient_key.encode()).hexdigest()[:20]


def stable_mail_id(local: str, recipient_key: str) -> str:
    """The Message-ID of one message to one recipient: deterministic, so a re-send after a crash
    carries the same id and a later message can refer to the recipient's earlier one."""
    return f"<{local}.{recipient_hash(recipient_key)}@{mail_domain()}>"


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, then between half and all of it."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


# --- email -----------------------------------------------------------------------------------


def _notice_content(notice: Notice) -> EmailContent:
    return EmailContent(
        subject=notice.subject, text=notice.body_text, html=notice.body_html, headers=dict(notice.headers or {})
    )


def build_email(delivery: Delivery) -> EmailMultiAlternatives:
    """The email of one delivery: its content (the notice's, or the registered provider's for an
    alert message) plus the outbox's own headers."""
    content = _notice_content(delivery.notice) if delivery.notice is not None else message_content().email(delivery)
    headers = {"Message-ID": delivery.smtp_message_id, "Auto-Submitted": "auto-generated", **content.headers}
    if not headers["Message-ID"]:
        del headers["Message-ID"]  # rows made before ids were stable: let Django make one
    email = EmailMultiAlternatives(
        content.subject, content.text, settings.DEFAULT_FROM_EMAIL, [delivery.address], headers=headers
    )
    if content.html:
        email.attach_alternative(content.html, "text/html")
    if content.images:
        email.mixed_subtype = "related"  # type: ignore[attr-defined]  # Django 5.2 has it; django-stubs do not
        for image in content.images:
            part = MIMEImage(image.data, image.subtype)
            part.add_header("Content-ID", f"<{image.content_id}>")
            part.add_header("Content-Disposition", "inline", filename=image.filename)
            email.attach(part)
    return email


def _smtp_failure(exc: Exception) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()] or [550]
        code, text = next(iter(exc.recipients.values()), (550, b""))
        msg = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        return TemporaryFailure(msg) if all(400 <= c < 500 for c in codes) else PermanentFailure(msg)
    if isinstance(exc, smtplib.SMTPResponseException):
        err = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        msg = f"{exc.smtp_code} {err}"
        return TemporaryFailure(msg) if 400 <= exc.smtp_code < 500 else PermanentFailure(msg)
    return TemporaryFailure(f"{type(exc).__name__}: {exc}")


# --- webhooks -------------------------------------------------------------------------------


def webhook_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), key = base64 after whsec_."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def webhook_post(delivery: Delivery) -> None:
    """POST the message to the row's webhook URL, signed as the Standard Webhooks spec says."""
    if urllib.parse.urlparse(delivery.address).scheme not in ("http", "https"):
        raise PermanentFailure("webhook URL must be http or https")
    if delivery.message_id is None:
        raise PermanentFailure("only alert messages are sent to webhooks")
    now = timezone.now()
    content = message_content().webhook(delivery, sent_at=now)
    if not content.secret:
        raise PermanentFailure("the subscriber has no webhook secret")
    msg_id = "msg_" + delivery.smtp_message_id.strip("<>").split("@")[0]
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310 - scheme checked above and when the URL is saved
        delivery.address,
        data=content.body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"{settings.SITE_NAME} webhooks",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhook_signature(content.secret, msg_id, timestamp, content.body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=settings.NOTIFICATIONS_WEBHOOK_TIMEOUT) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        msg = f"HTTP {exc.code} from the webhook"
        if exc.code >= 500 or exc.code in (408, 425, 429):
            raise TemporaryFailure(msg) from None
        raise PermanentFailure(msg) from None
    except (urllib.error.URLError, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None


# --- the chunk --------------------------------------------------------------------------------


def _claim(ids: list[int]) -> tuple[uuid.UUID, list[Delivery]]:
    token = uuid.uuid4()
    now = timezone.now()
    Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk__in=ids,
        status__in=[Delivery.Status.QUEUED, Delivery.Status.FAILED_TEMP],
    ).update(status=Delivery.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    rows = list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING)
        .select_related("notice", *related_to_load())
        .order_by("pk")
    )
    return token, rows


def _mark_sent(row: Delivery, token: uuid.UUID) -> None:
    Delivery.objects.filter(pk=row.pk, claim_token=token).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", claim_token=None, next_attempt_at=None
    )


def _mark_failed(row: Delivery, token: uuid.UUID, exc: Exception) -> float | None:
    """Record a failure; returns the retry delay for a temporary one, None for a permanent one."""
    error = str(exc)[:2000] or type(exc).__name__
    if isinstance(exc, TemporaryFailure) and row.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        delay = backoff_seconds(row.attempts)
        at = timezone.now() + timedelta(seconds=delay)
        Delivery.objects.filter(pk=row.pk, claim_token=token).update(
            status=Delivery.Status.FAILED_TEMP, last_error=error, claim_token=None, next_attempt_at=at, enqueued_at=at
        )
        return delay
    if isinstance(exc, TemporaryFailure):
        error = f"gave up after {row.attempts} attempts: {error}"
    Delivery.objects.filter(pk=row.pk, claim_token=token).update(
        status=Delivery.Status.FAILED_PERM, last_error=error, claim_token=None, next_attempt_at=None
    )
    return None


def deliveries_send(*, delivery_ids: list[int]) -> SendResult:
    """Claim the given rows, send them, record each outcome.

    Transition per row: queued|failed_temp (due) -> sending -> sent | failed_temp | failed_perm.
    Rows another task holds, or already sent, are skipped, so the same task run twice sends nothing
    twice. Returns {"sent": n, "retry": [ids], "retry_in": seconds, "failed": n}; the caller
    schedules the retry. Safe to repeat.
    """
    token, rows = _claim(delivery_ids)
    result: SendResult = {"sent": 0, "retry": [], "retry_in": 0.0, "failed": 0}

    def failed(row: Delivery, exc: Exception) -> None:
        delay = _mark_failed(row, token, exc)
        if delay is None:
            result["failed"] += 1
        else:
            result["retry"].append(row.pk)
            result["retry_in"] = max(result["retry_in"], delay)

    emails = [r for r in rows if r.channel == Delivery.Channel.EMAIL]
    hooks = [r for r in rows if r.channel == Delivery.Channel.WEBHOOK]
    connection = None
    try:
        for index, row in enumerate(emails):
            try:
                email = build_email(row)
            except Exception as exc:  # a rendering bug must not block the rest of the chunk
                log.exception("delivery %s could not be rendered", row.pk)
                failed(row, exc if isinstance(exc, PermanentFailure) else PermanentFailure(f"could not render: {exc}"))
                continue
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                connection.send_messages([email])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                failed(row, _smtp_failure(exc))
                continue
            except (smtplib.SMTPException, OSError) as exc:
                # The connection is gone (refused, dropped, timed out): the rest of the chunk retries later.
                failure = _smtp_failure(exc)
                for rest in emails[index:]:
                    failed(rest, failure)
                break
            _mark_sent(row, token)
            result["sent"] += 1
    finally:
        if connection is not None:
            # Closing a dead connection can fail; there is nothing left to do with it.
            with contextlib.suppress(Exception):
                connection.close()
    for row in hooks:
        started = time.monotonic()
        try:
            webhook_post(row)
        except (TemporaryFailure, PermanentFailure) as exc:
            failed(row, exc)
            continue
        except Exception as exc:
            log.exception("webhook delivery %s failed after %.1fs", row.pk, time.monotonic() - started)
            failed(row, TemporaryFailure(f"{type(exc).__name__}: {exc}"))
            continue
        _mark_sent(row, token)
        result["sent"] += 1
    return result
