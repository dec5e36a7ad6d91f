"""portal/settings.py: values from the environment, loud failures, and .env.example kept complete."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import SmtpServer, envbool, envint, parse_email_url

BASE_DIR = Path(__file__).resolve().parents[2]


def start_env(env: dict[str, str]) -> dict[str, str]:
    """These variables and none of this process's settings variables. A DATABASE_URL (never connected
    to) keeps the settings from creating the SQLite default's folder under VAR_DIR."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {**kept, "DATABASE_URL": "postgres://127.0.0.1:1/none", **env}


def load_settings(env: dict[str, str], *names: str) -> dict:
    """Import the settings in a fresh interpreter started with `start_env(env)` and return the named
    settings' values as JSON would show them (None for a name that is not set)."""
    code = (
        "import json, portal.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=start_env(env), cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_failure(env: dict[str, str]) -> str:
    """The error of a start with these variables (the test fails when it starts)."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=start_env({"DJANGO_SETTINGS_MODULE": "portal.settings", **env}),
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, "the settings accepted it"
    return result.stderr


def test_with_no_email_url_mail_is_written_to_files_under_var():
    s = load_settings({"VAR_DIR": "/srv/ba"}, "EMAIL_BACKEND", "EMAIL_FILE_PATH", "EMAIL_HOST_PASSWORD")
    assert s == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/srv/ba/mail",
        "EMAIL_HOST_PASSWORD": None,
    }


def test_an_email_url_becomes_the_smtp_settings():
    s = load_settings(
        {"EMAIL_URL": "smtps://relay%40x:p%2Fw@mail.example"},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_SSL",
        "EMAIL_USE_TLS",
        "EMAIL_TIMEOUT",
        "EMAIL_URL",
    )
    assert s == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example",
        "EMAIL_PORT": 465,
        "EMAIL_HOST_USER": "relay@x",
        "EMAIL_HOST_PASSWORD": "p/w",
        "EMAIL_USE_SSL": True,
        "EMAIL_USE_TLS": False,
        "EMAIL_TIMEOUT": 20,
        "EMAIL_URL": None,  # the URL carries the password: it is not a setting (Django would show it)
    }


def test_email_url_smtp_is_parsed_with_credentials():
    assert parse_email_url("submission://user%40x:p%2Fw@mail.example:2525") == SmtpServer(
        host="mail.example", port=2525, user="user@x", password="p/w", use_ssl=False, use_tls=True
    )
    assert parse_email_url("smtp://127.0.0.1:1025") == SmtpServer("127.0.0.1", 1025, "", "", False, False)
    assert parse_email_url("submission://relay").port == 587


def test_a_bad_email_url_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url("http://mail.example")
    assert "EMAIL_URL scheme must be smtp" in settings_failure({"EMAIL_URL": "mailto:ops@example.org"})


def test_bad_booleans_and_integers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        envbool("X_BOOL", "true")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        envint("X_INT", "1")


def test_production_refuses_to_start_without_a_secret_key():
    assert "SECRET_KEY must be set" in settings_failure({"DEBUG": "false", "SECRET_KEY": ""})


def test_production_refuses_a_sweeper_that_would_requeue_running_tasks():
    failure = settings_failure({"DEBUG": "false", "SECRET_KEY": "x", "NOTIFICATIONS_STUCK_SECONDS": "300"})
    assert "NOTIFICATIONS_STUCK_SECONDS must exceed CELERY_TASK_TIME_LIMIT" in failure


def test_bad_values_in_the_environment_stop_the_start():
    assert "API_THROTTLE_ANON must look like 120/minute" in settings_failure({"API_THROTTLE_ANON": "lots"})
    assert "CAP_SENDER must not contain" in settings_failure({"CAP_SENDER": "Blue Alert <ba@example.org>"})
    assert "AXES_FAILURE_LIMIT must be an integer" in settings_failure({"AXES_FAILURE_LIMIT": "five"})


def test_production_defaults_are_the_secure_ones():
    s = load_settings(
        {"DEBUG": "false", "SECRET_KEY": "x"},
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP",
    )
    assert s == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP": False,
    }


def test_the_public_response_middleware_wraps_the_session_middleware_and_axes_comes_last():
    from django.conf import settings

    middleware = settings.MIDDLEWARE
    assert len(middleware) == len(set(middleware))
    assert middleware.index("alerts.http.PublicResponseMiddleware") + 1 == middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
