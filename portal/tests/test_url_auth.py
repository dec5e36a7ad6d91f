"""Deny by default: walk every URL pattern of the root URLconf and fail on a view reachable
anonymously that is not on the explicit public list below (after cisagov/manage.get.gov's
src/registrar/tests/test_url_auth.py).

LoginRequiredMiddleware protects every view unless it is wrapped in login_not_required, which sets
`view.login_required = False`. So the walker checks two things:
1. a view marked login_not_required must have its URL name in PUBLIC_URL_NAMES;
2. every other URL, requested anonymously, redirects to the sign-in page (never a 200).

Django REST framework marks every APIView login_not_required (it authenticates by itself, with
tokens), so for those the rule reads: a view whose permission classes let anonymous users in
(AllowAny, ...OrReadOnly, or none) must be on the public list, and every other one answers an
anonymous GET and POST with 401 or 403.

The Django admin (admin/) is skipped: it has its own login (is_staff) and its own tests.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.views import APIView

# One line per public URL name, with why it is public. Add yours here; keep it short and explicit.
PUBLIC_URL_NAMES = {
    "accounts:login",  # the sign-in page itself
    "accounts:password-set",  # emailed one-time link: activation after verification, password reset
    "accounts:password-set-done",  # "your password is set" (Django marks it public); shows nothing private
    "agencies:register",  # "Register your agency": the requester has no account yet
    "agencies:register-done",  # the "thank you, what happens next" page after registering
    "agencies:invitation-accept",  # emailed invitation link: the invitee may have no account yet
    # REST API (portal/api_urls.py). Every other api:* view requires a token or session (401 JSON).
    "api:schema",  # the OpenAPI schema: documentation, no data
    "api:docs",  # Swagger UI for the schema, assets from drf-spectacular-sidecar
    "api:public-alert-list",  # public alerts, exactly what the public pages show
    "api:public-alert-detail",  # one public alert, as its public page shows it
    "api:agency-register",  # registration by API: the requester has no account yet (as agencies:register)
    "api:not-found",  # JSON 404 for any other address under /api/
    "api:subscription-detail",  # a media subscriber's own subscription: the signed emailed link is the credential
    "api:subscription-unsubscribe",  # one-click unsubscribe through the same signed link
    # Media subscribers (notifications/urls.py): no account; the signed link in the URL is the credential.
    "notifications:subscribe",  # sign-up form for newsrooms
    "notifications:subscribe-sent",  # "check your email"
    "notifications:subscribe-confirm",  # emailed, signed, expiring confirmation link
    "notifications:subscriber-manage",  # the subscriber's own page, by its signed (revocable) link
    "notifications:subscriber-unsubscribe",  # RFC 8058 one-click unsubscribe, by the same signed link
    "notifications:subscriber-link-new",  # "send me a new link", by the same signed link
    # The public site (alerts/public/urls.py): published alerts only, 404 for anything else.
    "public:home",  # active alerts, state filter
    "public:state-home",  # one state's active alerts
    "public:archive",  # resolved, cancelled and expired alerts
    "public:alert-page",  # the public alert page (?lang=es)
    "public:alert-cap",  # the alert's latest CAP message
    "public:alert-json",  # the alert's public JSON
    "public:alert-photo",  # a photo of an approved message snapshot
    "public:cap-message",  # one CAP message, immutable once published
    "public:feed-alerts",  # Atom feed of all states
    "public:feed-state",  # Atom feed of one state
    "healthz",  # portal/health.py: database, cache and broker reachable (no data)
}

SKIPPED_PREFIXES = ("admin/",)  # the Django admin has its own login

_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _dummy(match: re.Match) -> str:
    converter = match.group("converter") or "str"
    if converter == "uuid":
        return str(uuid.uuid4())
    if converter == "int":
        return "1"
    if converter == "path":
        return "x/y"
    return "x"  # str, slug and custom converters that accept letters


def _walk(patterns, prefix: str = "", namespace: str = "", fillable: bool = True):
    """Yield (route, url name, callback, whether the route can be filled from its converters)."""
    for entry in patterns:
        is_route = isinstance(entry.pattern, RoutePattern)
        piece = str(entry.pattern) if is_route else entry.pattern.regex.pattern.lstrip("^").rstrip("$")
        route = prefix + piece
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns, fillable and is_route)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else route
            yield route, name, entry.callback, fillable and is_route


ALL_URLS = list(_walk(get_resolver().url_patterns))


def _drf_view(callback) -> type[APIView] | None:
    cls = getattr(callback, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def _is_public(callback) -> bool:
    """Whether the view lets an anonymous user in, by its own declaration."""
    api = _drf_view(callback)
    if api is not None:
        permissions = list(api.permission_classes)
        return not permissions or any(
            isinstance(p, type) and issubclass(p, (AllowAny, IsAuthenticatedOrReadOnly)) for p in permissions
        )
    return getattr(callback, "login_required", True) is False


def test_the_walker_finds_the_url_patterns():
    names = {name for _, name, _, _ in ALL_URLS}
    assert {"accounts:login", "agencies:register", "agencies:members"} <= names


@pytest.mark.parametrize(("route", "name", "callback", "fillable"), ALL_URLS, ids=[u[1] for u in ALL_URLS])
def test_a_view_marked_public_is_on_the_public_list(route, name, callback, fillable):
    if _is_public(callback):
        assert name in PUBLIC_URL_NAMES, (
            f"{name} ({route}) is reachable without signing in but is not in PUBLIC_URL_NAMES. "
            "If it must be public, add it there with a comment; otherwise remove login_not_required."
        )


def test_every_name_on_the_public_list_exists_and_is_public():
    by_name = {name: callback for _, name, callback, _ in ALL_URLS}
    for name in PUBLIC_URL_NAMES:
        assert name in by_name, f"{name} is in PUBLIC_URL_NAMES but no URL has that name"
        assert _is_public(by_name[name]), f"{name} is in PUBLIC_URL_NAMES but its view requires a login"


PROTECTED = [u for u in ALL_URLS if not _is_public(u[2]) and u[1] not in PUBLIC_URL_NAMES]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "callback", "fillable"), PROTECTED, ids=[u[1] for u in PROTECTED])
def test_an_anonymous_request_to_a_protected_url_is_sent_to_sign_in(client, route, name, callback, fillable):
    if not fillable:
        pytest.skip(f"{route}: a regular-expression route cannot be filled with dummy values")
    path = "/" + _CONVERTER.sub(_dummy, route)
    login_url = reverse("accounts:login")
    for method in (client.get, client.post):
        response = method(path)
        if _drf_view(callback) is not None:
            assert response.status_code in (401, 403), (
                f"{method.__name__.upper()} {path} ({name}): {response.status_code}"
            )
            continue
        assert response.status_code == 302, f"{method.__name__.upper()} {path} ({name}): {response.status_code}"
        assert response["Location"].startswith(login_url + "?next="), f"{path} redirects to {response['Location']}"


def test_the_walker_catches_an_unlisted_public_view():
    from django.contrib.auth.decorators import login_not_required
    from django.http import HttpResponse
    from django.urls import include, path

    @login_not_required
    def leaky(request):
        return HttpResponse("secret")

    patterns = [path("inner/", include(([path("leak/<uuid:pk>/", leaky, name="leak")], "inner")))]
    found = [(name, _is_public(cb)) for _, name, cb, _ in _walk(patterns)]
    assert found == [("inner:leak", True)]
    assert "inner:leak" not in PUBLIC_URL_NAMES


@pytest.mark.django_db
def test_signed_in_mallory_gets_404_not_agency_as_pages(login, mallory, agency_a):
    client = login(mallory)
    for name in ("agencies:members", "agencies:registration-detail"):
        assert client.get(reverse(name, args=[agency_a.public_id])).status_code == 404
