"""The REST API's throttles (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] names them).

What used to live here next to them went down to the layer it belongs to, because every app's
api.py imported it and the portal sits above the apps: the error shape for the schema is in
core.api_errors, re-authentication by password in accounts.api, public caching in
alerts.api.caching.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _LiveRatesMixin:
    """DRF binds THROTTLE_RATES at import; read them per request so settings (and tests) can change them."""

    @property
    def THROTTLE_RATES(self):  # DRF's attribute name
        return api_settings.DEFAULT_THROTTLE_RATES


# DRF reads THROTTLE_RATES and never assigns it, so a read-only property in its place is safe.
class AnonThrottle(_LiveRatesMixin, throttling.AnonRateThrottle):  # type: ignore[override]
    """Anonymous callers, per IP address (rate `anon`)."""


class UserThrottle(_LiveRatesMixin, throttling.UserRateThrottle):  # type: ignore[override]
    """Signed-in callers, per user (rate `user`)."""
