"""Public API responses cached like the public pages (alerts.http): the same ETag, Last-Modified,
Cache-Control and 304 rules, no cookie. Moved here from portal/api_common.py: it is the alerts'
public caching rule, and the portal layer sits above the apps."""

import json
from datetime import datetime

from django.utils.http import http_date
from rest_framework.response import Response

from alerts.http import PUBLIC_CACHE_CONTROL, etag_for, is_not_modified, mark_public


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
