"""The Django admin for national administrators. Every change goes through the services (and so
writes its audit row): memberships through membership_grant / membership_change_role /
membership_deactivate, agencies and states through agency_update / state_update. Registrations are
decided in the coordinators' queue, not here."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.ip import client_ip

from . import services
from .models import AGENCY_ROLES, Agency, County, Invitation, Membership, Role, State


class _ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(State)
class StateAdmin(_ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "usps", "fips", "is_participating", "default_alert_hours", "staff_require_2fa")
    list_filter = ("is_participating", "is_territory")
    search_fields = ("name", "usps")
    readonly_fields = ("usps", "fips", "name", "is_territory")
    fields = ("name", "usps", "fips", "is_territory", *services.STATE_EDITABLE_FIELDS)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.STATE_EDITABLE_FIELDS}
        fresh = State.objects.get(pk=obj.pk)  # the form already set the new values on obj
        services.state_update(actor=request.user, state=fresh, fields=fields, ip=client_ip(request))


@admin.register(County)
class CountyAdmin(_ReadOnlyMixin, admin.ModelAdmin):
    """Loaded from the Census files by a migration; shown for reference only."""

    list_display = ("name", "state", "fips", "same_code")
    list_filter = ("state",)
    search_fields = ("name", "state__name")
    readonly_fields = ("state", "fips", "name")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(_ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("name", "ori", "state", "status", "decided_by", "created_at")
    list_filter = ("status", "state")
    search_fields = ("name", "ori")
    readonly_fields = (
        "public_id",
        "ori",
        "state",
        "status",
        "status_reason",
        "decided_at",
        "decided_by",
        "created_at",
        "updated_at",
    )
    fields = (
        "public_id",
        "ori",
        "state",
        "status",
        "status_reason",
        "decided_at",
        "decided_by",
        *services.AGENCY_EDITABLE_FIELDS,
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("county",)

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.AGENCY_EDITABLE_FIELDS
        }
        fresh = Agency.objects.get(pk=obj.pk)
        services.agency_update(actor=request.user, agency=fresh, fields=fields, ip=client_ip(request))


class MembershipAdminForm(forms.ModelForm):
    """Refuses here what the services would refuse, so the admin shows a form error, not a 500."""

    class Meta:
        model = Membership
        fields = ("user", "role", "agency", "state", "is_active")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if self.instance.pk:
            agency, state = self.instance.agency, self.instance.state
        else:
            agency, state = data.get("agency"), data.get("state")
        if role in AGENCY_ROLES and (agency is None or state is not None):
            raise ValidationError("An agency role needs an agency and no state.")
        if role == Role.STATE_COORDINATOR and (state is None or agency is not None):
            raise ValidationError("A state coordinator needs a state and no agency.")
        if role == Role.NATIONAL_ADMIN and (state is not None or agency is not None):
            raise ValidationError("A national administrator has neither agency nor state.")
        if (
            self.instance.pk
            and self.instance.role != role
            and (self.instance.role in AGENCY_ROLES) != (role in AGENCY_ROLES)
        ):
            raise ValidationError("Only switches between agency staff and administrator are possible here.")
        losing_admin = self.instance.pk and self.instance.role == Role.AGENCY_ADMIN and self.instance.is_active
        stepping_down = role != Role.AGENCY_ADMIN or not data.get("is_active")
        if losing_admin and stepping_down and not services._other_active_admins(self.instance):
            raise ValidationError("This is the agency's last administrator; make someone else administrator first.")
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "role", "agency", "state", "is_active", "updated_at")
    list_filter = ("role", "is_active", "state")
    search_fields = ("user__email", "user__full_name", "agency__name", "agency__ori", "state__name")
    raw_id_fields = ("user", "agency")
    actions = ["delete_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Who and where are fixed once created; a different place is a different membership.
        return ("user", "agency", "state") if obj else ()

    def save_model(self, request, obj, form, change):
        ip = client_ip(request)
        try:
            if not change:
                saved = services.membership_grant(
                    actor=request.user, user=obj.user, role=obj.role, agency=obj.agency, state=obj.state, ip=ip
                )
                if not obj.is_active:
                    saved = services.membership_deactivate(actor=request.user, membership=saved, ip=ip)
            else:
                saved = Membership.objects.get(pk=obj.pk)
                if obj.is_active:
                    if saved.role != obj.role and obj.role in AGENCY_ROLES and saved.is_active:
                        saved = services.membership_change_role(
                            actor=request.user, membership=saved, role=obj.role, ip=ip
                        )
                    else:
                        saved = services.membership_grant(
                            actor=request.user,
                            user=saved.user,
                            role=obj.role,
                            agency=saved.agency,
                            state=saved.state,
                            ip=ip,
                        )
                else:
                    saved = services.membership_deactivate(actor=request.user, membership=saved, ip=ip)
        except ValidationError as e:
            # Only reached in a race the form's checks could not see; nothing was changed.
            messages.error(request, " ".join(e.messages))
            return
        obj.pk = saved.pk  # the admin's redirect and message need the saved row

    def delete_model(self, request, obj):
        try:
            services.membership_deactivate(actor=request.user, membership=obj, ip=client_ip(request))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.delete_model(request, membership)


@admin.register(Invitation)
class InvitationAdmin(_ReadOnlyMixin, admin.ModelAdmin):
    """For support: who was invited where. Invitations are sent and withdrawn on the members page."""

    list_display = ("email", "agency", "role", "status", "invited_by", "created_at")
    search_fields = ("email", "agency__name", "agency__ori")
    readonly_fields = (
        "public_id",
        "agency",
        "email",
        "role",
        "invited_by",
        "created_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )

    def has_change_permission(self, request, obj=None):
        return False
