"""Issue 7: the authorization matrix. Every route of the URLconf (the API under /api/ included; the
Django admin left out, see authz_world.SKIPPED_PREFIXES) x every persona -> the expected answer.

Personas: anonymous; alice (staff of Agency A, Texas); mallory (staff of Agency B, New York); albert
(administrator of A); carol (coordinator of Texas); yves (coordinator of New York); nora (national
administrator: sees everything, approves nothing); subscriber (a verified media outlet covering
Texas: no account, it carries nothing but its own signed link, so outside the subscriber-link routes
it is anonymous). Each route is filled from one world (authz_world.build_world) so that it names a real
object of Agency A / Texas, and some routes have a second row naming Agency B's object.

A row lists the answer to GET and to each write method the route accepts (with an empty or minimal
body). Every write whose expected answer is not a successful write is also checked to change
nothing: the rows of every model a write could touch are compared before and after.

Signed-in personas send a session (second factor verified, password confirmed a minute before), to
the pages and to the API alike: the API's Token path reaches the same selectors and services and is
covered by test_api_tokens.py. Known contradictions between the code and the rules are listed in
KNOWN_DISCREPANCIES: their cells xfail until fixed, then fail until the entry is removed.

Adding a route without its row fails test_every_route_has_a_row; so does a row for a route that no
longer exists. Rows are derived from the product rules (DOMAIN.md roles, STYLE.md tenancy: outside the
tenancy is a 404), not copied from what the code happened to answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.urls import reverse

from portal.tests.authz_world import (
    BAD,
    CREATED,
    E401,
    E403,
    E404,
    E405,
    LOGIN,
    OK,
    PERSONAS,
    REDIRECT,
    WROTE,
    Expect,
    all_routes,
    build_world,
    client_for,
    fingerprint,
    fingerprint_diff,
    finish_world,
)

# ---- How a row is written ------------------------------------------------------------------------------


def P(default: Expect, **overrides: Expect) -> dict[str, Expect]:
    """persona -> expected answer: `default` for every persona not named."""
    unknown = set(overrides) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {p: overrides.get(p, default) for p in PERSONAS}


def page(default: Expect = E404, **overrides: Expect) -> dict[str, Expect]:
    """A portal page: the accountless personas are sent to sign in (LoginRequiredMiddleware); anyone
    signed in but outside the object's tenancy gets `default` (a 404, STYLE.md)."""
    return P(default, **{"anonymous": LOGIN, "subscriber": LOGIN, **overrides})


def api(default: Expect = E404, **overrides: Expect) -> dict[str, Expect]:
    """A signed-in API endpoint: the accountless personas get 401 (IsAuthenticated, Token scheme)."""
    return P(default, **{"anonymous": E401, "subscriber": E401, **overrides})


def everyone(expect: Expect) -> dict[str, Expect]:
    return P(expect)


# The staff of Agency A, and everyone who may read its alerts (its staff, Texas' coordinators and the
# national administrator, who sees everything).
A_STAFF = ("alice", "albert")
A_READERS = (*A_STAFF, "carol", "nora")


def with_(personas: tuple[str, ...], expect: Expect) -> dict[str, Expect]:
    return dict.fromkeys(personas, expect)


@dataclass
class Row:
    get: dict[str, Expect]  # persona -> expected answer to GET
    writes: dict[str, dict[str, Expect]] = field(default_factory=dict)  # method -> persona -> expected
    kwargs: Callable = lambda w, persona: {}  # (world, persona) -> the route's URL kwargs
    body: Callable | None = None  # world -> the minimal body of the writes (default: empty)
    multipart: bool = False  # the API body is multipart (a file upload), not JSON
    path: str | None = None  # a fixed path, for a route reverse() cannot fill (a regular expression)
    # A string of Agency A / Texas data: a 200 answer to GET must contain it for the personas in
    # shown_to and must not for anyone else (lists are scoped, not only refused).
    marker: Callable | None = None
    shown_to: tuple[str, ...] = ()


def alert_kw(attr: str) -> Callable:
    return lambda w, p: {"public_id": getattr(w, attr).public_id}


def _forged(token: str) -> str:
    return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")


def link_kw(w, persona):
    """The subscriber carries its own signed link; nobody else has it, so they try a forged one."""
    return {"token": w.subscriber_token if persona == "subscriber" else _forged(w.subscriber_token)}


