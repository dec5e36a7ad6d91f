"""Every write in the agencies app: memberships (and the object permissions that follow from them),
registration, verification and invitations. Each write is one transaction with its audit row."""

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from audit.services import audit_record

from .models import Agency, Membership, Role, State

# The single source of truth for what each role may do. Grants are recomputed from it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.AGENCY_STAFF: ("agencies.draft_alert",),
    Role.AGENCY_ADMIN: ("agencies.draft_alert", "agencies.manage_agency"),
    Role.STATE_COORDINATOR: ("agencies.coordinate_state",),
    Role.NATIONAL_ADMIN: ("agencies.administer_network",),  # global, not per object
}
_TENANT_MODELS = ("agency", "state")


def expected_grants(user) -> set[tuple[str, str, str | None]]:
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


def actual_grants(user) -> set[tuple[str, str, str | None]]:
    rows = UserObjectPermission.objects.filter(
        user=user, content_type__app_label="agencies", content_type__model__in=_TENANT_MODELS
    ).values_list("permission__codename", "content_type__model", "object_pk")
    grants = {(c, model, str(pk)) for c, model, pk in rows}
    grants |= {(c, "global", None) for c in user.user_permissions.filter(
        content_type__app_label="agencies").values_list("codename", flat=True)}
    return grants


def _sync_permissions(user) -> None:
    """Make the user's guardian grants equal to what their active memberships imply."""
    UserObjectPermission.objects.filter(
        user=user, content_type__app_label="agencies", content_type__model__in=_TENANT_MODELS
    ).delete()
    user.user_permissions.remove(*Permission.objects.filter(content_type__app_label="agencies"))
    for codename, model, pk in expected_grants(user):
        if model == "global":
            user.user_permissions.add(Permission.objects.get(content_type__app_label="agencies", codename=codename))
        else:
            obj = Agency.objects.get(pk=pk) if model == "agency" else State.objects.get(pk=pk)
            assign_perm(f"agencies.{codename}", user, obj)
    # Django caches permissions on the instance; the next check must see the new grants.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


@transaction.atomic
def membership_grant(
    *, actor, user, role: str, agency: Agency | None = None, state: State | None = None, ip: str | None = None
) -> Membership:
    """Give `user` a role in an agency, a state, or the network; re-activates a former membership.

    Transition: (none | inactive) -> active. Audit: membership.granted. Safe to repeat.
    """
    if role in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN) and agency is None:
        raise ValidationError("An agency role needs an agency.")
    if role == Role.STATE_COORDINATOR and state is None:
        raise ValidationError("A coordinator role needs a state.")
    lookup = {"user": user}
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
            actor=actor, action="membership.granted", target=membership, ip=ip,
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
def membership_change_role(*, actor, membership: Membership, role: str, ip: str | None = None) -> Membership:
    """Switch an agency member between staff and administrator. Audit: membership.role_changed.

    Refused when it would leave the agency without an active administrator. Safe to repeat.
    """
    if membership.agency_id is None or role not in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN):
        raise ValidationError("Only agency members can be switched between staff and administrator.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.AGENCY_ADMIN and not _other_active_admins(membership):
        raise ValidationError("The agency's last administrator cannot step down; make someone else administrator first.")
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _sync_permissions(membership.user)
    audit_record(actor=actor, action="membership.role_changed", target=membership, ip=ip,
                 changes={"user": membership.user.email, "role": [old, role]})
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership, ip: str | None = None) -> Membership:
    """Remove a member's rights (the row stays for the record). Audit: membership.deactivated.

    Refused for the agency's last active administrator. Safe to repeat.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    if membership.role == Role.AGENCY_ADMIN and not _other_active_admins(membership):
        raise ValidationError("The agency's last administrator cannot be removed; make someone else administrator first.")
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    _sync_permissions(membership.user)
    audit_record(actor=actor, action="membership.deactivated", target=membership, ip=ip,
                 changes={"user": membership.user.email, "role": membership.role})
    return membership
