"""Who may do what with subscribers and deliveries. Predicates only: no writes, and each says which
queries it runs (the agencies predicates they call are described in agencies/permissions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agencies.permissions import can_coordinate_state, coordinates_some_state, is_national_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from alerts.models import Message

    from .models import MediaSubscriber


def _signed_in(user: User | AnonymousUser | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_review_subscriber(user: User | AnonymousUser, subscriber: MediaSubscriber) -> bool:
    """A coordinator of one of the outlet's states, or a national administrator, verifies or rejects it.

    Queries: the global-permission check; for anyone else, the outlet's states (one query, none when
    they were prefetched) and one object-permission check per state until one matches.
    """
    if not _signed_in(user):
        return False
    return is_national_admin(user) or any(can_coordinate_state(user, s) for s in subscriber.states.all())


def can_view_deliveries(user: User | AnonymousUser, message: Message) -> bool:
    """The coordinators of the alert's state, and national administrators (read-only).

    Queries: one object-permission check on `message.alert.state` (the selectors load the alert and
    its state with the message; otherwise two more), then the global-permission check.
    """
    if not _signed_in(user):
        return False
    return can_coordinate_state(user, message.alert.state) or is_national_admin(user)


def can_retry_deliveries(user: User | AnonymousUser, message: Message) -> bool:
    """Only a coordinator of the alert's state acts on its deliveries.

    Queries: one object-permission check on `message.alert.state` (loaded as above).
    """
    return _signed_in(user) and can_coordinate_state(user, message.alert.state)


def can_see_subscriber_queue(user: User | AnonymousUser) -> bool:
    """The verification queue exists for coordinators of some state and national administrators.

    Queries: the global-permission check, then agencies' coordinates_some_state (one EXISTS).
    """
    if not _signed_in(user):
        return False
    return is_national_admin(user) or coordinates_some_state(user)
