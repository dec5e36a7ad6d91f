"""Re-authentication: a password (and, later, second factor) entered within REAUTH_MAX_AGE.

Views read the time from the session and pass it to services, which decide; the service is the
rule's one home so the API and the pages cannot differ.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.exceptions import CodedError

SESSION_KEY = "reauth_at"


def reauth_mark(request) -> None:
    request.session[SESSION_KEY] = timezone.now().isoformat()


def reauthenticated_at(request) -> datetime | None:
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def reauth_is_fresh(at: datetime | None) -> bool:
    return at is not None and (timezone.now() - at).total_seconds() <= settings.REAUTH_MAX_AGE


class ReauthRequired(CodedError, PermissionDenied):
    """Raised by services when the actor has not re-entered their password recently. The pages send
    the user to confirm it; the API answers 403 with code `reauth_required`."""

    error_code = "reauth_required"
    http_status = 403

    default_message = "For this action, confirm your password again (it is asked at most every 15 minutes)."


def ensure_fresh_reauth(at: datetime | None) -> None:
    if not reauth_is_fresh(at):
        raise ReauthRequired(ReauthRequired.default_message)
