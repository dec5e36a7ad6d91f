"""Registration, the coordinators' queue, members and invitations. Thin: forms in, services, redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.ip import client_ip
from accounts.reauth import ReauthRequired, reauthenticated_at
from audit.selectors import audit_events_for
from core.exceptions import InvalidTransition

from . import services
from .exceptions import InvitationInvalid
from .forms import (
    AcceptInvitationForm,
    AgencyRegistrationForm,
    InvitationForm,
    MemberDeactivateForm,
    MemberRoleForm,
    RejectForm,
    VerifyForm,
)
from .models import Agency
from .permissions import can_manage_agency, can_verify_agency
from .selectors import (
    agency_get_for_user,
    agency_registration_get_for_user,
    invitation_get_by_token,
    invitation_get_for_agency,
    invitations_pending_of_agency,
    may_review_registrations,
    memberships_of_agency,
    registration_requested_admins,
    registrations_pending_first,
)


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---- Registration (public) -------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request):
    form = AgencyRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_register(**form.cleaned_data, ip=client_ip(request))
        except ValidationError as e:
            form.add_error(None, e)
        else:
            return redirect("agencies:register-done")
    return render(request, "agencies/agency_register.html", {"form": form}, status=400 if form.errors else 200)


@login_not_required
def register_done(request):
    return render(request, "agencies/agency_register_done.html")


# ---- The coordinators' queue -----------------------------------------------------------------------


def registration_list(request):
    if not may_review_registrations(request.user):
        raise Http404("No registrations for you")
    agencies = list(registrations_pending_first(request.user)[:200])
    pending = [a for a in agencies if a.status == Agency.Status.PENDING]
    decided = [a for a in agencies if a.status != Agency.Status.PENDING]
    return render(request, "agencies/registration_list.html", {"pending": pending, "decided": decided})


def _registration_page(request, agency, *, verify_form=None, reject_form=None, status=200):
    return render(
        request,
        "agencies/registration_detail.html",
        {
            "agency": agency,
            "requested_admins": registration_requested_admins(agency),
            "events": audit_events_for(agency),
            "verify_form": verify_form or VerifyForm(),
            "reject_form": reject_form or RejectForm(),
            "can_decide": can_verify_agency(request.user, agency),
        },
        status=status,
    )


def registration_detail(request, public_id):
    agency = agency_registration_get_for_user(request.user, public_id=public_id)
    return _registration_page(request, agency)


@require_POST
def registration_verify(request, public_id):
    agency = agency_registration_get_for_user(request.user, public_id=public_id)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _registration_page(request, agency, verify_form=form, status=400)
    try:
        services.agency_verify(actor=request.user, agency=agency, note=form.cleaned_data["note"], ip=client_ip(request))
    except (PermissionDenied, InvalidTransition) as e:
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, _messages_of(e))
    else:
        messages.success(request, f"{agency.name} is verified. Its administrator was emailed a link to set a password.")
    return redirect("agencies:registration-detail", public_id=agency.public_id)


@require_POST
def registration_reject(request, public_id):
    agency = agency_registration_get_for_user(request.user, public_id=public_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _registration_page(request, agency, reject_form=form, status=400)
    try:
        services.agency_reject(
            actor=request.user, agency=agency, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
    except (PermissionDenied, InvalidTransition) as e:
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, _messages_of(e))
    else:
        messages.success(request, f"{agency.name} was rejected. The reason was emailed to the requester.")
    return redirect("agencies:registration-detail", public_id=agency.public_id)


# ---- Members and invitations (agency administrators) ------------------------------------------------


def _managed_agency(request, public_id) -> Agency:
    agency = agency_get_for_user(request.user, public_id=public_id, perm="agencies.manage_agency")
    if not can_manage_agency(request.user, agency):  # e.g. a suspended agency: nothing to manage
        raise Http404("No such agency")
    return agency


def _members_page(request, agency, *, invite_form=None, status=200):
    return render(
        request,
        "agencies/member_list.html",
        {
            "agency": agency,
            "memberships": memberships_of_agency(agency),
            "invitations": invitations_pending_of_agency(agency),
            "invite_form": invite_form or InvitationForm(),
            "role_choices": MemberRoleForm.base_fields["role"].choices,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def members(request, public_id):
    """The member list; POST sends an invitation."""
    agency = _managed_agency(request, public_id)
    if request.method == "GET":
        return _members_page(request, agency)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(actor=request.user, agency=agency, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("agencies:members", public_id=agency.public_id)
    return _members_page(request, agency, invite_form=form, status=400)


@require_POST
def member_role(request, public_id):
    agency = _managed_agency(request, public_id)
    members_url = reverse("agencies:members", args=[agency.public_id])
    form = MemberRoleForm(request.POST, agency=agency)
    if not form.is_valid():
        messages.error(request, "Choose a member of this agency and a role.")
        return redirect(members_url)
    membership = form.cleaned_data["membership"]
    try:
        services.member_change_role(
            actor=request.user,
            agency=agency,
            membership=membership,
            role=form.cleaned_data["role"],
            reauth_at=reauthenticated_at(request),
            ip=client_ip(request),
        )
    except ReauthRequired as e:
        messages.info(request, str(e))
        return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': members_url})}")
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _messages_of(e) if isinstance(e, ValidationError) else str(e))
    else:
        membership.refresh_from_db()
        messages.success(request, f"{membership.user.get_full_name()} is now {membership.get_role_display().lower()}.")
    return redirect(members_url)


@require_POST
def member_deactivate(request, public_id):
    agency = _managed_agency(request, public_id)
    form = MemberDeactivateForm(request.POST, agency=agency)
    if not form.is_valid():
        messages.error(request, "Choose a member of this agency.")
    else:
        membership = form.cleaned_data["membership"]
        try:
            services.member_deactivate(actor=request.user, agency=agency, membership=membership, ip=client_ip(request))
        except ValidationError as e:
            messages.error(request, _messages_of(e))
        else:
            messages.success(request, f"{membership.user.get_full_name()} no longer has access to {agency.name}.")
    return redirect("agencies:members", public_id=agency.public_id)


@require_POST
def invitation_revoke(request, public_id, invitation_id):
    agency = _managed_agency(request, public_id)
    invitation = invitation_get_for_agency(agency, public_id=invitation_id)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation, ip=client_ip(request))
    except InvalidTransition as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("agencies:members", public_id=agency.public_id)


# ---- Accepting an invitation (public: the invitee may have no account yet) ---------------------------


def _invitation_invalid(request, error: InvitationInvalid):
    return render(
        request, "agencies/invitation_invalid.html", {"message": _messages_of(error)}, status=410 if error.gone else 400
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = invitation_get_by_token(token)
    except InvitationInvalid as e:
        return _invitation_invalid(request, e)
    ctx = {"invitation": invitation, "agency": invitation.agency}
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept_existing(actor=user, token=token, ip=client_ip(request))
            except InvitationInvalid as e:
                return _invitation_invalid(request, e)
            except ValidationError as e:
                messages.error(request, _messages_of(e))
            else:
                messages.success(request, f"You joined {invitation.agency.name}.")
                return redirect("accounts:home")
        ctx["email_matches"] = user.email.lower() == invitation.email.lower()
        return render(request, "agencies/invitation_accept.html", ctx)

    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "agencies/invitation_accept.html", {**ctx, "login_url": login_url})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept_new_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                phone=form.cleaned_data["phone"],
                ip=client_ip(request),
            )
        except InvitationInvalid as e:
            return _invitation_invalid(request, e)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(
                request, f"Your account is ready and you are a member of {invitation.agency.name}. Sign in."
            )
            return redirect("accounts:login")
    return render(request, "agencies/invitation_accept.html", {**ctx, "form": form}, status=400 if form.errors else 200)
