"""Support of the authorization matrix (test_authorization_matrix.py): the routes of the URLconf,
the one fixture world every route is requested against, the persona clients, the expected answers
and the database fingerprint that proves a refused write changed nothing.

The world is built once per test module through the real services (drafts saved, criteria attested,
submitted, approved by a second person, published and distributed) inside an outer transaction that
is rolled back at the end; each matrix cell runs in a savepoint of it (pytest-django's `db`), so a
write one persona manages to make never leaks into the next cell.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone

# ---- Routes ---------------------------------------------------------------------------------------

# The Django admin's own patterns are not part of the matrix: the admin is the OTPAdminSite (is_staff
# plus a verified second factor), its ModelAdmins write through the services, and it has its own tests
# (agencies/tests/test_admin.py). Everything else mounted on the root URLconf is.
SKIPPED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    pattern: str  # the route as written, e.g. "portal/alerts/<uuid:public_id>/review/"
    callback: object

    @property
    def drf_view(self):
        from rest_framework.views import APIView

        cls = getattr(self.callback, "cls", None)
        return cls if isinstance(cls, type) and issubclass(cls, APIView) else None

    def drf_write_methods(self) -> set[str]:
        """The unsafe methods a DRF view implements (the ones a matrix row must try)."""
        view = self.drf_view
        if view is None:
            return set()
        # NotFoundView aliases every method to get(): it is one handler, tried with GET and POST.
        return {m for m in ("post", "put", "patch", "delete") if hasattr(view, m)}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        is_route = isinstance(entry.pattern, RoutePattern)
        piece = str(entry.pattern) if is_route else entry.pattern.regex.pattern.lstrip("^").rstrip("$")
        route = prefix + piece
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name}" if entry.name else f"<unnamed {route}>", route, entry.callback)


def all_routes() -> dict[str, Route]:
    """Every URL of the root URLconf (the API under /api/ included), by name; admin/ left out."""
    return {r.name: r for r in _walk(get_resolver().url_patterns)}


# ---- Expected answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """An acceptable answer: status codes, optionally where a redirect must (not) go, and whether the
    request may change the database (only successful writes may; everything else is compared)."""

    label: str
    codes: tuple[int, ...]
    login: bool | None = None  # True: a redirect to the sign-in page; False: a redirect elsewhere
    changes: bool = False

    def __repr__(self) -> str:
        return self.label

    def check(self, response) -> str | None:
        """None if the response matches, else what is wrong."""
        code = response.status_code
        if code not in self.codes:
            where = f" -> {response.get('Location', '')}" if 300 <= code < 400 else ""
            return f"expected {self.label}, got {code}{where}"
        if self.login is not None and 300 <= code < 400:
            to_login = response["Location"].startswith(reverse("accounts:login"))
            if to_login != self.login:
                return f"expected {self.label}, got a redirect to {response['Location']}"
        return None


OK = Expect("OK", (200,))
CREATED = Expect("CREATED", (201,), changes=True)
WROTE = Expect("WROTE", (200, 201, 204, 302), login=False, changes=True)  # an allowed write that went through
REDIRECT = Expect("REDIRECT", (301, 302), login=False)  # HTML: back to a page (a refusal message, or no-op)
LOGIN = Expect("LOGIN", (302,), login=True)
BAD = Expect("400", (400,))
E401 = Expect("401", (401,))
E403 = Expect("403", (403,))
E404 = Expect("404", (404,))
E405 = Expect("405", (405,))
E409 = Expect("409", (409,))
GONE = Expect("GONE", (410,))


def any_of(*options: Expect) -> Expect:
    """Where the exact answer legitimately varies (e.g. invalid empty body: 400, or 409 first)."""
    return Expect(
        "|".join(o.label for o in options),
        tuple(c for o in options for c in o.codes),
        login=options[0].login if len({o.login for o in options}) == 1 else None,
        changes=any(o.changes for o in options),
    )


# ---- Personas -----------------------------------------------------------------------------------------

PERSONAS = ("anonymous", "alice", "mallory", "albert", "carol", "yves", "nora", "subscriber")
# Personas without an account: they send no session and no token.
ACCOUNTLESS = ("anonymous", "subscriber")


def sign_in(persona: str, world) -> str:
    """A session for the persona (second factor verified, password re-confirmed just now, so a
    refusal is about who they are and never about a stale confirmation); returns its key. Made once
    per world: each matrix cell only sends the cookie, and whatever a request does to the session
    (a logout, a timestamp) is rolled back with the cell's savepoint."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.reauth import SESSION_KEY as REAUTH_KEY
    from accounts.services import second_factor_required

    user = getattr(world, persona)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    if second_factor_required(user):
        session[DEVICE_ID_SESSION_KEY] = world.devices[persona].persistent_id
    session[REAUTH_KEY] = timezone.now().isoformat()
    session.save()
    assert session.session_key is not None, "the session was not saved"
    return session.session_key