def confirm_kw(w, persona):
    return {"token": w.subscriber_confirm_token if persona == "subscriber" else _forged(w.subscriber_confirm_token)}


def _password_set_kw(w, persona):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return {
        "uidb64": urlsafe_base64_encode(force_bytes(w.registrant.pk)),
        "token": default_token_generator.make_token(w.registrant),
    }


def _jpeg_body(w):
    from portal.tests.authz_world import _jpeg

    return {"image": _jpeg(), "caption": "Suspect, side view"}


A_DRAFT = alert_kw("draft_a")
A_PENDING = alert_kw("pending_a")
A_ACTIVE = alert_kw("active_a")
A_RESOLVED = alert_kw("resolved_a")
B_DRAFT = alert_kw("draft_b")


def AGENCY_A(w, p):
    return {"public_id": w.agency_a.public_id}


def AGENCY_B(w, p):
    return {"public_id": w.agency_b.public_id}


def REGISTRATION(w, p):
    return {"public_id": w.registration.public_id}


def DRAFT_PHOTO(w, p):
    return {"public_id": w.draft_a.public_id, "photo_id": w.photo_a.public_id}


def MESSAGE(w, p):
    return {"message_id": w.message_a.message_id}


def ALERT_MESSAGE(w, p):
    return {"public_id": w.active_a.public_id, "message_id": w.message_a.message_id}


def ALICE_MEMBERSHIP(w, p):
    return {"public_id": w.agency_a.public_id, "membership_id": w.alice_membership.pk}


def INVITATION(w, p):
    return {"public_id": w.agency_a.public_id, "invitation_id": w.invitation.public_id}


def PENDING_SUBSCRIBER(w, p):
    return {"public_id": w.pending_subscriber.public_id}


def TEXAS(w, p):
    return {"usps": "TX"}


def REASON(w):
    return {"reason": "The plate state is missing; add it and submit again."}


def OUTCOME(w):
    return {"outcome": "apprehended", "note": "Arrested in Round Rock."}


def EXTEND(w):
    return {"hours": 12, "note": "Still at large."}


def DRAFT_MARK(w):
    return str(w.draft_a.public_id)


def PENDING_MARK(w):
    return str(w.pending_a.public_id)


def REGISTRATION_MARK(w):
    return str(w.registration.public_id)


