"""Reads scoped to the user. Anything outside the user's tenancy is a 404, never a 403."""

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .models import Agency, Membership, State
from .permissions import is_national_admin


def states_coordinated_by(user) -> QuerySet[State]:
    if not user.is_authenticated or not user.is_active:
        return State.objects.none()
    return get_objects_for_user(user, "agencies.coordinate_state", klass=State, accept_global_perms=False)


def agencies_for_user(user, perm: str = "agencies.draft_alert") -> QuerySet[Agency]:
    """Agencies where the user holds `perm` through a membership."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    return get_objects_for_user(user, perm, klass=Agency, accept_global_perms=False)


def agency_get_for_user(user, *, public_id, perm: str = "agencies.draft_alert") -> Agency:
    try:
        return agencies_for_user(user, perm).get(public_id=public_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404("No such agency") from None


def agency_registrations_for_user(user) -> QuerySet[Agency]:
    """Agencies whose registration the user may decide on: their states', or all for a national admin."""
    qs = Agency.objects.select_related("state")
    if is_national_admin(user):
        return qs
    return qs.filter(state__in=states_coordinated_by(user))


def agency_registration_get_for_user(user, *, public_id) -> Agency:
    try:
        return agency_registrations_for_user(user).get(public_id=public_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404("No such registration") from None


def memberships_of_agency(agency: Agency) -> QuerySet[Membership]:
    return agency.memberships.select_related("user").order_by("-is_active", "role", "user__email")


def coordinators_of_state(state: State) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__role="state_coordinator",
        memberships__state=state,
    ).distinct()


def national_admins():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, memberships__is_active=True, memberships__role="national_admin"
    ).distinct()
