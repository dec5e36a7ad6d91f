"""Writes of the accounts app: second factors and login/lockout records.

Two factors come from django-otp: a TOTP device (an authenticator app) plus a static device
holding one-time recovery codes. Who must use them is a rule (`second_factor_required`), checked
by accounts.middleware.SecondFactorMiddleware on every signed-in request; the part of it that
depends on roles comes from the registered account policy (accounts.policy).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record

from .policy import account_policy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

RECOVERY_CODE_COUNT = 10


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def second_factor_required(user: User | AnonymousUser) -> bool:
    """Admin-site users and anyone who has enrolled a device; plus whoever the account policy names
    by role (coordinators, agency and national administrators, staff of states that require it)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser or has_second_factor(user):
        return True
    return account_policy().second_factor_required(user)


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """Create (or reuse) the user's unconfirmed authenticator device for enrolment. Safe to repeat."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str, ip: str | None = None) -> list[str] | None:
    """Confirm enrolment with a code from the app; replaces any earlier device and recovery codes.

    Returns the new recovery codes (shown once), or None when the code is wrong (nothing changes).
    Audit: two_factor.enrolled. Not idempotent.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(token.replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _recovery_codes_replace(user=user)
    audit_record(actor=user, action="two_factor.enrolled", target=user, ip=ip, changes={"device": device.name})
    return codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]  # StaticToken holds 16 characters
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, ip: str | None = None) -> list[str]:
    """New one-time recovery codes; the old ones stop working. Audit: two_factor.codes_regenerated."""
    codes = _recovery_codes_replace(user=user)
    audit_record(actor=user, action="two_factor.codes_regenerated", target=user, ip=ip)
    return codes


def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts `token` (an authenticator code or an unused recovery code), or None.

    A recovery code is consumed by django-otp's StaticDevice.verify_token.
    """
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, ip: str | None = None) -> None:
    """Remove a user's second factor (lost phone); they enrol again at next sign-in.

    Audit: two_factor.reset. Safe to repeat.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="two_factor.reset", target=user, ip=ip)


def lockouts_visible_to(user: User) -> list[AccessAttempt]:
    """Locked-out sign-ins the user may clear: those of the accounts the account policy puts in the
    user's scope (a coordinator: their states' agencies and coordinators; a national administrator:
    everyone; anyone else: nobody)."""
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=axes_settings.AXES_FAILURE_LIMIT)
    if not account_policy().may_clear_lockouts(user):
        return []
    scope = account_policy().lockout_scope(user)
    if scope is not None:
        emails = get_user_model().objects.filter(pk__in=scope.values("pk")).values_list("email", flat=True)
        attempts = attempts.filter(username__in=list(emails))
    return list(attempts.order_by("-attempt_time"))


@transaction.atomic
def lockout_clear(*, actor: User, username: str, ip: str | None = None) -> int:
    """Unlock sign-in for `username` before the cool-off ends. Refused (PermissionDenied) for an
    account outside the actor's states. Audit: auth.unlocked. Safe to repeat."""
    if username.lower() not in {a.username.lower() for a in lockouts_visible_to(actor)}:
        raise PermissionDenied("That sign-in is not locked, or is not one you can unlock.")
    removed: int = reset(username=username)
    audit_record(
        actor=actor,
        action="auth.unlocked",
        target_type="accounts.user",
        target_id=username[:64],
        target_label=username,
        ip=ip,
        changes={"attempts_removed": removed},
    )
    return removed
