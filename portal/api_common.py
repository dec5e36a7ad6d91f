"""Cross-cutting pieces of the REST API: throttles, re-authentication by password, public caching.

The API of each app lives in `<app>/api.py` and calls that app's services; nothing here decides a
business rule.
"""

import json
from datetime import datetime

from django.utils import timezone
from django.utils.http import http_date
from rest_framework import serializers, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.ip import client_ip  # noqa: F401  (re-exported for the API modules)
from accounts.reauth import ReauthRequired, reauthenticated_at
from alerts.http import PUBLIC_CACHE_CONTROL, etag_for, is_not_modified, mark_public


class _LiveRatesMixin:
    """DRF binds THROTTLE_RATES at import; read them per request so settings (and tests) can change them."""

    @property
    def THROTTLE_RATES(self):  # DRF's attribute name
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonThrottle(_LiveRatesMixin, throttling.AnonRateThrottle):
    """Anonymous callers, per IP address (rate `anon`)."""


class UserThrottle(_LiveRatesMixin, throttling.UserRateThrottle):
    """Signed-in callers, per user (rate `user`)."""


REAUTH_HELP = (
    "Re-authentication: include your password in `password` and, if you have enrolled an authenticator "
    "app, its current code (or a recovery code) in `otp_token`: the same check as the portal's 'Confirm "
    "it is you' page. Approving, denying and resolving need it within the last 15 minutes; a browser "
    "session that confirmed on that page within that time may omit both. A wrong password or code is "
    "refused (403, code `reauth_required`) and nothing changes."
)


class ReauthSerializer(serializers.Serializer):
    """Mixin serializer for actions that need a fresh re-authentication."""

    password = serializers.CharField(
        required=False,
        allow_blank=False,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=REAUTH_HELP,
    )
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=32,
        help_text="The code from your authenticator app, or a recovery code (when you have a second factor).",
    )


def api_reauthenticated_at(request, password: str | None, otp_token: str | None = None) -> datetime | None:
    """When the caller last proved who they are, for the services' ensure_fresh_reauth.

    A password in the request is checked now with the portal's own re-authentication form (password,
    plus the second factor when the user has one), so the API and the page cannot differ; a failure
    is refused outright and nothing is attempted. Without a password, the browser session's last
    confirmation counts. The freshness rule itself stays in the services.
    """
    if not password:
        return reauthenticated_at(request)
    from accounts.forms import ReauthForm

    django_request = getattr(request, "_request", request)
    form = ReauthForm(
        data={"password": password, "otp_token": otp_token or ""}, user=request.user, request=django_request
    )
    if not form.is_valid():
        messages = [m for errors in form.errors.values() for m in errors]
        raise ReauthRequired(" ".join(messages) or ReauthRequired.default_message)
    return timezone.now()


def public_response(request, data, *, last_modified: datetime | None) -> Response:
    """A public API response cacheable like the public pages (alerts.http): strong ETag over the
    body, Last-Modified, the same Cache-Control, 304 on a matching If-None-Match / If-Modified-Since.
    Sets no cookie and does not vary on Cookie."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    etag = etag_for(body)
    django_request = getattr(request, "_request", request)
    not_modified = request.method in ("GET", "HEAD") and is_not_modified(django_request, etag, last_modified)
    response = Response(status=304) if not_modified else Response(data)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(int(last_modified.timestamp()))
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    _forget_session_access(request)
    return mark_public(response)


def _forget_session_access(request) -> None:
    # LoginRequiredMiddleware reads request.user on every request, which marks the session as
    # accessed and makes SessionMiddleware add "Vary: Cookie". A public response is the same for
    # everyone; alerts.http's middleware strips the header too, this keeps it from being added.
    django_request = getattr(request, "_request", request)
    session = getattr(django_request, "session", None)
    if session is not None and not session.modified:
        session.accessed = False