# The answers below follow the product rules: DOMAIN.md's roles (coordinators decide, agency staff
# draft, a national administrator sees everything and approves nothing on a state's behalf) and
# STYLE.md's tenancy (outside it: 404; inside it but not allowed: 403 in the API, a redirect back with
# a message on a page). WROTE/CREATED cells are the allowed writes; every other write must change nothing.
MATRIX: dict[str, Row] = {
    # ---- accounts: the user's own account; nothing in it names another tenant ----
    "accounts:login": Row(
        get=P(REDIRECT, anonymous=OK, subscriber=OK),  # signed in: straight on to the account page
        writes={"post": P(REDIRECT, anonymous=OK, subscriber=OK)},
    ),
    "accounts:logout": Row(get=page(E405), writes={"post": page(REDIRECT)}),
    "accounts:home": Row(get=page(OK)),
    "accounts:reauth": Row(get=page(OK), writes={"post": page(OK)}),  # empty password: the form again
    "accounts:2fa-setup": Row(get=page(OK), writes={"post": page(OK)}),
    "accounts:2fa-qr": Row(get=page(OK)),
    "accounts:2fa-verify": Row(get=page(OK), writes={"post": page(OK)}),
    "accounts:2fa-manage": Row(get=page(OK), writes={"post": page(WROTE)}),  # own recovery codes
    # Coordinators (their states' people) and the national administrator unlock sign-ins.
    "accounts:lockouts": Row(
        get=page(E404, carol=OK, yves=OK, nora=OK),
        writes={"post": page(E404, carol=REDIRECT, yves=REDIRECT, nora=REDIRECT)},
        body=lambda w: {"username": "alice@austin.example"},  # not locked out: nothing to clear
    ),
    "accounts:password-change": Row(get=page(OK), writes={"post": page(OK)}),
    # The emailed set-password link (here the pending registrant's): the link is the credential.
    "accounts:password-set": Row(get=everyone(REDIRECT), writes={"post": everyone(REDIRECT)}, kwargs=_password_set_kw),
    "accounts:password-set-done": Row(get=everyone(OK)),
    "accounts:tokens": Row(get=page(OK), writes={"post": page(WROTE)}),  # own API token
    "accounts:token-revoke": Row(get=page(E405), writes={"post": page(WROTE)}),
    # ---- agencies ----
    "agencies:register": Row(get=everyone(OK), writes={"post": everyone(OK)}),  # empty: the form again
    "agencies:register-done": Row(get=everyone(OK)),
    # The invitation link is for new@austin.example: a signed-in persona with another address sees it
    # but cannot accept it; an anonymous visitor gets the sign-up form.
    "agencies:invitation-accept": Row(
        get=everyone(OK), writes={"post": everyone(OK)}, kwargs=lambda w, p: {"token": w.invitation_token}
    ),
    "agencies:registrations": Row(
        get=page(E404, carol=OK, yves=OK, nora=OK), marker=REGISTRATION_MARK, shown_to=("carol", "nora")
    ),
    "agencies:registration-detail": Row(get=page(E404, carol=OK, nora=OK), kwargs=REGISTRATION),
    "agencies:registration-detail [agency B]": Row(get=page(E404, yves=OK, nora=OK), kwargs=AGENCY_B),
    # Texas' coordinators decide on a Texas registration; nora, who approves nothing on a state's
    # behalf, is refused while Texas has a coordinator.
    "agencies:registration-verify": Row(
        get=page(E405), writes={"post": page(E404, carol=WROTE, nora=REDIRECT)}, kwargs=REGISTRATION
    ),
    "agencies:registration-reject": Row(
        get=page(E405),
        writes={"post": page(E404, carol=WROTE, nora=REDIRECT)},
        kwargs=REGISTRATION,
        body=lambda w: {"reason": "No such ORI in NCIC."},
    ),
    "agencies:members": Row(
        get=page(E404, albert=OK),
        writes={"post": page(E404, albert=WROTE)},
        kwargs=AGENCY_A,
        body=lambda w: {"email": "newer@austin.example", "role": "agency_staff"},
    ),
    "agencies:members [agency B]": Row(
        get=page(E404),
        writes={"post": page(E404)},
        kwargs=AGENCY_B,
        body=lambda w: {"email": "newer@albany.example", "role": "agency_staff"},
    ),
    "agencies:member-role": Row(
        get=page(E405),
        writes={"post": page(E404, albert=WROTE)},
        kwargs=AGENCY_A,
        body=lambda w: {"membership": w.alice_membership.pk, "role": "agency_admin"},
    ),
    "agencies:member-deactivate": Row(
        get=page(E405),
        writes={"post": page(E404, albert=WROTE)},
        kwargs=AGENCY_A,
        body=lambda w: {"membership": w.alice_membership.pk},
    ),
    "agencies:invitation-revoke": Row(get=page(E405), writes={"post": page(E404, albert=WROTE)}, kwargs=INVITATION),
    # ---- alerts: the portal pages ----
    "alerts:dashboard": Row(get=page(OK), marker=DRAFT_MARK, shown_to=A_STAFF),
    "alerts:alert-create": Row(
        get=page(E404, alice=OK, albert=OK, mallory=OK),
        # mallory may draft, but not for Agency A: the form refuses the choice and nothing is created.
        writes={"post": page(E404, alice=WROTE, albert=WROTE, mallory=OK)},
        body=lambda w: {"agency": w.agency_a.pk, "trigger": "injured"},
    ),
    "alerts:queue": Row(get=page(OK), marker=PENDING_MARK, shown_to=("carol", "nora")),
    "alerts:alert-detail": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=A_DRAFT),
    "alerts:alert-detail [pending]": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=A_PENDING),
    "alerts:alert-detail [active]": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=A_ACTIVE),
    "alerts:alert-detail [agency B draft]": Row(get=page(E404, mallory=OK, yves=OK, nora=OK), kwargs=B_DRAFT),
    # Only the agency's staff edit; a coordinator or nora is sent back to the alert's page.
    "alerts:alert-edit": Row(
        get=page(E404, alice=OK, albert=OK, carol=REDIRECT, nora=REDIRECT),
        writes={"post": page(E404, alice=OK, albert=OK, carol=REDIRECT, nora=REDIRECT)},  # empty: form again
        kwargs=A_DRAFT,
    ),
    "alerts:alert-edit [agency B draft]": Row(
        get=page(E404, mallory=OK, yves=REDIRECT, nora=REDIRECT),
        writes={"post": page(E404, mallory=OK, yves=REDIRECT, nora=REDIRECT)},
        kwargs=B_DRAFT,
    ),
    "alerts:photo-add": Row(
        get=page(E405),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=A_DRAFT,
        body=_jpeg_body,
    ),
    "alerts:photo-file": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=DRAFT_PHOTO),
    "alerts:photo-remove": Row(
        get=page(E405),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=DRAFT_PHOTO,
    ),
    "alerts:alert-submit": Row(
        get=page(E404, alice=OK, albert=OK, carol=REDIRECT, nora=REDIRECT),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=A_DRAFT,
    ),
    "alerts:alert-update-start": Row(
        get=page(E405),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=A_ACTIVE,
    ),
    # The agency's request forms show to whoever may read the alert; only its staff can send them.
    "alerts:alert-extend": Row(
        get=page(E404, **with_(A_READERS, OK)),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=A_ACTIVE,
        body=EXTEND,
    ),
    "alerts:alert-resolve-request": Row(
        get=page(E404, **with_(A_READERS, OK)),
        writes={"post": page(E404, alice=WROTE, albert=WROTE, carol=REDIRECT, nora=REDIRECT)},
        kwargs=A_ACTIVE,
        body=OUTCOME,
    ),
    # The review page is read-only for anyone who may read the alert (the decision forms show only to
    # the state's coordinators); the decisions are carol's alone: not the drafters', not nora's.
    "alerts:alert-review": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=A_PENDING),
    "alerts:alert-review [agency B draft]": Row(get=page(E404, mallory=OK, yves=OK, nora=OK), kwargs=B_DRAFT),
    "alerts:alert-approve": Row(
        get=page(E405),
        writes={"post": page(E404, alice=REDIRECT, albert=REDIRECT, carol=WROTE, nora=REDIRECT)},
        kwargs=A_PENDING,
    ),
    "alerts:alert-return": Row(
        get=page(E405),
        writes={"post": page(E404, alice=REDIRECT, albert=REDIRECT, carol=WROTE, nora=REDIRECT)},
        kwargs=A_PENDING,
        body=REASON,
    ),
    "alerts:alert-deny": Row(
        get=page(E405),
        writes={"post": page(E404, alice=REDIRECT, albert=REDIRECT, carol=WROTE, nora=REDIRECT)},
        kwargs=A_PENDING,
        body=REASON,
    ),
    "alerts:alert-resolve": Row(
        get=page(E405),
        writes={"post": page(E404, alice=REDIRECT, albert=REDIRECT, carol=WROTE, nora=REDIRECT)},
        kwargs=A_ACTIVE,
        body=OUTCOME,
    ),
    "alerts:alert-history": Row(get=page(E404, **with_(A_READERS, OK)), kwargs=A_RESOLVED),
    # ---- the REST API (portal/api_urls.py) ----
    "api:schema": Row(get=everyone(OK)),
    "api:docs": Row(get=everyone(OK)),
    "api:not-found": Row(
        get=everyone(E404),
        writes=dict.fromkeys(("post", "put", "patch", "delete"), everyone(E404)),
        path="/api/v2/alerts/",
    ),
    "api:public-alert-list": Row(get=everyone(OK), marker=DRAFT_MARK),
    "api:public-alert-detail": Row(get=everyone(OK), kwargs=A_ACTIVE),
    "api:public-alert-detail [draft]": Row(get=everyone(E404), kwargs=A_DRAFT),
    "api:alert-list": Row(
        get=api(OK),
        # Naming Agency A: only its staff may start a draft for it (400 "you cannot draft for it").
        writes={"post": api(BAD, alice=CREATED, albert=CREATED)},
        body=lambda w: {"trigger": "injured", "agency": str(w.agency_a.public_id)},
        marker=DRAFT_MARK,
        shown_to=A_READERS,
    ),
    "api:alert-review-queue": Row(get=api(OK), marker=PENDING_MARK, shown_to=("carol", "nora")),
    "api:alert-detail": Row(
        get=api(E404, **with_(A_READERS, OK)),
        writes={m: api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403) for m in ("patch", "put")},
        kwargs=A_DRAFT,
        body=lambda w: {"trigger": "injured"},
    ),
    "api:alert-detail [agency B draft]": Row(
        get=api(E404, mallory=OK, yves=OK, nora=OK),
        writes={m: api(E404, mallory=WROTE, yves=E403, nora=E403) for m in ("patch", "put")},
        kwargs=B_DRAFT,
        body=lambda w: {"trigger": "injured"},
    ),
    "api:alert-submit": Row(
        get=api(E405), writes={"post": api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403)}, kwargs=A_DRAFT
    ),
    "api:alert-approve": Row(
        get=api(E405), writes={"post": api(E404, alice=E403, albert=E403, carol=WROTE, nora=E403)}, kwargs=A_PENDING
    ),
    "api:alert-return": Row(
        get=api(E405),
        writes={"post": api(E404, alice=E403, albert=E403, carol=WROTE, nora=E403)},
        kwargs=A_PENDING,
        body=REASON,
    ),
    "api:alert-deny": Row(
        get=api(E405),
        writes={"post": api(E404, alice=E403, albert=E403, carol=WROTE, nora=E403)},
        kwargs=A_PENDING,
        body=REASON,
    ),
    "api:alert-update": Row(
        get=api(E405), writes={"post": api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403)}, kwargs=A_ACTIVE
    ),
    "api:alert-extend": Row(
        get=api(E405),
        writes={"post": api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403)},
        kwargs=A_ACTIVE,
        body=EXTEND,
    ),
    "api:alert-resolve": Row(
        get=api(E405),
        writes={"post": api(E404, alice=E403, albert=E403, carol=WROTE, nora=E403)},
        kwargs=A_ACTIVE,
        body=OUTCOME,
    ),
    "api:alert-request-resolve": Row(
        get=api(E405),
        writes={"post": api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403)},
        kwargs=A_ACTIVE,
        body=OUTCOME,
    ),
    "api:alert-photo-list": Row(
        get=api(E404, **with_(A_READERS, OK)),
        writes={"post": api(E404, alice=CREATED, albert=CREATED, carol=E403, nora=E403)},
        kwargs=A_DRAFT,
        body=_jpeg_body,
        multipart=True,
    ),
    "api:alert-photo-detail": Row(
        get=api(E405),
        writes={"delete": api(E404, alice=WROTE, albert=WROTE, carol=E403, nora=E403)},
        kwargs=DRAFT_PHOTO,
    ),
    "api:alert-message-list": Row(get=api(E404, **with_(A_READERS, OK)), kwargs=A_ACTIVE),
    "api:alert-message-detail": Row(get=api(E404, **with_(A_READERS, OK)), kwargs=ALERT_MESSAGE),
    # Deliveries: the state's coordinators and nora (read only).
    "api:alert-message-deliveries": Row(get=api(E404, carol=OK, nora=OK), kwargs=ALERT_MESSAGE),
    # The subscriber's own subscription, by its signed link; a forged link is a 404 for anyone.
    "api:subscription-detail": Row(
        get=P(E404, subscriber=OK), writes={"patch": P(E404, subscriber=WROTE)}, kwargs=link_kw
    ),
    "api:subscription-unsubscribe": Row(get=everyone(E405), writes={"post": P(E404, subscriber=WROTE)}, kwargs=link_kw),
    "api:agency-register": Row(get=everyone(E405), writes={"post": everyone(BAD)}),  # empty: what is missing
    "api:agency-list": Row(get=api(OK), marker=lambda w: str(w.agency_a.public_id), shown_to=A_STAFF),
    # "One of your agencies": membership-scoped. (nora reads any agency through the registrations.)
    "api:agency-detail": Row(get=api(E404, alice=OK, albert=OK), kwargs=AGENCY_A),
    "api:agency-detail [agency B]": Row(get=api(E404, mallory=OK), kwargs=AGENCY_B),
    "api:agency-member-list": Row(get=api(E404, albert=OK), kwargs=AGENCY_A),
    "api:agency-member-role": Row(
        get=api(E405),
        writes={"post": api(E404, albert=WROTE)},
        kwargs=ALICE_MEMBERSHIP,
        body=lambda w: {"role": "agency_admin"},
    ),
    "api:agency-member-deactivate": Row(
        get=api(E405), writes={"post": api(E404, albert=WROTE)}, kwargs=ALICE_MEMBERSHIP
    ),
    "api:agency-invitation-list": Row(
        get=api(E404, albert=OK),
        writes={"post": api(E404, albert=CREATED)},
        kwargs=AGENCY_A,
        body=lambda w: {"email": "newer@austin.example", "role": "agency_staff"},
    ),
    "api:agency-invitation-revoke": Row(get=api(E405), writes={"post": api(E404, albert=WROTE)}, kwargs=INVITATION),
    "api:registration-list": Row(
        get=api(E404, carol=OK, yves=OK, nora=OK), marker=REGISTRATION_MARK, shown_to=("carol", "nora")
    ),
    "api:registration-detail": Row(get=api(E404, carol=OK, nora=OK), kwargs=REGISTRATION),
    "api:registration-verify": Row(
        get=api(E405), writes={"post": api(E404, carol=WROTE, nora=E403)}, kwargs=REGISTRATION
    ),
    "api:registration-reject": Row(
        get=api(E405),
        writes={"post": api(E404, carol=WROTE, nora=E403)},
        kwargs=REGISTRATION,
        body=lambda w: {"reason": "No such ORI in NCIC."},
    ),
    # ---- notifications ----
    "notifications:subscribe": Row(get=everyone(OK), writes={"post": everyone(OK)}),  # empty: the form again
    "notifications:subscribe-sent": Row(get=everyone(OK)),
    # GET only shows a button (mail scanners); POST with a forged link is refused, the subscriber's own
    # (already confirmed) link changes nothing.
    "notifications:subscribe-confirm": Row(get=everyone(OK), writes={"post": P(BAD, subscriber=OK)}, kwargs=confirm_kw),
    "notifications:subscriber-manage": Row(
        get=P(E404, subscriber=OK), writes={"post": P(E404, subscriber=OK)}, kwargs=link_kw
    ),
    "notifications:subscriber-unsubscribe": Row(
        get=P(E404, subscriber=OK), writes={"post": P(E404, subscriber=WROTE)}, kwargs=link_kw
    ),
    "notifications:subscriber-link-new": Row(
        get=everyone(E405), writes={"post": P(E404, subscriber=WROTE)}, kwargs=link_kw
    ),
    # Media outlets are verified by a coordinator of one of their states or by the national
    # administrator (no rule gives an outlet to one state: it chooses several).
    "notifications:subscriber-queue": Row(
        get=page(E404, carol=OK, yves=OK, nora=OK),
        marker=lambda w: str(w.pending_subscriber.public_id),
        shown_to=("carol", "nora"),
    ),
    "notifications:subscriber-review": Row(get=page(E404, carol=OK, nora=OK), kwargs=PENDING_SUBSCRIBER),
    "notifications:subscriber-verify": Row(
        get=page(E405), writes={"post": page(E404, carol=WROTE, nora=WROTE)}, kwargs=PENDING_SUBSCRIBER
    ),
    "notifications:subscriber-reject": Row(
        get=page(E405),
        writes={"post": page(E404, carol=WROTE, nora=WROTE)},
        kwargs=PENDING_SUBSCRIBER,
        body=lambda w: {"reason": "Not a news outlet."},
    ),
    "notifications:delivery-dashboard": Row(get=page(E404, carol=OK, nora=OK), kwargs=MESSAGE),
    "notifications:delivery-progress": Row(get=page(E404, carol=OK, nora=OK), kwargs=MESSAGE),
    # nora watches deliveries but only the state's coordinators act on them.
    "notifications:delivery-retry": Row(
        get=page(E405), writes={"post": page(E404, carol=WROTE, nora=REDIRECT)}, kwargs=MESSAGE
    ),
    # ---- the public site: published alerts for everyone, nothing else for anyone ----
    "public:home": Row(get=everyone(OK), marker=DRAFT_MARK),
    "public:state-home": Row(get=everyone(OK), kwargs=TEXAS, marker=DRAFT_MARK),
    "public:archive": Row(get=everyone(OK), marker=DRAFT_MARK),
    "public:alert-page": Row(get=everyone(OK), kwargs=A_ACTIVE),
    "public:alert-page [draft]": Row(get=everyone(E404), kwargs=A_DRAFT),
    "public:alert-page [pending]": Row(get=everyone(E404), kwargs=A_PENDING),
    "public:alert-cap": Row(get=everyone(OK), kwargs=A_ACTIVE),
    "public:alert-json": Row(get=everyone(OK), kwargs=A_ACTIVE),
    "public:alert-photo": Row(
        get=everyone(OK), kwargs=lambda w, p: {"public_id": w.active_a.public_id, "photo_id": w.active_photo.public_id}
    ),
    "public:alert-photo [draft]": Row(get=everyone(E404), kwargs=DRAFT_PHOTO),
    "public:cap-message": Row(get=everyone(OK), kwargs=MESSAGE),
    "public:feed-alerts": Row(get=everyone(OK), marker=DRAFT_MARK),
    "public:feed-state": Row(get=everyone(OK), kwargs=TEXAS, marker=DRAFT_MARK),
    "healthz": Row(get=everyone(OK)),
}

