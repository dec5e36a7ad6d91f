import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import _email_settings, envbool, envint


def test_email_url_unset_writes_mail_to_files():
    assert _email_settings("")["EMAIL_BACKEND"].endswith("filebased.EmailBackend")


def test_email_url_smtp_is_parsed_with_credentials():
    s = _email_settings("submission://user%40x:p%2Fw@mail.example:2525")
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"], s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == (
        "mail.example",
        2525,
        "user@x",
        "p/w",
    )
    assert s["EMAIL_USE_TLS"] and not s["EMAIL_USE_SSL"]


def test_a_bad_email_url_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        _email_settings("http://mail.example")


def test_bad_booleans_and_integers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        envbool("X_BOOL", "true")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        envint("X_INT", "1")


def test_production_refuses_to_start_without_a_secret_key():
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
