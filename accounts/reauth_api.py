"""Re-authentication for the REST API: the fields an action that needs a fresh password takes, and
the check that reads them. The freshness rule itself is in accounts.reauth (called by the services)."""

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from .forms import ReauthForm
from .reauth import ReauthRequired, reauthenticated_at

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
    django_request = getattr(request, "_request", request)
    form = ReauthForm(
        data={"password": password, "otp_token": otp_token or ""}, user=request.user, request=django_request
    )
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        raise ReauthRequired(" ".join(messages) or ReauthRequired.default_message)
    return timezone.now()
