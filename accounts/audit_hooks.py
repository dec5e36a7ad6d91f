"""Sign-ins, failed sign-ins and lockouts go to the audit log.

These are framework events (Django's auth signals, django-axes' lockout signal) with no service
of ours to call them, so a receiver records them; it does nothing else.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction

from accounts.ip import client_ip
from audit.services import audit_record


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


def _user_for(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(email__iexact=username).first()


def on_logged_in(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="auth.login", target=user, ip=_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = (credentials or {}).get("username", "")
    with transaction.atomic():
        audit_record(
            actor=None,
            action="auth.login_failed",
            target_type="accounts.user",
            target_id=username[:64],
            target_label=username[:255],
            ip=_ip(request),
        )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    with transaction.atomic():
        audit_record(
            actor=None,
            action="auth.locked_out",
            target_type="accounts.user",
            target_id=(username or "")[:64],
            target_label=username or "",
            ip=ip_address,
        )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.audit.locked_out")
