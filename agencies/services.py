"""Every write in the agencies app: memberships (and the object permissions that follow from them),
registration, verification and invitations. Each write is one transaction with its audit row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from accounts.reauth import ensure_fresh_reauth
from audit.services import audit_record
from core.exceptions import InvalidTransition
from outbox.services import email_notify

from .exceptions import InvitationInvalid
from .models import Agency, County, Invitation, Membership, Role, State
from .permissions import can_manage_agency, can_verify_agency
from .selectors import (
    INVITATION_SALT,
    coordinators_of_state,
    invitation_get_by_token,
    national_admins,
    registration_requested_admins,
)

if TYPE_CHECKING:
    from accounts.models import User

_Editable = TypeVar("_Editable", bound=models.Model)

# The single source of truth for what each role may do. Grants are recomputed from it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.AGENCY_STAFF: ("agencies.draft_alert",),
    Role.AGENCY_ADMIN: ("agencies.draft_alert", "agencies.manage_agency"),
    Role.STATE_COORDINATOR: ("agencies.coordinate_state",),
    Role.NATIONAL_ADMIN: ("agencies.administer_network",),  # global, not per object
}
_TENANT_MODELS = ("agency", "state")


def expected_grants(user: User) -> set[tuple[str, str, str | None]]:
    """(permission codename, model, object pk) the user should hold, from active memberships."""
    grants: set[tuple[str, str, str | None]] = set()
    if not user.is_active:
        return grants
    for m in user.memberships.filter(is_active=True):
        for perm in ROLE_PERMISSIONS[m.role]:
            codename = perm.split(".")[1]
            if m.role == Role.NATIONAL_ADMIN:
                grants.add((codename, "global", None))
            elif m.agency_id:
                grants.add((codename, "agency", str(m.agency_id)))
            else:
                grants.add((codename, "state", str(m.state_id)))
    return grants


def actual_grants(user: User) -> set[tuple[str, str, str | None]]:
    rows = UserObjectPermission.objects.filter(
        user=user, content_type__app_label="agencies", content_type__model__in=_TENANT_MODELS
    ).values_list("permission__codename", "content_type__model", "object_pk")
    grants: set[tuple[str, str, str | None]] = {(c, model, str(pk)) for c, model, pk in rows}
    grants |= {
        (c, "global", None)
        for c in user.user_permissions.filter(content_type__app_label="agencies").values_list("codename", flat=True)
    }
    return grants


def _sync_permissions(user: User) -> None:
    """Make the user's guardian grants equal to what their active memberships imply."""
    UserObjectPermission.objects.filter(
        user=user, content_type__app_label="agencies", content_type__model__in=_TENANT_MODELS
    ).delete()
    user.user_permissions.remove(*Permission.objects.filter(content_type__app_label="agencies"))
    for codename, model, pk in expected_grants(user):
        if model == "global":
            user.user_permissions.add(Permission.objects.get(content_type__app_label="agencies", codename=codename))
        else:
            assert pk is not None  # only the global grants name no object
            obj = Agency.objects.get(pk=pk) if model == "agency" else State.objects.get(pk=pk)
            assign_perm(f"agencies.{codename}", user, obj)
    # Django caches permissions on the instance; the next check must see the new grants.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    agency: Agency | None = None,
    state: State | None = None,
    ip: str | None = None,
) -> Membership:
    """Give `user` a role in an agency, a state, or the network; re-activates a former membership.

    Transition: (none | inactive) -> active. Audit: membership.granted. Safe to repeat.
    """
    if role in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN) and agency is None:
        raise ValidationError("An agency role needs an agency.")
    if role == Role.STATE_COORDINATOR and state is None:
        raise ValidationError("A coordinator role needs a state.")
    lookup: dict[str, object] = {"user": user}
    if agency is not None:
        lookup["agency"] = agency
    elif state is not None:
        lookup["state"] = state
    else:
        lookup["role"] = Role.NATIONAL_ADMIN
    membership = Membership.objects.select_for_update().filter(**lookup).first()
    before = (membership.role, membership.is_active) if membership else None
    if membership is None:
        membership = Membership.objects.create(role=role, agency=agency, state=state, **{"user": user})
    else:
        membership.role = role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active", "updated_at"])
    _sync_permissions(user)
    if before != (role, True):
        audit_record(
            actor=actor,
            action="membership.granted",
            target=membership,
            ip=ip,
            changes={"user": user.email, "role": role, "before": before and {"role": before[0], "active": before[1]}},
        )
    return membership


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.active()
        .filter(agency=membership.agency, role=Role.AGENCY_ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(
    *, actor: User | None, membership: Membership, role: str, ip: str | None = None
) -> Membership:
    """Switch an agency member between staff and administrator. Audit: membership.role_changed.

    Refused when it would leave the agency without an active administrator. Safe to repeat.
    """
    if membership.agency_id is None or role not in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN):
        raise ValidationError("Only agency members can be switched between staff and administrator.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.AGENCY_ADMIN and not _other_active_admins(membership):
        raise ValidationError(
            "The agency's last administrator cannot step down; make someone else administrator first."
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _sync_permissions(membership.user)
    audit_record(
        actor=actor,
        action="membership.role_changed",
        target=membership,
        ip=ip,
        changes={"user": membership.user.email, "role": [old, role]},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: User | None, membership: Membership, ip: str | None = None) -> Membership:
    """Remove a member's rights (the row stays for the record). Audit: membership.deactivated.

    Refused for the agency's last active administrator. Safe to repeat.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    if membership.role == Role.AGENCY_ADMIN and not _other_active_admins(membership):
        raise ValidationError(
            "The agency's last administrator cannot be removed; make someone else administrator first."
        )
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _sync_permissions(membership.user)
    audit_record(
        actor=actor,
        action="membership.deactivated",
        target=membership,
        ip=ip,
        changes={"user": membership.user.email, "role": membership.role},
    )
    return membership


# ---------------------------------------------------------------------------------------------------
# Registration, verification, invitations and member management (appended below the membership
# services, which stay the only place guardian permissions are granted).

DUPLICATE_ORI = (
    "An agency with this ORI is already registered. If it is yours, ask its administrator or your "
    "state coordinator for an invitation."
)
DUPLICATE_EMAIL = "An account with this email address already exists. Sign in, or ask your state coordinator for help."


def _user_model() -> type[User]:
    return get_user_model()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _registration_recipients(state: State) -> list[str]:
    emails = list(coordinators_of_state(state).values_list("email", flat=True))
    # A state with no coordinator yet: the national administrators appoint one and decide.
    return emails or list(national_admins().values_list("email", flat=True))


def _registration_conflicts(*, ori: str, email: str) -> dict[str, str]:
    """Field errors for an ORI or an administrator email that is already taken."""
    errors: dict[str, str] = {}
    if Agency.objects.filter(ori=ori).exists():
        errors["ori"] = DUPLICATE_ORI
    if _user_model().objects.filter(email__iexact=email).exists():
        errors["admin_email"] = DUPLICATE_EMAIL
    return errors


def agency_register(
    *,
    name: str,
    ori: str,
    agency_type: str,
    state: State,
    county: County | None = None,
    address: str,
    city: str,
    postal_code: str,
    phone: str,
    tip_line: str = "",
    head_name: str,
    head_title: str = "",
    admin_full_name: str,
    admin_email: str,
    admin_phone: str = "",
    ip: str | None = None,
) -> Agency:
    """Public registration: a pending Agency, an inactive User with no usable password, and a
    not-yet-active agency_admin Membership that carries no permission until agency_verify grants it.

    Transition: (none) -> Agency pending. Audit: agency.registered (actor: the requesting person).
    Side effects: emails the state's coordinators (or the national administrators when the state has
    none) after commit. Not safe to repeat: a second call with the same ORI or email is refused with a
    ValidationError naming the field, and nothing is created.
    """
    user_model = _user_model()
    ori = (ori or "").strip().upper()
    email = (admin_email or "").strip().lower()
    if county is not None and county.state_id != state.pk:
        raise ValidationError({"county": f"{county.name} is not in {state.name}."})
    agency = Agency(
        name=name.strip(),
        ori=ori,
        agency_type=agency_type,
        state=state,
        county=county,
        address=address,
        city=city,
        postal_code=postal_code,
        phone=phone,
        tip_line=tip_line,
        head_name=head_name,
        head_title=head_title,
        status=Agency.Status.PENDING,
    )
    agency.full_clean(validate_unique=False)  # ORI format and "starts with the state's code"
    conflicts = _registration_conflicts(ori=ori, email=email)
    if conflicts:
        raise ValidationError(conflicts)
    try:
        with transaction.atomic():
            agency.save(force_insert=True)
            user = user_model.objects.create_user(
                email=email, password=None, full_name=admin_full_name.strip(), phone=admin_phone, is_active=False
            )
            # Recorded, not granted: an inactive membership of an inactive user holds no permission.
            Membership.objects.create(user=user, agency=agency, role=Role.AGENCY_ADMIN, is_active=False)
            audit_record(
                actor=user,
                action="agency.registered",
                target=agency,
                ip=ip,
                changes={
                    "ori": ori,
                    "name": agency.name,
                    "state": state.usps,
                    "status": Agency.Status.PENDING,
                    "administrator": {"email": email, "full_name": user.full_name},
                },
            )
            email_notify(
                to=_registration_recipients(state),
                template="agencies/email/registration_received",
                context={
                    "agency": agency,
                    "requester": user,
                    "review_url": _absolute(reverse("agencies:registration-detail", args=[agency.public_id])),
                },
            )
    except IntegrityError:
        # Lost a race with an identical registration: the unique constraints decided.
        raise ValidationError(
            _registration_conflicts(ori=ori, email=email)
            or "The registration could not be saved. Please try again in a moment."
        ) from None
    return agency


def _raise_already_decided(agency: Agency) -> None:
    current = Agency.objects.select_related("decided_by").get(pk=agency.pk)
    who = current.decided_by.get_full_name() if current.decided_by else "someone else"
    raise InvalidTransition(
        f"This registration was already decided by {who}: it is {current.get_status_display().lower()}."
    )


def _ensure_may_verify(actor: User, agency: Agency) -> None:
    if not can_verify_agency(actor, agency):
        raise PermissionDenied("Only the state's coordinators decide on this registration.")


def _set_password_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _absolute(reverse("accounts:password-set", kwargs={"uidb64": uidb64, "token": token}))


@transaction.atomic
def agency_verify(*, actor: User, agency: Agency, note: str = "", ip: str | None = None) -> Agency:
    """A coordinator of the agency's state (or a national administrator) verifies a registration.

    Transition: Agency pending -> verified (conditional update; InvalidTransition if already
    decided). The requested administrator's account is activated and given the agency_admin role
    through membership_grant. Audit: agency.verified, user.activated, membership.granted.
    Side effects: emails the administrator a one-time, expiring set-password link after commit.
    Not safe to repeat: the second call raises InvalidTransition and changes nothing.
    """
    _ensure_may_verify(actor, agency)
    now = timezone.now()
    updated = Agency.objects.filter(pk=agency.pk, status=Agency.Status.PENDING).update(
        status=Agency.Status.VERIFIED, status_reason=note.strip(), decided_at=now, decided_by=actor, updated_at=now
    )
    if updated != 1:
        _raise_already_decided(agency)
    agency.refresh_from_db()
    admins = [m.user for m in registration_requested_admins(agency).filter(is_active=False)]
    for user in admins:
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                action="user.activated",
                target=user,
                ip=ip,
                changes={"reason": f"agency {agency.ori} verified"},
            )
        membership_grant(actor=actor, user=user, role=Role.AGENCY_ADMIN, agency=agency, ip=ip)
    audit_record(
        actor=actor,
        action="agency.verified",
        target=agency,
        ip=ip,
        changes={
            "status": [Agency.Status.PENDING, Agency.Status.VERIFIED],
            "note": agency.status_reason,
            "administrators": [u.email for u in admins],
        },
    )
    for user in admins:
        # A brand-new account sets its password from the link; an existing one just signs in.
        email_notify(
            to=[user.email],
            template="agencies/email/registration_verified",
            context={
                "agency": agency,
                "user": user,
                "note": agency.status_reason,
                "set_password_url": _set_password_url(user) if not user.has_usable_password() else "",
                "login_url": _absolute(reverse("accounts:login")),
            },
        )
    return agency


@transaction.atomic
def agency_reject(*, actor: User, agency: Agency, reason: str, ip: str | None = None) -> Agency:
    """A coordinator of the agency's state (or a national administrator) rejects a registration.

    Transition: Agency pending -> rejected, with a required written reason (conditional update;
    InvalidTransition if already decided). The requested administrator stays inactive and gains no
    role. Audit: agency.rejected. Side effects: emails the reason to the requester after commit.
    Not safe to repeat: the second call raises InvalidTransition and changes nothing.
    """
    _ensure_may_verify(actor, agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Write the reason: the requester receives it by email."})
    now = timezone.now()
    updated = Agency.objects.filter(pk=agency.pk, status=Agency.Status.PENDING).update(
        status=Agency.Status.REJECTED, status_reason=reason, decided_at=now, decided_by=actor, updated_at=now
    )
    if updated != 1:
        _raise_already_decided(agency)
    agency.refresh_from_db()
    requesters = [m.user.email for m in registration_requested_admins(agency).filter(is_active=False)]
    audit_record(
        actor=actor,
        action="agency.rejected",
        target=agency,
        ip=ip,
        changes={"status": [Agency.Status.PENDING, Agency.Status.REJECTED], "reason": reason, "notified": requesters},
    )
    email_notify(
        to=requesters,
        template="agencies/email/registration_rejected",
        context={"agency": agency, "reason": reason},
    )
    return agency


def _ensure_may_manage(actor: User, agency: Agency) -> None:
    if not can_manage_agency(actor, agency):
        raise PermissionDenied("Only the agency's administrators manage its members.")


def invitation_token(invitation: Invitation) -> str:
    """The signed, timestamped token of an invitation link (checked by selectors.invitation_get_by_token)."""
    return signing.dumps(str(invitation.public_id), salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return _absolute(reverse("agencies:invitation-accept", args=[invitation_token(invitation)]))


@transaction.atomic
def invitation_create(
    *, actor: User, agency: Agency, email: str, role: str = Role.AGENCY_STAFF, ip: str | None = None
) -> Invitation:
    """An agency administrator invites someone by email to join the agency as staff or administrator.

    Transition: (none) -> Invitation pending; earlier pending invitations of the same address to the
    same agency are withdrawn, so only the newest link works. Audit: invitation.created.
    Side effects: emails a signed link that expires after settings.INVITATION_MAX_AGE, after commit.
    Safe to repeat in effect (each call supersedes the previous invitation).
    """
    _ensure_may_manage(actor, agency)
    email = (email or "").strip().lower()
    if role not in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN):
        raise ValidationError({"role": "Invite as agency staff or agency administrator."})
    if Membership.objects.active().filter(agency=agency, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {agency.name}."})
    superseded = (
        Invitation.objects.filter(agency=agency, email__iexact=email).pending().update(revoked_at=timezone.now())
    )
    invitation = Invitation.objects.create(agency=agency, email=email, role=role, invited_by=actor)
    audit_record(
        actor=actor,
        action="invitation.created",
        target=invitation,
        ip=ip,
        changes={"email": email, "role": role, "agency": agency.ori, "superseded": superseded},
    )
    email_notify(
        to=[email],
        template="agencies/email/invitation",
        context={
            "invitation": invitation,
            "agency": agency,
            "invited_by": actor,
            "accept_url": invitation_url(invitation),
            "valid_days": max(1, settings.INVITATION_MAX_AGE // 86400),
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation, ip: str | None = None) -> Invitation:
    """An agency administrator withdraws a pending invitation.

    Transition: Invitation pending -> revoked (conditional update; InvalidTransition when it was
    already accepted or withdrawn). Audit: invitation.revoked. No mail. Not safe to repeat.
    """
    _ensure_may_manage(actor, invitation.agency)
    updated = Invitation.objects.filter(pk=invitation.pk).pending().update(revoked_at=timezone.now())
    if updated != 1:
        raise InvalidTransition("This invitation was already accepted or withdrawn.")
    invitation.refresh_from_db()
    audit_record(
        actor=actor, action="invitation.revoked", target=invitation, ip=ip, changes={"email": invitation.email}
    )
    return invitation


def _invitation_claim(invitation: Invitation, user: User) -> None:
    """Single use: only the first claim of a still-pending invitation updates a row."""
    updated = Invitation.objects.filter(pk=invitation.pk).pending().update(accepted_at=timezone.now(), accepted_by=user)
    if updated != 1:
        raise InvitationInvalid("This invitation was already used or withdrawn.")


@transaction.atomic
def invitation_accept_new_user(
    *, token: str, full_name: str, password: str, phone: str = "", ip: str | None = None
) -> User:
    """Someone without an account accepts an invitation: their active account and membership are created.

    The password must pass Django's password validators (ValidationError otherwise).
    Transition: Invitation pending -> accepted (conditional update: single use). Audit:
    invitation.accepted, membership.granted. No mail. Not safe to repeat: the link is spent.
    Raises InvitationInvalid (bad, expired, used or withdrawn link) or ValidationError (the
    address has an account by now: sign in and accept instead).
    """
    invitation = invitation_get_by_token(token)
    user_model = _user_model()
    # The form checks too; this keeps the rule for every caller (the API included).
    password_validation.validate_password(password, user_model(email=invitation.email, full_name=full_name))
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError("An account with this email address already exists: sign in, then open the link again.")
    try:
        with transaction.atomic():
            user = user_model.objects.create_user(
                email=invitation.email, password=password, full_name=full_name.strip(), phone=phone
            )
    except IntegrityError:
        raise ValidationError(
            "An account with this email address already exists: sign in, then open the link again."
        ) from None
    _invitation_claim(invitation, user)
    membership_grant(actor=user, user=user, role=invitation.role, agency=invitation.agency, ip=ip)
    audit_record(
        actor=user,
        action="invitation.accepted",
        target=invitation,
        ip=ip,
        changes={
            "email": user.email,
            "role": invitation.role,
            "new_account": True,
            "invited_by": invitation.invited_by.email,
        },
    )
    return user


@transaction.atomic
def invitation_accept_existing(*, actor: User, token: str, ip: str | None = None) -> Membership:
    """A signed-in user accepts an invitation sent to their own address.

    Transition: Invitation pending -> accepted (conditional update: single use); the membership is
    granted (or re-activated) by membership_grant. Audit: invitation.accepted, membership.granted.
    No mail. Not safe to repeat: the link is spent. Refused when the invitation is for another
    address, or when the user is already an active member (a role change is the administrator's).
    """
    invitation = invitation_get_by_token(token)
    if actor.email.lower() != invitation.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; you are signed in as {actor.email}. "
            "Sign out and sign in with the invited address."
        )
    if Membership.objects.active().filter(agency=invitation.agency, user=actor).exists():
        raise ValidationError(f"You are already a member of {invitation.agency.name}.")
    _invitation_claim(invitation, actor)
    membership = membership_grant(actor=actor, user=actor, role=invitation.role, agency=invitation.agency, ip=ip)
    audit_record(
        actor=actor,
        action="invitation.accepted",
        target=invitation,
        ip=ip,
        changes={
            "email": actor.email,
            "role": invitation.role,
            "new_account": False,
            "invited_by": invitation.invited_by.email,
        },
    )
    return membership


@transaction.atomic
def member_change_role(
    *,
    actor: User,
    agency: Agency,
    membership: Membership,
    role: str,
    reauth_at: datetime | None = None,
    ip: str | None = None,
) -> Membership:
    """An agency administrator switches a member between staff and administrator.

    Needs a fresh re-authentication (ReauthRequired otherwise). Delegates to membership_change_role,
    which refuses to leave the agency without an administrator. Audit: membership.role_changed.
    No mail. Safe to repeat.
    """
    _ensure_may_manage(actor, agency)
    if membership.agency_id != agency.pk:
        raise PermissionDenied("That person is not a member of this agency.")
    ensure_fresh_reauth(reauth_at)
    return membership_change_role(actor=actor, membership=membership, role=role, ip=ip)


@transaction.atomic
def member_deactivate(*, actor: User, agency: Agency, membership: Membership, ip: str | None = None) -> Membership:
    """An agency administrator removes a member's rights (the last administrator cannot be removed).

    Delegates to membership_deactivate. Audit: membership.deactivated. No mail. Safe to repeat.
    """
    _ensure_may_manage(actor, agency)
    if membership.agency_id != agency.pk:
        raise PermissionDenied("That person is not a member of this agency.")
    return membership_deactivate(actor=actor, membership=membership, ip=ip)


# Fields the Django admin may edit; status moves only through agency_verify / agency_reject.
AGENCY_EDITABLE_FIELDS = (
    "name",
    "agency_type",
    "county",
    "address",
    "city",
    "postal_code",
    "phone",
    "tip_line",
    "head_name",
    "head_title",
)
STATE_EDITABLE_FIELDS = ("is_participating", "default_alert_hours", "staff_require_2fa")


def _update_fields(
    *, actor: User, obj: _Editable, fields: dict[str, Any], allowed: tuple[str, ...], action: str, ip: str | None
) -> _Editable:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changes: dict[str, list[str | None]] = {}
    for name, value in fields.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value) if value is not None else None]
            setattr(obj, name, value)
    if not changes:
        return obj
    obj.full_clean(validate_unique=False)
    obj.save(update_fields=[*changes, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    audit_record(actor=actor, action=action, target=obj, ip=ip, changes=changes)
    return obj


@transaction.atomic
def agency_update(*, actor: User, agency: Agency, fields: dict[str, Any], ip: str | None = None) -> Agency:
    """Edit an agency's profile (Django admin). Not its ORI, state or status. Audit: agency.updated
    with before/after of each changed field. No mail. Safe to repeat (no change, no event)."""
    if "county" in fields and fields["county"] is not None and fields["county"].state_id != agency.state_id:
        raise ValidationError({"county": "The county must be in the agency's state."})
    return _update_fields(
        actor=actor, obj=agency, fields=fields, allowed=AGENCY_EDITABLE_FIELDS, action="agency.updated", ip=ip
    )


@transaction.atomic
def state_update(*, actor: User, state: State, fields: dict[str, Any], ip: str | None = None) -> State:
    """Edit a state's network settings (Django admin). Audit: state.updated with before/after.
    No mail. Safe to repeat (no change, no event)."""
    return _update_fields(
        actor=actor, obj=state, fields=fields, allowed=STATE_EDITABLE_FIELDS, action="state.updated", ip=ip
    )