# Cells where the code contradicts the product rules: the row above says what the rule wants; these
# are expected to fail until the code is fixed (and fail the test once they pass: then remove them).
KNOWN_DISCREPANCIES: dict[tuple[str, str, str], str] = {}

# ---- The tests ------------------------------------------------------------------------------------------


def _route_name(key: str) -> str:
    return key.split(" [", 1)[0]


ROUTES = all_routes()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at the end; each test is a savepoint."""
    root = tmp_path_factory.mktemp("authz")
    from django.conf import settings

    storages = {
        **settings.STORAGES,
        "publish": {**settings.STORAGES["publish"], "OPTIONS": {"location": str(root / "public"), "base_url": "/"}},
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=root / "media",
            PUBLISH_ROOT=root / "public",
            STORAGES=storages,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        from portal.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                w = build_world()
            finish_world(w)
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            app.conf.task_always_eager = eager


@pytest.fixture
def _media_and_publish_in_tmp():
    """Overrides the root conftest's per-test media folder: the world's photos live in the module's."""


CELLS = [(key, persona) for key in MATRIX for persona in PERSONAS]


def _request(client, method: str, path: str, row: Row, world, is_api: bool):
    if method == "get":
        return client.get(path)
    body = row.body(world) if row.body else {}
    if is_api and not row.multipart:
        return getattr(client, method)(path, data=json.dumps(body, default=str), content_type="application/json")
    if method == "post":
        return client.post(path, data=body)  # form-encoded, or multipart with a file
    return getattr(client, method)(path)


