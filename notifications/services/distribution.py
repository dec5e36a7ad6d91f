"""Who receives a message, the outbox rows that say so, and the check that every approved message
was planned. Sending, retrying and sweeping the rows is the outbox's (outbox.sending, .sweeper).

Recipient rules (documented in the README):
- Media subscribers: verified (so their email is confirmed) and not unsubscribed, covering one of
  the alert's states; when they chose counties in that state and the alert is not statewide there,
  at least one county in common. Their language decides the rendering (English, Spanish or both).
- Law enforcement: active users with an active membership of a verified agency in one of the
  alert's states get the law-enforcement version.
- Exercises: only subscribers who opted in; never law enforcement and never anyone else.
- Update and Cancel: everyone who got an earlier message of the alert, plus new matches. An Update
  skips subscribers who unsubscribed since and former law-enforcement members; a Cancel reaches
  everyone who got an earlier message (DOMAIN.md), former members receiving the public version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import Agency, Role
from alerts.models import Alert, Message
from audit.services import audit_record
from outbox import services as outbox_services
from outbox.models import Delivery
from outbox.tasks import deliveries_enqueue

from ..models import DistributionPlan, MediaSubscriber
from ..permissions import can_retry_deliveries
from . import rendering

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)


def _alert_area(alert: Alert) -> dict[int, set[int] | None]:
    """state id -> county ids of the alert in that state, or None for the whole state."""
    counties: dict[int, set[int]] = {}
    if not alert.statewide:
        for county_id, state_id in alert.counties.values_list("id", "state_id"):
            counties.setdefault(state_id, set()).add(county_id)
    states = {alert.state_id, *alert.extra_states.values_list("id", flat=True)}
    return {state_id: (counties.get(state_id) or None) for state_id in states}


def _subscriber_matches(subscriber: MediaSubscriber, area: dict[int, set[int] | None]) -> bool:
    chosen_counties: dict[int, set[int]] = {}
    for county in subscriber.counties.all():
        chosen_counties.setdefault(county.state_id, set()).add(county.pk)
    for state in subscriber.states.all():
        if state.pk not in area:
            continue
        alert_counties = area[state.pk]
        mine = chosen_counties.get(state.pk)
        if alert_counties is None or not mine or mine & alert_counties:
            return True
    return False


def _subscriber_rows(message: Message, subscriber: MediaSubscriber) -> list[Delivery]:
    common = {
        "message": message,
        "recipient_key": subscriber.recipient_key,
        "audience": Delivery.Audience.MEDIA,
        "language": subscriber.language,
        "subscriber": subscriber,
    }
    rows = [Delivery(channel=Delivery.Channel.EMAIL, address=subscriber.email, **common)]
    if subscriber.webhook_url and subscriber.webhook_secret:
        rows.append(Delivery(channel=Delivery.Channel.WEBHOOK, address=subscriber.webhook_url, **common))
    return rows


def _law_enforcement_users(state_ids: Iterable[int]) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=[Role.AGENCY_STAFF, Role.AGENCY_ADMIN],
            memberships__agency__status=Agency.Status.VERIFIED,
            memberships__agency__state_id__in=list(state_ids),
        )
        .distinct()
    )


def recipients_for_message(message: Message) -> list[Delivery]:
    """Unsaved Delivery rows for everyone who should receive this message, one per channel."""
    return list(recipients_iter(message))


def recipients_iter(message: Message) -> Iterator[Delivery]:
    """The same rows, produced as they are found so planning can commit them page by page: law
    enforcement first (the smallest group, and the one that acts first), then media subscribers,
    then, for an Update or Cancel, earlier recipients not matched again."""
    alert = message.alert
    area = _alert_area(alert)
    seen: set[tuple[str, str]] = set()
    priority = _is_priority(message.kind)

    def emit(row: Delivery) -> Delivery | None:
        key = (row.recipient_key, row.channel)
        if key in seen:
            return None
        seen.add(key)
        row.smtp_message_id = rendering.message_mail_id(message.message_id, row.recipient_key)
        row.priority = priority
        return row

    le_ids = set()
    if not message.is_exercise:
        for user in _law_enforcement_users(area):
            le_ids.add(user.pk)
            row = emit(
                Delivery(
                    message=message,
                    recipient_key=f"user.{user.pk}",
                    channel=Delivery.Channel.EMAIL,
                    audience=Delivery.Audience.LAW_ENFORCEMENT,
                    language="en",
                    address=user.email,
                    user=user,
                )
            )
            if row:
                yield row

    subscribers = (
        MediaSubscriber.objects.receiving()
        .filter(states__in=list(area))
        .distinct()
        .order_by("pk")
        .prefetch_related("states", "counties")
    )
    if message.is_exercise:
        subscribers = subscribers.filter(wants_exercises=True)
    for subscriber in subscribers.iterator(chunk_size=1000):
        if _subscriber_matches(subscriber, area):
            for candidate in _subscriber_rows(message, subscriber):
                row = emit(candidate)
                if row:
                    yield row

    if message.sequence > 1:
        is_cancel = message.kind == Message.Kind.CANCEL
        earlier = (
            Delivery.objects.filter(message__alert=alert, message__sequence__lt=message.sequence)
            .select_related("subscriber", "user")
            .order_by("-id")
        )
        for old in earlier.iterator(chunk_size=2000):
            if (old.recipient_key, old.channel) in seen:
                continue
            row = Delivery(
                message=message,
                recipient_key=old.recipient_key,
                channel=old.channel,
                audience=old.audience,
                language=old.language,
                address=old.address,
                subscriber=old.subscriber,
                user=old.user,
            )
            sub = old.subscriber
            if sub is not None:
                if sub.status != MediaSubscriber.Status.VERIFIED and not is_cancel:
                    continue
                row.language = sub.language
                if old.channel == Delivery.Channel.WEBHOOK and sub.webhook_url:
                    row.address = sub.webhook_url
            elif old.user_id and old.user_id not in le_ids:
                if not is_cancel:
                    continue
                row.audience = Delivery.Audience.PUBLIC  # no longer a member: no law-enforcement detail
            row = emit(row)
            if row:
                yield row


def message_deliveries_create(*, message_id: int, on_page: Callable[[list[int]], None] | None = None) -> list[int]:
    """Create the outbox rows of an approved message; return the ids of the rows it created.

    Transition: (none) -> Delivery `queued`, one per (message, recipient, channel), inserted with
    bulk_create(ignore_conflicts=True) under a unique constraint, one transaction per page of
    NOTIFICATIONS_PLAN_PAGE rows so the first page can be sent while the rest is planned
    (`on_page(ids)` runs inside each page's transaction: schedule work with on_commit there).
    Then the DistributionPlan that marks the planning finished, and the audit row
    message.distribution_planned when rows were created. Safe to repeat: a second run creates
    nothing and returns []; a run cut short is completed by the next (the sweeper's plan check).
    """
    message = Message.objects.select_related("alert").get(pk=message_id)
    existing = set(message.deliveries.values_list("recipient_key", "channel"))
    created: list[int] = []
    for page in _pages(recipients_iter(message), settings.NOTIFICATIONS_PLAN_PAGE):
        new = [row for row in page if (row.recipient_key, row.channel) not in existing]
        if not new:
            continue
        with transaction.atomic():
            now = timezone.now()
            for row in new:
                row.enqueued_at = now
            Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            keys = {(row.recipient_key, row.channel) for row in new}
            ids = sorted(
                pk
                for pk, key, channel in message.deliveries.filter(
                    status=Delivery.Status.QUEUED, recipient_key__in={k for k, _ in keys}
                ).values_list("pk", "recipient_key", "channel")
                if (key, channel) in keys
            )
            if on_page is not None and ids:
                on_page(ids)
        created.extend(ids)
    with transaction.atomic():
        if created:
            audit_record(
                actor=None,
                action="message.distribution_planned",
                target=message,
                changes={"deliveries": len(created), "kind": message.kind, "sequence": message.sequence},
            )
        DistributionPlan.objects.get_or_create(message=message, defaults={"deliveries": len(created)})
    return sorted(created)


def _pages(rows: Iterable[Delivery], size: int) -> Iterator[list[Delivery]]:
    page: list[Delivery] = []
    for row in rows:
        page.append(row)
        if len(page) >= size:
            yield page
            page = []
    if page:
        yield page


def message_distribute(*, message_id: int) -> int:
    """Plan the deliveries of an approved message and queue their sending in chunks.

    Side effects: send tasks, after each page of rows commits, on the priority queue for an Update or Cancel (they
    overtake any bulk sending still running) and on the bulk queue for the first Alert.
    Safe to repeat: rows already planned are neither re-created nor re-queued (the sweeper
    requeues any whose task was lost). Returns the number of rows created.
    """
    kind = Message.objects.filter(pk=message_id).values_list("kind", flat=True).get()
    ids = message_deliveries_create(
        message_id=message_id, on_page=lambda page: deliveries_enqueue(page, priority=_is_priority(kind))
    )
    return len(ids)


def _is_priority(message_kind: str) -> bool:
    """An Update or Cancel overtakes any first fan-out still running (the bulk queue)."""
    return message_kind != Message.Kind.ALERT


def messages_unplanned() -> list[int]:
    """Messages approved a while ago whose planning never finished (its task was lost with the broker
    or its worker): approved between NOTIFICATIONS_REPLAN_HOURS and NOTIFICATIONS_REPLAN_AFTER_SECONDS
    ago with no DistributionPlan, at most 100, oldest first. A read; the caller queues the planning
    (notifications.tasks.messages_plan_check). Planning is idempotent, so a slow planner still
    running when this fires does no harm."""
    now = timezone.now()
    since = now - timedelta(hours=settings.NOTIFICATIONS_REPLAN_HOURS)
    before = now - timedelta(seconds=settings.NOTIFICATIONS_REPLAN_AFTER_SECONDS)
    ids = list(
        Message.objects.filter(created_at__gte=since, created_at__lt=before, distribution_plan__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    for pk in ids:
        log.error("message %s was never planned: planning it again", pk)
    if ids:
        log.warning("plan check: %d messages re-planned", len(ids))
    return ids


def deliveries_retry_failed(*, actor: User, message: Message, ip: str | None = None) -> int:
    """Send again every failed delivery of the message (a coordinator's "retry failed").

    Transition: failed_perm | failed_temp -> queued (attempts reset; outbox.services). Audit:
    deliveries.retried. Side effect: send tasks on the priority queue after commit. Safe to repeat
    (a second call finds nothing failed and changes nothing). Only a coordinator of the alert's
    state may do it.
    """
    if not can_retry_deliveries(actor, message):
        raise PermissionDenied("Only a coordinator of the alert's state may retry its deliveries.")
    with transaction.atomic():
        ids = outbox_services.deliveries_retry_failed(message_id=message.pk)
        if ids:
            audit_record(
                actor=actor, action="deliveries.retried", target=message, changes={"deliveries": len(ids)}, ip=ip
            )
    return len(ids)
