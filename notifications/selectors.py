"""Reads scoped to the user (404 outside the tenancy) and the subscriber's own page by its link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from agencies.permissions import is_national_admin
from agencies.selectors import states_coordinated_by
from alerts.models import Message

from .models import MediaSubscriber
from .services.subscribers import MANAGE_SALT, LinkInvalid, subscriber_from_token

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def subscribers_for_reviewer(user: User | AnonymousUser) -> QuerySet[MediaSubscriber]:
    """Subscribers whose verification the user decides: their states' outlets, or all for a national admin."""
    qs = MediaSubscriber.objects.prefetch_related("states")
    if is_national_admin(user):
        return qs
    return qs.filter(states__in=states_coordinated_by(user)).distinct()


def subscriber_get_for_reviewer(user: User | AnonymousUser, *, public_id: UUID | str) -> MediaSubscriber:
    try:
        return subscribers_for_reviewer(user).get(public_id=public_id)
    except (MediaSubscriber.DoesNotExist, ValueError, TypeError):
        raise Http404("No such subscriber") from None


def subscriber_get_by_manage_token(token: str) -> MediaSubscriber:
    """The subscriber's own page: the signed link is the credential. 404 for a bad or revoked link."""
    try:
        return subscriber_from_token(token, salt=MANAGE_SALT)
    except LinkInvalid:
        raise Http404("This link is not valid any more.") from None


def message_get_for_deliveries(user: User | AnonymousUser, *, message_id: UUID | str) -> Message:
    """A message whose deliveries the user may see: the alert's state coordinators, national admins."""
    qs = Message.objects.select_related("alert__state", "alert__agency")
    if not is_national_admin(user):
        qs = qs.filter(alert__state__in=states_coordinated_by(user))
    try:
        return qs.get(message_id=message_id)
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404("No such message") from None
