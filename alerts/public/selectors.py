"""Reads for the public surfaces. Everything here is limited to `Alert.objects.public()` (never a
draft, pending, returned, denied or exercise alert) and raises Http404 for anything else."""

import uuid
from datetime import datetime

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404

from agencies.models import State

from ..models import Alert, Message


def _messages_prefetch() -> "Prefetch[str, QuerySet[Message], str]":
    return Prefetch("messages", queryset=Message.objects.order_by("sequence"), to_attr="public_messages")


def alert_get_public(public_id: uuid.UUID | str) -> Alert:
    """A public alert with its messages (oldest first) in `alert.public_messages`: two queries."""
    alert = (
        Alert.objects.public()
        .select_related("state")
        .prefetch_related(_messages_prefetch())
        .filter(public_id=public_id)
        .first()
    )
    if alert is None or not alert.public_messages:
        raise Http404("No such alert.")
    return alert


def message_get_public(message_id: uuid.UUID | str) -> Message:
    message = (
        Message.objects.select_related("alert__state")
        .filter(message_id=message_id, is_exercise=False, alert__in=Alert.objects.public())
        .first()
    )
    if message is None:
        raise Http404("No such message.")
    return message


def state_get_public(usps: str) -> State:
    state = State.objects.filter(usps=usps.upper()).first() if len(usps) == 2 else None
    if state is None:
        raise Http404("No such state.")
    return state


def alerts_list_public(*, active: bool, state: State | None = None) -> list[Alert]:
    """Active alerts newest first, or ended ones (the archive) most recently ended first; each with
    `public_messages`. Two queries."""
    qs = Alert.objects.public().select_related("state").prefetch_related(_messages_prefetch())
    qs = qs.active() if active else qs.ended()
    if state is not None:
        qs = qs.for_state(state)
    alerts = [a for a in qs if a.public_messages]
    if active:
        alerts.sort(key=lambda a: a.public_messages[0].sent_at, reverse=True)
    else:
        alerts.sort(key=lambda a: a.ended_at or a.public_messages[-1].sent_at, reverse=True)
    return alerts


def alerts_last_ended(state: State | None = None) -> datetime | None:
    """When an alert last left the active list (its end), for the list pages' Last-Modified."""
    qs = Alert.objects.public().ended()
    if state is not None:
        qs = qs.for_state(state)
    at: datetime | None = qs.aggregate(at=Max("ended_at"))["at"]
    return at


def states_for_filter() -> list[State]:
    return list(State.objects.participating().only("usps", "name").order_by("name"))


def alerts_for_feed(*, since: datetime, state: State | None = None) -> list[Alert]:
    """Active alerts, and alerts whose Cancel was sent after `since`, newest change first."""
    qs = (
        Alert.objects.public()
        .select_related("state")
        .prefetch_related(_messages_prefetch())
        .filter(Q(status=Alert.Status.ACTIVE) | Q(messages__kind=Message.Kind.CANCEL, messages__sent_at__gte=since))
    )
    if state is not None:
        qs = qs.for_state(state)
    alerts = [a for a in qs.distinct() if a.public_messages]
    alerts.sort(key=lambda a: a.public_messages[-1].sent_at, reverse=True)
    return alerts
