"""Reads scoped to the user. Anything outside the user's tenancy is a 404, never a 403."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from .exceptions import InvitationInvalid
from .models import Agency, Invitation, Membership, Role, State
from .permissions import coordinates_some_state, is_national_admin

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def states_coordinated_by(user: User | AnonymousUser) -> QuerySet[State]:
    if not user.is_authenticated or not user.is_active:
        return State.objects.none()
    return get_objects_for_user(user, "agencies.coordinate_state", klass=State, accept_global_perms=False)


def agencies_for_user(user: User | AnonymousUser, perm: str = "agencies.draft_alert") -> QuerySet[Agency]:
    """Agencies where the user holds `perm` through a membership."""
    if not user.is_authenticated or not user.is_active:
        return Agency.objects.none()
    return get_objects_for_user(user, perm, klass=Agency, accept_global_perms=False)


def agency_get_for_user(
    user: User | AnonymousUser, *, public_id: UUID | str, perm: str = "agencies.draft_alert"
) -> Agency:
    try:
        return agencies_for_user(user, perm).get(public_id=public_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404("No such agency") from None


def agency_registrations_for_user(user: User | AnonymousUser) -> QuerySet[Agency]:
    """Agencies whose registration the user may decide on: their states', or all for a national admin."""
    qs = Agency.objects.select_related("state")
    if is_national_admin(user):
        return qs
    return qs.filter(state__in=states_coordinated_by(user))


def agency_registration_get_for_user(user: User | AnonymousUser, *, public_id: UUID | str) -> Agency:
    try:
        return agency_registrations_for_user(user).get(public_id=public_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404("No such registration") from None


def memberships_of_agency(agency: Agency) -> QuerySet[Membership]:
    return agency.memberships.select_related("user").order_by("-is_active", "role", "user__email")


def coordinators_of_state(state: State) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role=Role.STATE_COORDINATOR,
            memberships__state=state,
        )
        .distinct()
    )


def national_admins() -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__is_active=True, memberships__role=Role.NATIONAL_ADMIN)
        .distinct()
    )


# The salt namespaces invitation signatures: a token signed for anything else never validates here.
INVITATION_SALT = "agencies.invitation"


def registrations_pending_first(user: User | AnonymousUser) -> QuerySet[Agency]:
    """The registration queue: pending ones first (oldest first), then decided ones, newest decision first."""
    return (
        agency_registrations_for_user(user)
        .select_related("decided_by")
        .annotate(
            pending_first=Case(
                When(status=Agency.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("pending_first", "created_at")
    )


def may_review_registrations(user: User | AnonymousUser) -> bool:
    """Whether the registration queue exists for the user at all (a coordinator of some state, or national)."""
    return is_national_admin(user) or coordinates_some_state(user)


def registration_requested_admins(agency: Agency) -> QuerySet[Membership]:
    """The administrator(s) named on the registration form: agency-admin memberships not yet granted."""
    return agency.memberships.filter(role=Role.AGENCY_ADMIN).select_related("user").order_by("created_at")


def invitations_pending_of_agency(agency: Agency) -> QuerySet[Invitation]:
    return Invitation.objects.filter(agency=agency).pending().select_related("invited_by")


def invitation_get_for_agency(agency: Agency, *, public_id: UUID | str) -> Invitation:
    try:
        return Invitation.objects.select_related("agency").get(agency=agency, public_id=public_id)
    except (Invitation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such invitation") from None


def invitation_get_by_token(token: str) -> Invitation:
    """The invitation an emailed link names, if it can still be used; else InvitationInvalid saying why."""
    try:
        public_id = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvitationInvalid(
            "This invitation has expired. Ask your agency administrator to send a new one."
        ) from None
    except signing.BadSignature:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you opened the whole link from the email.", gone=False
        ) from None
    try:
        invitation = Invitation.objects.select_related("agency", "invited_by").get(public_id=public_id)
    except (Invitation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise InvitationInvalid("This invitation no longer exists.") from None
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation was already used. Sign in with your account instead.")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("This invitation was withdrawn by the agency. Ask your agency administrator.")
    if invitation.agency.status != Agency.Status.VERIFIED:
        raise InvitationInvalid("This agency cannot take new members at the moment. Ask your state coordinator.")
    return invitation


def lockout_scope(user: User | AnonymousUser) -> QuerySet[User] | None:
    """The accounts whose locked sign-ins `user` may clear (accounts.policy): everyone for a national
    administrator (None); for a coordinator, the members of their states' agencies and their states'
    coordinators; nobody for anyone else."""
    if is_national_admin(user):
        return None
    states = states_coordinated_by(user)
    return (
        get_user_model()
        .objects.filter(memberships__is_active=True)
        .filter(Q(memberships__agency__state__in=states) | Q(memberships__state__in=states))
        .distinct()
    )
