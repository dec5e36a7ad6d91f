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
    """The state's coordinators, or a national administrator, decide on a registration."""
    return can_coordinate_state(user, agency.state) or is_national_admin(user)
