"""Who may do what. Predicates only: no writes, and each says which queries it runs.

Object permissions come from django-guardian, granted on Agency and State by the membership
services and nowhere else; the predicates below are the only place views and services ask them.
What a check costs (agencies/tests/test_permissions.py holds these counts):

- a global permission (`is_national_admin`): Django's ModelBackend loads the user's permissions
  once per user object (2 queries: the user's, their groups'); later calls on the same object run
  none;
- an object permission (`can_*` on an agency or a state): django-guardian asks the database each
  time (2 queries: the user's grants on that object, their groups'); nothing is cached between calls.

The predicates never follow a relation the caller has not loaded beyond what they document, and
never import the selectors (the selectors filter with these predicates, not the other way round).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from guardian.shortcuts import get_objects_for_user

from .models import Agency, Membership, Role, State

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# Roles whose holders must sign in with a second factor (accounts asks through its account policy).
ROLES_REQUIRING_SECOND_FACTOR = (Role.STATE_COORDINATOR, Role.AGENCY_ADMIN, Role.NATIONAL_ADMIN)


def is_national_admin(user: User | AnonymousUser) -> bool:
    """Holds the global `administer_network` permission. Queries: the user's permissions, once per
    user object (see above)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("agencies.administer_network"))


def can_draft_for_agency(user: User | AnonymousUser, agency: Agency) -> bool:
    """Staff or administrator of this verified agency. Queries: one object-permission check, and
    none when the agency is not verified."""
    return bool(
        user.is_authenticated
        and user.is_active
        and agency.status == Agency.Status.VERIFIED
        and user.has_perm("agencies.draft_alert", agency)
    )


def can_manage_agency(user: User | AnonymousUser, agency: Agency) -> bool:
    """Administrator of this verified agency. Queries: one object-permission check, and none when the
    agency is not verified."""
    return bool(
        user.is_authenticated
        and user.is_active
        and agency.status == Agency.Status.VERIFIED
        and user.has_perm("agencies.manage_agency", agency)
    )


def can_coordinate_state(user: User | AnonymousUser, state: State) -> bool:
    """Coordinator of this state. Queries: one object-permission check."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("agencies.coordinate_state", state))


def coordinates_some_state(user: User | AnonymousUser) -> bool:
    """Coordinator of at least one state. Queries: one EXISTS (django-guardian's objects-for-user; it
    looks the permission's content type up once per process, one more query the first time)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return get_objects_for_user(user, "agencies.coordinate_state", klass=State, accept_global_perms=False).exists()


def can_verify_agency(user: User | AnonymousUser, agency: Agency) -> bool:
    """The state's coordinators decide on a registration. A national administrator approves nothing
    on a state's behalf, so only where the state has no active coordinator (registrations there are
    emailed to the national administrators).

    Queries: one object-permission check on `agency.state` (loaded by the caller, else one more);
    for someone who is not its coordinator, the global-permission check, and for a national
    administrator one EXISTS for an active coordinator of the state.
    """
    if can_coordinate_state(user, agency.state):
        return True
    if not is_national_admin(user):
        return False
    return not (Membership.objects.active().filter(role=Role.STATE_COORDINATOR, state_id=agency.state_id).exists())


def second_factor_required_by_role(user: User) -> bool:
    """Coordinators, agency and national administrators, and staff of states that require it
    (`State.staff_require_2fa`), by their active memberships. Queries: one (the memberships with
    their agencies' states)."""
    memberships = Membership.objects.filter(user=user, is_active=True).filter(
        Q(role__in=ROLES_REQUIRING_SECOND_FACTOR) | Q(agency__state__staff_require_2fa=True)
    )
    return memberships.exists()
