"""Mail and distribution. `email_notify` is the one way any app sends a workflow email."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from templates/<template>.subject.txt, .txt and .html."""
    ctx = {"SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME, **context}
    subject = " ".join(render_to_string(f"{template}.subject.txt", ctx).split())
    text = render_to_string(f"{template}.txt", ctx)
    html = render_to_string(f"{template}.html", ctx)
    return subject, text, html


def email_notify(*, to: Iterable[str], template: str, context: dict) -> None:
    """Send a workflow email to each address, after the current transaction commits.

    Rendered now (the context may hold model instances), sent after commit so a rolled-back
    change sends nothing. One message per recipient so addresses are never disclosed to each other.
    """
    recipients = sorted({addr.strip().lower() for addr in to if addr and addr.strip()})
    if not recipients:
        return
    subject, text, html = render_email(template, context)

    def send():
        for addr in recipients:
            msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [addr])
            msg.attach_alternative(html, "text/html")
            msg.send()

    transaction.on_commit(send)