def _path(key: str, world, persona: str) -> str:
    row = MATRIX[key]
    return row.path or reverse(_route_name(key), kwargs=row.kwargs(world, persona))


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona"), CELLS, ids=[f"{k}-{p}" for k, p in CELLS])
def test_each_persona_gets_the_expected_answer_on_each_route(world, key, persona):
    row = MATRIX[key]
    is_api = ROUTES[_route_name(key)].drf_view is not None
    path = _path(key, world, persona)
    problems: list[str] = []
    known: list[str] = []
    reasons: set[str] = set()
    client = client_for(persona, world)
    for method, expected in [("get", row.get[persona]), *[(m, e[persona]) for m, e in row.writes.items()]]:
        found = []
        before = fingerprint() if method != "get" else None
        response = _request(client, method, path, row, world, is_api)
        wrong = expected.check(response)
        if wrong:
            found.append(f"{method.upper()} {path} as {persona}: {wrong}")
        if before is not None and not expected.changes:
            changed = fingerprint_diff(before, fingerprint())
            if changed:
                found.append(f"{method.upper()} {path} as {persona} should change nothing but changed {changed}")
        if method == "get" and row.marker and response.status_code == 200:
            marker, shown = row.marker(world), persona in row.shown_to
            if (marker in _body_text(response)) != shown:
                found.append(f"GET {path} as {persona}: {marker} {'missing' if shown else 'shown'}")
        reason = KNOWN_DISCREPANCIES.get((key, persona, method))
        if reason is None:
            problems.extend(found)
        elif found:
            known.extend(found)
            reasons.add(reason)
        else:
            problems.append(
                f"{key} {method} as {persona} now behaves as the rule says: remove it from KNOWN_DISCREPANCIES"
            )
    assert not problems, "\n".join(problems)
    if known:
        pytest.xfail("known discrepancy: " + "; ".join(known) + " -- " + " / ".join(sorted(reasons)))


