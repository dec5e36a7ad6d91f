"""Sending claimed deliveries: one SMTP connection per chunk, each row marked right after its send.

Marking each row as soon as the server accepted it bounds the duplicates a killed worker can cause
to one message per worker process (the one sent but not yet marked).
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

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.utils import timezone

from alerts.models import Message

from ..models import Delivery
from . import rendering

log = logging.getLogger(__name__)

_render_cache: dict[tuple[str, str, str], rendering.Rendered] = {}
_RENDER_CACHE_MAX = 64


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def _cached_render(message: Message, audience: str, language: str) -> rendering.Rendered:
    # A message never changes once approved, so a rendering can be reused across chunks.
    key = (str(message.message_id), audience, language)
    if key not in _render_cache:
        if len(_render_cache) >= _RENDER_CACHE_MAX:
            _render_cache.clear()
        _render_cache[key] = rendering.message_render(message, audience, language)
    return _render_cache[key]


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, then between half and all of it."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


def _subscriber_urls(delivery: Delivery) -> tuple[str, str]:
    from .subscribers import subscriber_manage_url, subscriber_unsubscribe_url

    if delivery.subscriber_id is None:
        return "", ""
    return subscriber_manage_url(delivery.subscriber), subscriber_unsubscribe_url(delivery.subscriber)


def _thread_headers(delivery: Delivery) -> dict[str, str]:
    """Updates and the cancellation refer to the recipient's original, so a newsroom sees one thread."""
    message = delivery.message
    if message.sequence <= 1:
        return {}
    earlier = list(
        Message.objects.filter(alert_id=message.alert_id, sequence__lt=message.sequence)
        .order_by("sequence")
        .values_list("message_id", flat=True)
    )
    if not earlier:
        return {}
    ids = [rendering.message_mail_id(m, delivery.recipient_key) for m in earlier]
    return {"In-Reply-To": ids[0], "References": " ".join(ids)}


def build_email(delivery: Delivery) -> EmailMultiAlternatives:
    """The email of one delivery: the shared rendering plus this recipient's headers and links."""
    headers = {"Message-ID": delivery.smtp_message_id, "Auto-Submitted": "auto-generated"}
    if delivery.notice_id:
        notice = delivery.notice
        headers.update(notice.headers or {})
        email = EmailMultiAlternatives(
            notice.subject, notice.body_text, settings.DEFAULT_FROM_EMAIL, [delivery.address], headers=headers
        )
        if notice.body_html:
            email.attach_alternative(notice.body_html, "text/html")
        return email
    audience = delivery.audience
    rendered = _cached_render(delivery.message, audience, delivery.language)
    manage_url, unsubscribe_url = _subscriber_urls(delivery)
    text = rendered.text.replace(rendering.MANAGE_URL_PLACEHOLDER, manage_url).replace(
        rendering.UNSUBSCRIBE_URL_PLACEHOLDER, unsubscribe_url
    )
    html = rendered.html.replace(rendering.MANAGE_URL_PLACEHOLDER, manage_url).replace(
        rendering.UNSUBSCRIBE_URL_PLACEHOLDER, unsubscribe_url
    )
    headers.update(_thread_headers(delivery))
    if unsubscribe_url:
        # RFC 8058 one-click: the mail client POSTs "List-Unsubscribe=One-Click" to this URL.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        rendered.subject, text, settings.DEFAULT_FROM_EMAIL, [delivery.address], headers=headers
    )
    email.attach_alternative(html, "text/html")
    if rendered.photos:
        email.mixed_subtype = "related"
        for cid, data, _caption in rendered.photos:
            image = MIMEImage(data, "jpeg")
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=f"{cid.split('@')[0]}.jpg")
            email.attach(image)
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
    """POST the message to the subscriber's webhook, signed as the Standard Webhooks spec says."""
    subscriber = delivery.subscriber
    secret = subscriber.webhook_secret if subscriber else ""
    if not secret:
        raise PermanentFailure("the subscriber has no webhook secret")
    now = timezone.now()
    body = rendering.webhook_body(delivery.message, sent_at=now)
    msg_id = "msg_" + delivery.smtp_message_id.strip("<>").split("@")[0]
    timestamp = int(now.timestamp())
    request = urllib.request.Request(  # noqa: S310 - scheme checked when the URL is saved
        delivery.address,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": f"{settings.SITE_NAME} webhooks",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhook_signature(secret, msg_id, timestamp, body),
        },
    )
    if urllib.parse.urlparse(delivery.address).scheme not in ("http", "https"):
        raise PermanentFailure("webhook URL must be http or https")
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
        .select_related("message__alert", "notice", "subscriber")
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


def deliveries_send(*, delivery_ids: list[int]) -> dict:
    """Claim the given rows, send them, record each outcome.

    Transition per row: queued|failed_temp (due) -> sending -> sent | failed_temp | failed_perm.
    Rows another task holds, or already sent, are skipped, so the same task run twice sends nothing
    twice. Returns {"sent": n, "retry": [ids], "retry_in": seconds, "failed": n}; the caller
    schedules the retry. Safe to repeat.
    """
    token, rows = _claim(delivery_ids)
    result = {"sent": 0, "retry": [], "retry_in": 0.0, "failed": 0}

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
                failed(row, PermanentFailure(f"could not render: {exc}"))
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
