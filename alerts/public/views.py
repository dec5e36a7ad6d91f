"""The public site's fallback views. In production nginx serves the publish root and only passes
here what is not (yet) published; these views serve the published file when it exists and render
the same bytes otherwise. No login, no cookie, no Vary: Cookie; ETag, Last-Modified, 304s.
(The installation's health check is portal.health.)"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import cap, publishing
from ..feeds import ATOM, feed_artifact
from ..http import mark_public, public_response
from . import render, selectors
from .texts import ui

CONTENT_TYPES = {
    ".html": render.HTML,
    ".xml": "application/xml; charset=utf-8",
    ".json": render.JSON,
    ".atom": ATOM,
    ".jpg": "image/jpeg",
}
IMMUTABLE_MAX_AGE = 24 * 3600


def public_endpoint(view: Callable) -> Callable:
    """No login, GET/HEAD only, a plain public 404 for anything not public."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            html = render_to_string("alerts/public/not_found.html", {"t": ui("en"), "SITE_NAME": settings.SITE_NAME})
            response = HttpResponseNotFound(html)
        return mark_public(response)

    return login_not_required(require_safe(wrapper))


def _serve(
    request: HttpRequest, name: str, build: Callable[[], render.Artifact], max_age: int | None = None
) -> HttpResponse:
    published = publishing.read_published(name)
    if published is not None:
        content, modified = published
        content_type = CONTENT_TYPES.get(name[name.rfind(".") :], "application/octet-stream")
        return public_response(request, content, content_type=content_type, last_modified=modified, max_age=max_age)
    artifact = build()
    return public_response(
        request,
        artifact.content,
        content_type=artifact.content_type,
        last_modified=artifact.last_modified,
        max_age=max_age,
    )


@public_endpoint
def home(request: HttpRequest) -> HttpResponse:
    usps = request.GET.get("state", "").strip().upper()
    if usps:
        # The state filter form (works without JavaScript) lands on the published state page.
        state = selectors.state_get_public(usps)
        return HttpResponseRedirect(reverse("public:state-home", kwargs={"usps": state.usps}))
    return _serve(request, publishing.home_name(), render.home_page)


@public_endpoint
def state_home(request: HttpRequest, usps: str) -> HttpResponse:
    if usps != usps.upper():
        raise Http404
    return _serve(request, publishing.home_name(usps), lambda: render.home_page(selectors.state_get_public(usps)))


@public_endpoint
def archive(request: HttpRequest) -> HttpResponse:
    return _serve(request, publishing.ARCHIVE_NAME, render.archive_page)


@public_endpoint
def alert_page(request: HttpRequest, public_id) -> HttpResponse:
    lang = "es" if request.GET.get("lang") == "es" else "en"
    return _serve(
        request,
        publishing.alert_page_name(public_id, lang),
        lambda: render.alert_page(selectors.alert_get_public(public_id), lang),
    )


@public_endpoint
def alert_json(request: HttpRequest, public_id) -> HttpResponse:
    return _serve(
        request, publishing.alert_json_name(public_id), lambda: render.alert_json(selectors.alert_get_public(public_id))
    )


def _latest_cap(public_id) -> render.Artifact:
    alert = selectors.alert_get_public(public_id)
    messages = alert.public_messages
    xml = cap.message_cap_xml(messages[-1], earlier=messages[:-1])
    return render.Artifact(xml.encode(), CONTENT_TYPES[".xml"], messages[-1].sent_at)


@public_endpoint
def alert_cap(request: HttpRequest, public_id) -> HttpResponse:
    return _serve(request, publishing.alert_cap_name(public_id), lambda: _latest_cap(public_id))


def _message_cap(message_id) -> render.Artifact:
    message = selectors.message_get_public(message_id)
    return render.Artifact(cap.message_cap_xml(message).encode(), CONTENT_TYPES[".xml"], message.sent_at)


@public_endpoint
def cap_message(request: HttpRequest, message_id) -> HttpResponse:
    # A published message never changes: caches may keep it for a day.
    return _serve(request, publishing.cap_message_name(message_id), lambda: _message_cap(message_id), IMMUTABLE_MAX_AGE)


def _photo(public_id, photo_id) -> render.Artifact:
    alert = selectors.alert_get_public(public_id)
    photo = next(
        (
            p
            for p in render.public_photos(alert, alert.public_messages, timezone.now())
            if p["public_id"] == str(photo_id)
        ),
        None,
    )
    data = cap.photo_bytes(photo) if photo else None
    if data is None:
        raise Http404("No such photo.")
    return render.Artifact(data, "image/jpeg", alert.public_messages[-1].sent_at)


@public_endpoint
def alert_photo(request: HttpRequest, public_id, photo_id) -> HttpResponse:
    return _serve(request, publishing.photo_name(public_id, photo_id), lambda: _photo(public_id, photo_id))


@public_endpoint
def feed_alerts(request: HttpRequest) -> HttpResponse:
    return _serve(request, publishing.feed_name(), lambda: feed_artifact(None))


@public_endpoint
def feed_state(request: HttpRequest, usps: str) -> HttpResponse:
    if usps != usps.upper():
        raise Http404
    return _serve(request, publishing.feed_name(usps), lambda: feed_artifact(selectors.state_get_public(usps)))