def _coverage_problems(keys, route_names) -> list[str]:
    covered = {_route_name(k) for k in keys}
    problems = []
    if missing := sorted(set(route_names) - covered):
        problems.append(f"routes without a row in MATRIX (add one, with every persona): {missing}")
    if stale := sorted(covered - set(route_names)):
        problems.append(f"MATRIX rows for routes that no longer exist: {stale}")
    return problems


def test_every_route_has_a_row():
    problems = _coverage_problems(MATRIX, ROUTES)
    assert not problems, "\n".join(problems)


def test_the_completeness_check_names_a_new_route_and_a_removed_one():
    routes = {**ROUTES, "alerts:alert-clone": None}
    del routes["alerts:alert-history"]
    assert _coverage_problems(MATRIX, routes) == [
        "routes without a row in MATRIX (add one, with every persona): ['alerts:alert-clone']",
        "MATRIX rows for routes that no longer exist: ['alerts:alert-history']",
    ]


def test_the_walker_finds_the_api_and_leaves_the_admin_out():
    assert {"api:alert-approve", "alerts:alert-review", "public:cap-message", "accounts:login"} <= set(ROUTES)
    assert not [name for name in ROUTES if name.startswith("admin:")]
    assert not [r.pattern for r in ROUTES.values() if r.pattern.startswith("admin/")]


