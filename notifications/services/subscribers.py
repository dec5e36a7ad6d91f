"""Media subscribers: sign-up with double opt-in, verification by a coordinator, the subscriber's
own page (a signed link, no password), and unsubscribing in one click.

The rules of what a subscription may hold live here, for the sign-up form, the subscriber's page and
the API alike (`subscription_check`): at least one state, states of the network only, counties only
within the chosen states, and a webhook URL the outbox may call (https unless
NOTIFICATIONS_WEBHOOK_ALLOW_HTTP, a host that resolves only to public addresses:
outbox.webhook_target). A refusal is a ValidationError naming the field; nothing is stored.

Links: the confirmation link is signed and expires (SUBSCRIBER_CONFIRM_MAX_AGE). The page link
does not expire, but it carries the subscriber's `manage_nonce`: rotating the nonce revokes every
link sent before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from agencies.models import County, State
from agencies.selectors import coordinators_of_state, national_admins
from audit.services import audit_record
from core.exceptions import InvalidTransition
from outbox.services import notice_create
from outbox.webhook_target import webhook_url_problem

from ..models import MediaSubscriber, _nonce, webhook_secret_new
from ..permissions import can_review_subscriber

if TYPE_CHECKING:
    from accounts.models import User

CONFIRM_SALT = "notifications.subscriber.confirm"
MANAGE_SALT = "notifications.subscriber.manage"
Status = MediaSubscriber.Status


class LinkInvalid(Exception):
    """A tampered, unknown or revoked link."""


class LinkExpired(LinkInvalid):
    """A genuine confirmation link past its max age."""


# --- links ---------------------------------------------------------------------------------------


def subscriber_confirm_token(subscriber: MediaSubscriber) -> str:
    return signing.dumps([str(subscriber.public_id), subscriber.manage_nonce], salt=CONFIRM_SALT)


def subscriber_manage_token(subscriber: MediaSubscriber) -> str:
    """No timestamp: the same link in every email, valid until the nonce is rotated."""
    return signing.Signer(salt=MANAGE_SALT).sign_object([str(subscriber.public_id), subscriber.manage_nonce])


def subscriber_manage_url(subscriber: MediaSubscriber) -> str:
    path = reverse("notifications:subscriber-manage", args=[subscriber_manage_token(subscriber)])
    return f"{settings.SITE_URL}{path}"


def subscriber_unsubscribe_url(subscriber: MediaSubscriber) -> str:
    path = reverse("notifications:subscriber-unsubscribe", args=[subscriber_manage_token(subscriber)])
    return f"{settings.SITE_URL}{path}"


def subscriber_from_token(token: str, *, salt: str, max_age: int | None = None) -> MediaSubscriber:
    """The subscriber a signed link names; LinkExpired / LinkInvalid otherwise."""
    try:
        if max_age is None:
            public_id, nonce = signing.Signer(salt=salt).unsign_object(token)
        else:
            public_id, nonce = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired("This link has expired.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid("This link is not valid.") from None
    subscriber = MediaSubscriber.objects.filter(public_id=public_id).first()
    if subscriber is None or not constant_time_compare(subscriber.manage_nonce, str(nonce)):
        raise LinkInvalid("This link is no longer valid.")
    return subscriber


def _subscriber_headers(subscriber: MediaSubscriber) -> dict[str, str]:
    url = subscriber_unsubscribe_url(subscriber)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _mail(subscriber: MediaSubscriber, template: str, **context: Any) -> None:
    notice_create(
        to=[subscriber.email],
        template=f"notifications/email/{template}",
        context={"subscriber": subscriber, "manage_url": subscriber_manage_url(subscriber), **context},
        headers=_subscriber_headers(subscriber),
    )


def _transition(subscriber: MediaSubscriber, sources: list[str], **fields: object) -> None:
    changed = MediaSubscriber.objects.filter(pk=subscriber.pk, status__in=sources).update(
        updated_at=timezone.now(), **fields
    )
    if changed != 1:
        current = MediaSubscriber.objects.filter(pk=subscriber.pk).values_list("status", flat=True).first()
        raise InvalidTransition(
            f"This subscription is {Status(current).label.lower() if current else 'gone'}; nothing was changed."
        )
    for name, value in fields.items():
        setattr(subscriber, name, value)


# --- what a subscription may hold ----------------------------------------------------------------


def subscription_check(
    *,
    states: list[State],
    counties: list[County],
    webhook_url: str,
    previous_states: Sequence[State] = (),
    previous_webhook_url: str | None = None,
) -> None:
    """Refuse (ValidationError by field) a subscription the network cannot serve.

    - states: at least one, each taking part in the network; a state already held
      (`previous_states`) is kept even if it has left the network since, so an outlet is never
      blocked from changing something else;
    - counties: only in the chosen states;
    - webhook_url (when given and not the one already stored, `previous_webhook_url`): https only
      unless NOTIFICATIONS_WEBHOOK_ALLOW_HTTP, resolving only to public addresses.
    Resolves the webhook host (DNS) when it is checked. Writes nothing.
    """
    errors: dict[str, list[str]] = {}
    held = {state.pk for state in previous_states}
    if not states:
        errors["states"] = [_("Choose at least one state.")]
    else:
        outside = sorted(s.name for s in states if not s.is_participating and s.pk not in held)
        if outside:
            errors["states"] = [
                _("Choose only states that take part in the network (not: %(states)s).")
                % {"states": ", ".join(outside)}
            ]
    state_ids = {state.pk for state in states}
    stray = sorted(str(c) for c in counties if c.state_id not in state_ids)
    if stray:
        errors["counties"] = [
            _("Choose counties only in the states you cover (not: %(counties)s).") % {"counties": ", ".join(stray)}
        ]
    if webhook_url and webhook_url != previous_webhook_url:
        problem = webhook_url_problem(webhook_url, allow_http=settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP)
        if problem:
            errors["webhook_url"] = [problem]
    if errors:
        raise ValidationError(errors)


# --- sign-up -------------------------------------------------------------------------------------


def _apply_details(subscriber: MediaSubscriber, data: dict[str, Any]) -> None:
    for name in ("organisation", "outlet_type", "contact_name", "phone", "language", "wants_exercises", "webhook_url"):
        if name in data:
            setattr(subscriber, name, data[name])
    if subscriber.webhook_url and not subscriber.webhook_secret:
        subscriber.webhook_secret = webhook_secret_new()


@transaction.atomic
def subscriber_register(
    *, data: dict[str, Any], states: list[State], counties: list[County], ip: str | None = None
) -> MediaSubscriber:
    """A newsroom signs up. Sends the confirmation link (double opt-in).

    Transition: (none) | unconfirmed | unsubscribed | rejected -> unconfirmed, with the details
    given. An address already awaiting verification or verified changes nothing: it is sent a link
    to its own page instead, so the form never reveals whether an address is subscribed.
    Refused (ValidationError by field, nothing stored or sent) when the choices break
    `subscription_check`. Audit: subscriber.registered. Side effect: one email after commit.
    Safe to repeat.
    """
    subscription_check(states=states, counties=counties, webhook_url=(data.get("webhook_url") or "").strip())
    email = data["email"].strip().lower()
    subscriber = MediaSubscriber.objects.select_for_update().filter(email__iexact=email).first()
    if subscriber is not None and subscriber.status in (Status.PENDING, Status.VERIFIED):
        _mail(subscriber, "subscriber_already")
        return subscriber
    if subscriber is None:
        subscriber = MediaSubscriber(email=email)
    _apply_details(subscriber, data)
    subscriber.status = Status.UNCONFIRMED
    subscriber.confirmed_at = subscriber.unsubscribed_at = None
    subscriber.save()
    subscriber.states.set(states)
    subscriber.counties.set(counties)
    audit_record(
        actor=None,
        action="subscriber.registered",
        target=subscriber,
        ip=ip,
        changes={"states": sorted(s.usps for s in states), "counties": len(counties), "language": subscriber.language},
    )
    _mail(
        subscriber,
        "subscriber_confirm",
        confirm_url=settings.SITE_URL
        + reverse("notifications:subscribe-confirm", args=[subscriber_confirm_token(subscriber)]),
        max_age_hours=settings.SUBSCRIBER_CONFIRM_MAX_AGE // 3600,
    )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token: str, ip: str | None = None) -> MediaSubscriber:
    """The subscriber clicked the confirmation link.

    Transition: unconfirmed -> pending (verification by a coordinator). Audit: subscriber.confirmed.
    Side effect: the coordinators of the subscriber's states (national administrators when a state
    has none) are emailed after commit. LinkExpired / LinkInvalid for a bad link. Safe to repeat:
    confirming again changes nothing.
    """
    subscriber = subscriber_from_token(token, salt=CONFIRM_SALT, max_age=settings.SUBSCRIBER_CONFIRM_MAX_AGE)
    if subscriber.status != Status.UNCONFIRMED:
        if subscriber.status in (Status.PENDING, Status.VERIFIED):
            return subscriber
        raise LinkInvalid("This link is no longer valid.")
    _transition(subscriber, [Status.UNCONFIRMED], status=Status.PENDING, confirmed_at=timezone.now())
    audit_record(actor=None, action="subscriber.confirmed", target=subscriber, ip=ip)
    reviewers: set[str] = set()
    for state in subscriber.states.all():
        emails = list(coordinators_of_state(state).values_list("email", flat=True))
        reviewers.update(emails or national_admins().values_list("email", flat=True))
    notice_create(
        to=reviewers,
        template="notifications/email/subscriber_review",
        context={
            "subscriber": subscriber,
            "review_url": settings.SITE_URL + reverse("notifications:subscriber-review", args=[subscriber.public_id]),
        },
    )
    return subscriber


def _decide_check(actor: User, subscriber: MediaSubscriber) -> None:
    if not can_review_subscriber(actor, subscriber):
        raise PermissionDenied(
            "Only a coordinator of one of the outlet's states, or a national administrator, decides."
        )


@transaction.atomic
def subscriber_verify(*, actor: User, subscriber: MediaSubscriber, ip: str | None = None) -> MediaSubscriber:
    """A coordinator (or national administrator) verifies the outlet; from now on it receives alerts.

    Transition: pending -> verified (InvalidTransition otherwise). Audit: subscriber.verified.
    Side effect: an email with the link to its own page. Not safe to repeat (the second call raises).
    """
    _decide_check(actor, subscriber)
    _transition(
        subscriber,
        [Status.PENDING],
        status=Status.VERIFIED,
        decided_at=timezone.now(),
        decided_by=actor,
        decision_reason="",
    )
    audit_record(actor=actor, action="subscriber.verified", target=subscriber, ip=ip)
    _mail(subscriber, "subscriber_verified")
    return subscriber


@transaction.atomic
def subscriber_reject(
    *, actor: User, subscriber: MediaSubscriber, reason: str, ip: str | None = None
) -> MediaSubscriber:
    """A coordinator rejects the outlet, with a reason the outlet is told.

    Transition: pending -> rejected. Audit: subscriber.rejected. Side effect: an email with the
    reason. Not safe to repeat (the second call raises InvalidTransition).
    """
    _decide_check(actor, subscriber)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition("A rejection needs a reason; the outlet is told it.")
    _transition(
        subscriber,
        [Status.PENDING],
        status=Status.REJECTED,
        decided_at=timezone.now(),
        decided_by=actor,
        decision_reason=reason,
    )
    audit_record(actor=actor, action="subscriber.rejected", target=subscriber, ip=ip, changes={"reason": reason})
    _mail(subscriber, "subscriber_rejected", reason=reason)
    return subscriber


# --- the subscriber's own page -------------------------------------------------------------------


@transaction.atomic
def subscriber_preferences_update(
    *,
    subscriber: MediaSubscriber,
    states: list[State],
    counties: list[County],
    language: str,
    wants_exercises: bool,
    webhook_url: str,
    ip: str | None = None,
) -> MediaSubscriber:
    """The subscriber changes its areas, language, exercise choice or webhook from its own page.

    No status change (an unsubscribed outlet signs up again instead: InvalidTransition). Refused
    (ValidationError by field, nothing changed) when the choices break `subscription_check`.
    Audit: subscriber.preferences_changed with the changes. Safe to repeat.
    """
    subscriber = MediaSubscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status in (Status.UNSUBSCRIBED, Status.REJECTED):
        raise InvalidTransition("This subscription has ended; sign up again to receive alerts.")
    webhook_url = (webhook_url or "").strip()
    subscription_check(
        states=states,
        counties=counties,
        webhook_url=webhook_url,
        previous_states=list(subscriber.states.all()),
        previous_webhook_url=subscriber.webhook_url,
    )
    before = {
        "states": sorted(subscriber.states.values_list("usps", flat=True)),
        "counties": sorted(subscriber.counties.values_list("pk", flat=True)),
        "language": subscriber.language,
        "wants_exercises": subscriber.wants_exercises,
        "webhook_url": subscriber.webhook_url,
    }
    _apply_details(subscriber, {"language": language, "wants_exercises": wants_exercises, "webhook_url": webhook_url})
    subscriber.save()
    subscriber.states.set(states)
    subscriber.counties.set(counties)
    after = {
        "states": sorted(s.usps for s in states),
        "counties": sorted(c.pk for c in counties),
        "language": language,
        "wants_exercises": wants_exercises,
        "webhook_url": webhook_url,
    }
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=None, action="subscriber.preferences_changed", target=subscriber, ip=ip, changes=changes)
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: MediaSubscriber, ip: str | None = None) -> bool:
    """Unsubscribe (one click, from any email or the subscriber's page).

    Transition: unconfirmed | pending | verified -> unsubscribed. Audit: subscriber.unsubscribed.
    Safe to repeat: returns False and changes nothing when already unsubscribed (or rejected).
    A cancellation of an alert the outlet already received still reaches it (DOMAIN.md).
    """
    changed = MediaSubscriber.objects.filter(
        pk=subscriber.pk, status__in=[Status.UNCONFIRMED, Status.PENDING, Status.VERIFIED]
    ).update(status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now(), updated_at=timezone.now())
    if changed != 1:
        return False
    subscriber.refresh_from_db()
    audit_record(actor=None, action="subscriber.unsubscribed", target=subscriber, ip=ip)
    return True


@transaction.atomic
def subscriber_link_rotate(*, subscriber: MediaSubscriber, ip: str | None = None) -> MediaSubscriber:
    """Revoke every link sent so far and email a new one (a forwarded email leaked the link, say).

    Transition: none (manage_nonce replaced). Audit: subscriber.link_rotated. Side effect: one email.
    Not idempotent: each call revokes the previous link.
    """
    subscriber.manage_nonce = _nonce()
    MediaSubscriber.objects.filter(pk=subscriber.pk).update(
        manage_nonce=subscriber.manage_nonce, updated_at=timezone.now()
    )
    audit_record(actor=None, action="subscriber.link_rotated", target=subscriber, ip=ip)
    _mail(subscriber, "subscriber_link")
    return subscriber
