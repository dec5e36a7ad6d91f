"""Session rules for signed-in users: second factor, idle and absolute timeouts."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .services import has_second_factor, second_factor_required

SESSION_AUTH_AT = "auth_at"
SESSION_LAST_SEEN = "last_seen"
# Paths a signed-in but not yet second-factor-verified user may reach.
_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/")


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            auth_at = request.session.get(SESSION_AUTH_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN, auth_at)
            if auth_at is None:
                request.session[SESSION_AUTH_AT] = auth_at = now
                last_seen = now
            expired = now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT
            idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT
            if expired or idle:
                logout(request)
                messages.info(
                    request,
                    "You were signed out after 30 minutes without activity."
                    if idle and not expired
                    else "You were signed out: sessions last at most 12 hours.",
                )
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            # Write at most once a minute: a session save per request would be a write per page.
            if last_seen is None or now - last_seen >= 60:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """A user who must use a second factor reaches nothing but enrolment or verification until
    they have passed it in this session. Must follow django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and second_factor_required(user)
        ):
            target = "accounts:2fa-verify" if has_second_factor(user) else "accounts:2fa-setup"
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Finish signing in with your second factor first.",
                        "code": "second_factor_required",
                        "fields": {},
                    },
                    status=403,
                )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