def test_every_row_names_every_persona_and_each_write_method_of_its_api_view():
    problems = []
    for key, row in MATRIX.items():
        for method, expected in [("get", row.get), *row.writes.items()]:
            if set(expected) != set(PERSONAS):
                problems.append(f"{key} {method}: personas {sorted(set(PERSONAS) - set(expected))} missing")
        route = ROUTES.get(_route_name(key))
        if route is not None and not route.drf_write_methods() <= set(row.writes):
            problems.append(f"{key}: the view accepts {sorted(route.drf_write_methods() - set(row.writes))}, no row")
    assert not problems, "\n".join(problems)


# ---- Exploration aid ---------------------------------------------------------------------------------------
# AUTHZ_EXPLORE=/tmp/answers.txt pytest portal/tests/test_authorization_matrix.py -k explore writes what
# every cell answers today (code, redirect target, * when the database changed): a start for a new row,
# to be checked against the rules before it is copied.


@pytest.mark.skipif(not os.environ.get("AUTHZ_EXPLORE"), reason="exploration aid, run by hand")
@pytest.mark.django_db
def test_explore(world):
    out = []
    for key, row in MATRIX.items():
        route = ROUTES[_route_name(key)]
        is_api = route.drf_view is not None
        for method in ["get", *row.writes]:
            seen = {}
            for persona in PERSONAS:
                sid = transaction.savepoint()
                client = client_for(persona, world)
                path = _path(key, world, persona)
                before = fingerprint()
                r = _request(client, method, path, row, world, is_api)
                loc = r.get("Location", "")
                tag = str(r.status_code)
                if 300 <= r.status_code < 400:
                    tag += "L" if loc.startswith("/accounts/login/") else ">" + loc.split("?")[0][:40]
                if fingerprint_diff(before, fingerprint()):
                    tag += "*"
                transaction.savepoint_rollback(sid)
                seen[persona] = tag
            out.append(f"{key:45} {method:6} " + " ".join(f"{p[:4]}={t}" for p, t in seen.items()))
    with open(os.environ["AUTHZ_EXPLORE"], "w") as f:
        f.write("\n".join(out))


# ---- Bad input on the pages: a clear answer, never a 500 --------------------------------------------

_JUNK = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "99999999999",
    "2026-13-45",
    "not-a-uuid",
    "<script>alert(1)</script>",
    "\u201csmart\u201d",
]

FORM_CELLS = [
    (key, persona)
    for key, row in MATRIX.items()
    if ROUTES[_route_name(key)].drf_view is None and "post" in row.writes
    for persona in PERSONAS
    if row.writes["post"][persona].changes
]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona"), FORM_CELLS, ids=[f"{k}-{p}" for k, p in FORM_CELLS])
def test_a_form_posted_empty_or_with_junk_by_someone_allowed_never_answers_500(world, key, persona):
    row = MATRIX[key]
    path = _path(key, world, persona)
    client = client_for(persona, world)
    fields = list((row.body(world) if row.body else {}).keys()) or ["reason", "note", "outcome", "email"]
    bodies = [{}] + [dict.fromkeys(fields, junk) for junk in _JUNK]
    for body in bodies:
        response = client.post(path, data=body)
        assert response.status_code < 500, f"POST {path} as {persona} with {body!r:.120}: {response.status_code}"
