"""Issue 7: two factors, re-authentication, lockout, sessions and headers."""

import base64
import os
import re
import subprocess
import sys
import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import SESSION_AUTH_AT, SESSION_LAST_SEEN
from audit.models import AuditEvent
from conftest import PASSWORD, otp_device, totp_code

pytestmark = pytest.mark.django_db


def _password_sign_in(email: str, password: str = PASSWORD, ip: str = "198.51.100.7") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return client, response


def _enrol(client: Client) -> list[str]:
    page = client.get(reverse("accounts:2fa-setup")).content.decode()
    match = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page)
    assert match is not None, "the enrolment page shows no secret"
    secret = match.group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    response = client.post(reverse("accounts:2fa-setup"), {"otp_token": f"{totp(key):06d}"})
    return re.findall(r"<code>([0-9a-f]{10})</code>", response.content.decode())


def test_a_coordinator_is_sent_to_enrolment_and_reaches_nothing_before_it(carol):
    client, _ = _password_sign_in(carol.email)
    response = client.get(reverse("alerts:queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-setup"))
    assert client.get(reverse("agencies:registrations")).status_code == 302


def test_enrolment_refuses_a_wrong_code_and_accepts_the_right_one(carol, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp otherwise makes the next try wait a second
    client, _ = _password_sign_in(carol.email)
    response = client.post(reverse("accounts:2fa-setup"), {"otp_token": "000000"})
    assert response.status_code == 200 and b"not right" in response.content
    assert not TOTPDevice.objects.filter(user=carol, confirmed=True).exists()
    codes = _enrol(client)
    assert len(codes) == 10
    assert TOTPDevice.objects.filter(user=carol, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="two_factor.enrolled", target_id=str(carol.pk)).exists()
    assert client.get(reverse("alerts:queue")).status_code == 200


def test_a_recovery_code_signs_in_once(carol):
    client, _ = _password_sign_in(carol.email)
    codes = _enrol(client)
    second, _ = _password_sign_in(carol.email)
    assert second.get(reverse("alerts:queue"))["Location"].startswith(reverse("accounts:2fa-verify"))
    assert second.post(reverse("accounts:2fa-verify"), {"otp_token": codes[0]}).status_code == 302
    assert second.get(reverse("alerts:queue")).status_code == 200
    third, _ = _password_sign_in(carol.email)
    response = third.post(reverse("accounts:2fa-verify"), {"otp_token": codes[0]})
    assert response.status_code == 200 and b"not right" in response.content


def test_a_stolen_password_cannot_replace_an_enrolled_device(carol):
    device = otp_device(carol)
    client, _ = _password_sign_in(carol.email)
    response = client.get(reverse("accounts:2fa-setup"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:2fa-verify")
    assert client.get(reverse("accounts:2fa-qr")).status_code == 403
    assert list(TOTPDevice.objects.filter(user=carol).values_list("pk", flat=True)) == [device.pk]


def test_agency_staff_sign_in_with_a_password_unless_their_state_requires_more(alice, mallory, state_y):
    client, _ = _password_sign_in(alice.email)
    assert client.get(reverse("alerts:dashboard")).status_code == 200
    state_y.staff_require_2fa = True
    state_y.save()
    client, _ = _password_sign_in(mallory.email)
    assert client.get(reverse("alerts:dashboard"))["Location"].startswith(reverse("accounts:2fa-setup"))


def test_the_django_admin_asks_for_the_second_factor(db):
    from accounts.models import User

    admin = User.objects.create_superuser(email="root@example.org", password=PASSWORD, full_name="Root")
    client, _ = _password_sign_in(admin.email)
    # Signed in with a password only: the admin index is refused until the code is given.
    assert client.get("/admin/").status_code == 302
    device = otp_device(admin)
    client.post(reverse("accounts:2fa-verify"), {"otp_token": totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_reauthentication_needs_the_code_as_well_as_the_password(login, carol, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = login(carol)
    url = reverse("accounts:reauth")
    response = client.post(url, {"password": PASSWORD, "otp_token": "123456"})
    assert response.status_code == 200 and b"not right" in response.content
    assert "reauth_at" not in client.session
    response = client.post(url, {"password": PASSWORD, "otp_token": totp_code(otp_device(carol))})
    assert response.status_code == 302 and "reauth_at" in client.session


def test_repeated_wrong_passwords_lock_the_username_from_that_address(alice, carol):
    for _ in range(5):
        _, response = _password_sign_in(alice.email, "wrong-password")
    assert response.status_code == 429 and b"locked" in response.content
    # The right password is refused too while locked; another address is not locked.
    _, response = _password_sign_in(alice.email)
    assert response.status_code == 429
    _, response = _password_sign_in(alice.email, ip="203.0.113.9")
    assert response.status_code == 302
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("auth.login_failed") >= 5 and "auth.locked_out" in actions and "auth.login" in actions


def test_a_coordinator_unlocks_a_sign_in_of_their_state(login, alice, carol):
    for _ in range(5):
        _password_sign_in(alice.email, "wrong-password")
    client = login(carol)
    assert alice.email.encode() in client.get(reverse("accounts:lockouts")).content
    response = client.post(reverse("accounts:lockouts"), {"username": alice.email})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=alice.email).exists()
    assert AuditEvent.objects.filter(action="auth.unlocked", target_id=alice.email, actor=carol).exists()
    _, response = _password_sign_in(alice.email)
    assert response.status_code == 302


def test_another_states_coordinator_cannot_unlock_it(login, alice, yves):
    for _ in range(5):
        _password_sign_in(alice.email, "wrong-password")
    client = login(yves)
    assert alice.email.encode() not in client.get(reverse("accounts:lockouts")).content
    client.post(reverse("accounts:lockouts"), {"username": alice.email})
    assert AccessAttempt.objects.filter(username=alice.email).exists()
    assert not AuditEvent.objects.filter(action="auth.unlocked").exists()


def test_agency_staff_have_no_lockout_page(login, mallory):
    assert login(mallory).get(reverse("accounts:lockouts")).status_code == 404


def _age_session(client: Client, **seconds_ago) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_an_idle_session_ends_after_thirty_minutes(login, alice):
    client = login(alice)
    assert client.get(reverse("alerts:dashboard")).status_code == 200
    _age_session(client, **{SESSION_AUTH_AT: 3600, SESSION_LAST_SEEN: 31 * 60})
    response = client.get(reverse("alerts:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_twelve_hours(login, alice):
    client = login(alice)
    client.get(reverse("alerts:dashboard"))
    _age_session(client, **{SESSION_AUTH_AT: 12 * 3600 + 60, SESSION_LAST_SEEN: 30})
    assert client.get(reverse("alerts:dashboard")).status_code == 302


def test_a_deactivated_users_session_ends_at_once(login, alice):
    client = login(alice)
    alice.is_active = False
    alice.save()
    assert client.get(reverse("alerts:dashboard")).status_code == 302


def test_a_password_change_ends_the_users_other_sessions(alice):
    first, _ = _password_sign_in(alice.email)
    second, _ = _password_sign_in(alice.email)
    new = "a-brand-new-passphrase-42"
    response = first.post(
        reverse("accounts:password-change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert first.get(reverse("alerts:dashboard")).status_code == 200
    assert second.get(reverse("alerts:dashboard")).status_code == 302


def test_pages_send_a_strict_content_security_policy_and_framing_headers(login, alice):
    response = login(alice).get(reverse("alerts:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url_name", ["public:home", "agencies:register", "accounts:login", "notifications:subscribe"])
def test_public_pages_carry_no_inline_script(client, url_name):
    body = client.get(reverse(url_name)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert not re.search(r"<[^>]+\son[a-z]+=", body)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 64 + "production-like-secret-for-the-check-only",
        "ALLOWED_HOSTS": "bluealert.example.gov",
        "SITE_URL": "https://bluealert.example.gov",
        "VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
