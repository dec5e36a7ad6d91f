"""HTTP caching for public responses: ETag, Last-Modified, Cache-Control, 304s, and no cookies.

Public pages are the same for everyone, so they must be cacheable by browsers, nginx and CDNs:
no Set-Cookie and no `Vary: Cookie` (LoginRequiredMiddleware reads the session on every request,
which makes SessionMiddleware add that header), an ETag over the exact bytes, and a short max-age
with stale-while-revalidate so a cache keeps serving while it refreshes.
"""

import hashlib
from datetime import datetime
from http.cookies import SimpleCookie
from typing import TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_etags, parse_http_date_safe

_Response = TypeVar("_Response", bound=HttpResponse)

PUBLIC_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"


def etag_for(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def is_not_modified(request: HttpRequest, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy (If-None-Match, else If-Modified-Since) is current: for pages and API."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "*" in tags or etag in tags or etag.removeprefix("W/") in [t.removeprefix("W/") for t in tags]
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(since and last_modified and int(last_modified.timestamp()) <= since)


def public_response(
    request: HttpRequest,
    content: bytes,
    *,
    content_type: str,
    last_modified: datetime | None,
    max_age: int | None = None,
) -> HttpResponse:
    """A cacheable public response, or a 304 when the client's copy is current."""
    etag = etag_for(content)
    if request.method in ("GET", "HEAD") and is_not_modified(request, etag, last_modified):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if max_age is None:
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    else:
        response["Cache-Control"] = f"public, max-age={max_age}"
    return mark_public(response)


def mark_public(response: _Response) -> _Response:
    """Mark a response (a 404, say) so the middleware strips cookies and Vary: Cookie from it."""
    # A marker of our own that PublicResponseMiddleware reads; HttpResponse declares no such attribute.
    response.public_cacheable = True  # type: ignore[attr-defined]
    return response


class PublicResponseMiddleware:
    """Sits outside SessionMiddleware: on responses marked public, drop every cookie and the
    `Cookie` entry of Vary that the session and CSRF machinery may have added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "public_cacheable", False):
            response.cookies = SimpleCookie()
            if response.has_header("Vary"):
                kept = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
                if kept:
                    response["Vary"] = ", ".join(kept)
                else:
                    del response["Vary"]
        return response