def client_for(persona: str, world):
    """A test client carrying the persona's session, or nothing at all for the accountless ones."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    if persona not in ACCOUNTLESS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


# ---- The world ----------------------------------------------------------------------------------------


def _jpeg() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 40, 160)).save(out, format="JPEG")
    return SimpleUploadedFile("suspect.jpg", out.getvalue(), content_type="image/jpeg")


def build_world() -> SimpleNamespace:
    """Agency A (Texas): a draft (with a photo), a pending, an active (drafted by alice, approved by
    carol, published and distributed) and a resolved alert; Agency B (New York) with a draft; a
    verified media subscriber covering Texas; a pending registration in Texas; an invitation to A.
    Must run with after-commit callbacks executed (publishing and distribution)."""
    from rest_framework.authtoken.models import Token

    from agencies import services as agency_services
    from agencies.models import County, Membership, State
    from alerts import services as alert_services
    from alerts.models import Alert, Message
    from alerts.tests.conftest import fresh, make_active, make_draft, make_pending
    from conftest import _agency, _grant, _user, otp_device
    from notifications.models import MediaSubscriber, webhook_secret_new
    from notifications.services.subscribers import subscriber_confirm_token, subscriber_manage_token

    w = SimpleNamespace()
    w.state_x = State.objects.get(usps="TX")
    w.state_y = State.objects.get(usps="NY")
    w.agency_a = _agency("TX", "Austin Police Department", "TX2270100", "453")
    w.agency_b = _agency("NY", "Albany Police Department", "NY0010100", "001")
    w.alice = _grant(_user("alice@austin.example", "Alice Alvarez"), "agency_staff", agency=w.agency_a)
    w.albert = _grant(_user("albert@austin.example", "Albert Adams"), "agency_admin", agency=w.agency_a)
    w.carol = _grant(_user("carol@dps.texas.example", "Carol Castillo"), "state_coordinator", state=w.state_x)
    w.yves = _grant(_user("yves@nysp.example", "Yves Young"), "state_coordinator", state=w.state_y)
    w.mallory = _grant(_user("mallory@albany.example", "Mallory Moss"), "agency_staff", agency=w.agency_b)
    w.nora = _grant(_user("nora@cops.example", "Nora Nash"), "national_admin")
    w.devices = {p: otp_device(getattr(w, p)) for p in PERSONAS if p not in ACCOUNTLESS}
    # Every account holds an API token (so revoking one is a visible write).
    for p in PERSONAS:
        if p not in ACCOUNTLESS:
            Token.objects.create(user=getattr(w, p))

    # A verified media subscriber covering Texas, there before any approval: it receives the messages.
    w.subscriber = MediaSubscriber.objects.create(
        email="desk@kxan.example",
        organisation="KXAN News",
        outlet_type="tv",
        contact_name="News Desk",
        status=MediaSubscriber.Status.VERIFIED,
        confirmed_at=timezone.now(),
        webhook_secret=webhook_secret_new(),
    )
    w.subscriber.states.set([w.state_x])
    w.subscriber_token = subscriber_manage_token(w.subscriber)
    w.subscriber_confirm_token = subscriber_confirm_token(w.subscriber)
    # An outlet in Texas that confirmed its address and waits for a coordinator's verification.
    w.pending_subscriber = MediaSubscriber.objects.create(
        email="desk@kvue.example",
        organisation="KVUE",
        outlet_type="tv",
        contact_name="Assignment Desk",
        status=MediaSubscriber.Status.PENDING,
        confirmed_at=timezone.now(),
    )
    w.pending_subscriber.states.set([w.state_x])
    # Agency A's alerts, through the workflow services.
    w.draft_a = make_draft(w.alice, w.agency_a, plate="DRF1234", name="Dan Draft")
    w.photo_a = alert_services.alert_photo_add(
        actor=w.alice, alert=w.draft_a, upload=_jpeg(), caption="Suspect", suspect=None, vehicle=None
    )
    w.pending_a = make_pending(w.alice, w.agency_a, plate="PND1234", name="Pat Pending")
    w.active_a = make_draft(w.alice, w.agency_a, plate="ACT1234", name="Al Active")
    w.active_photo = alert_services.alert_photo_add(
        actor=w.alice, alert=w.active_a, upload=_jpeg(), caption="Suspect", suspect=None, vehicle=None
    )
    alert_services.alert_submit(actor=w.alice, alert=w.active_a)
    alert_services.alert_approve(actor=w.carol, alert=w.active_a, reauthenticated_at=fresh())
    w.active_a.refresh_from_db()
    w.message_a = Message.objects.get(alert=w.active_a, sequence=1)
    w.resolved_a = make_active(w.alice, w.agency_a, w.carol, plate="RSV1234", name="Rick Resolved")
    alert_services.alert_resolve(
        actor=w.carol, alert=w.resolved_a, outcome=Alert.Outcome.APPREHENDED, reauthenticated_at=fresh()
    )
    w.resolved_a.refresh_from_db()
    # Agency B's draft.
    w.draft_b = make_draft(w.mallory, w.agency_b, plate="NYD1234", name="Ned York")

    # A pending agency registration in Texas, and an invitation to Agency A for a new person.
    w.registration = agency_services.agency_register(
        name="Round Rock Police Department",
        ori="TX2460300",
        agency_type="municipal",
        state=w.state_x,
        county=County.objects.get(state=w.state_x, fips="491"),
        address="2701 N Mays St",
        city="Round Rock",
        postal_code="78665",
        phone="512-218-5500",
        head_name="Allen Banks",
        admin_full_name="Dana Diaz",
        admin_email="dana@roundrock.example",
    )
    w.registrant = Membership.objects.get(agency=w.registration).user
    w.invitation = agency_services.invitation_create(actor=w.albert, agency=w.agency_a, email="new@austin.example")
    w.invitation_token = agency_services.invitation_token(w.invitation)
    w.alice_membership = Membership.objects.get(user=w.alice, agency=w.agency_a)
    w.mallory_membership = Membership.objects.get(user=w.mallory, agency=w.agency_b)
    return w


def finish_world(w) -> None:
    """Checks run after the after-commit callbacks: the world is what the matrix assumes."""
    from alerts.models import Alert
    from outbox.models import Delivery

    w.message_a.refresh_from_db()
    assert w.message_a.cap_xml, "the active alert's message was not published"
    w.sessions = {p: sign_in(p, w) for p in PERSONAS if p not in ACCOUNTLESS}
    w.deliveries = Delivery.objects.filter(message=w.message_a).count()
    assert w.deliveries > 0, "the active alert's message has no deliveries"
    # One bounced delivery, so that "retry failed" has something to do (or to refuse).
    first = Delivery.objects.filter(message=w.message_a).order_by("pk").first()
    assert first is not None
    Delivery.objects.filter(pk=first.pk).update(
        status=Delivery.Status.FAILED_PERM, last_error="550 mailbox unavailable"
    )
    assert [a.status for a in (w.draft_a, w.pending_a, w.active_a, w.resolved_a, w.draft_b)] == [
        Alert.Status.DRAFT,
        Alert.Status.PENDING,
        Alert.Status.ACTIVE,
        Alert.Status.RESOLVED,
        Alert.Status.DRAFT,
    ]


# ---- Database fingerprint -----------------------------------------------------------------------------


def _fingerprinted_models():
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency, Invitation, Membership
    from alerts.models import Alert, Message, Photo
    from audit.models import AuditEvent
    from notifications.models import MediaSubscriber
    from outbox.models import Delivery

    # Every service write also writes an AuditEvent; the rest catch a write that would skip it.
    return (
        Alert, Photo, Message, Agency, Membership, Invitation, MediaSubscriber, Delivery, AuditEvent, Token,
        get_user_model(),
    )  # fmt: skip


def fingerprint() -> dict[str, list]:
    """Every row of the models a write could touch, every field (updated_at and status included)."""
    out = {}
    for model in _fingerprinted_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        out[model.__name__] = list(model.objects.order_by("pk").values_list(*fields))
    return out


def fingerprint_diff(before: dict, after: dict) -> list[str]:
    changed = []
    for name, rows in before.items():
        if rows != after[name]:
            changed.append(
                f"{name}: {len(rows)} -> {len(after[name])} rows"
                + (" (rows changed)" if len(rows) == len(after[name]) else "")
            )
    return changed


@dataclass
class Cell:
    """One request of the matrix: persona, method, path, body, expected answer."""

    route: str
    persona: str
    method: str
    path: str
    expect: Expect
    body: dict = field(default_factory=dict)
