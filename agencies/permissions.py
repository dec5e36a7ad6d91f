"""Who may do what. Predicates only: no writes, no queries beyond the permission checks.

Object permissions come from django-guardian, granted on Agency and State by the membership
services and nowhere else; the predicates below are the only place views and services ask them.
"""

from .models import Agency, State


def is_national_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("agencies.administer_network"))


def can_draft_for_agency(user, agency: Agency) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and agency.status == Agency.Status.VERIFIED
        and user.has_perm("agencies.draft_alert", agency)
    )


def can_manage_agency(user, agency: Agency) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and agency.status == Agency.Status.VERIFIED
        and user.has_perm("agencies.manage_agency", agency)
    )


def can_coordinate_state(user, state: State) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("agencies.coordinate_state", state))


def can_verify_agency(user, agency: Agency) -> bool:
    """The state's coordinators decide on a registration. A national administrator approves nothing
    on a state's behalf, so only where the state has no active coordinator (registrations there are
    emailed to the national administrators)."""
    if can_coordinate_state(user, agency.state):
        return True
    if not is_national_admin(user):
        return False
    from .selectors import coordinators_of_state

    return not coordinators_of_state(agency.state).exists()
