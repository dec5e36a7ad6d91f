"""Admin: each state's criteria checklist is edited here, through alerts.services.criterion_save
(with its audit row); criteria are never deleted (attestations refer to them): untick Active.
Alerts and messages are read-only: every change to them goes through alerts.services."""

from django import forms
from django.contrib import admin

from accounts.ip import client_ip

from . import services
from .models import Alert, Criterion, Message
from .services.criteria import CRITERION_FIELDS


class CriterionAdminForm(forms.ModelForm):
    """Shows what criterion_save would refuse as form errors, from the service's own rule."""

    class Meta:
        model = Criterion
        fields = CRITERION_FIELDS

    def clean(self):
        data = super().clean()
        values = {f: data[f] for f in self.changed_data if f in data and f in CRITERION_FIELDS}
        problems = services.criterion_problems(criterion=self.instance if self.instance.pk else None, values=values)
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    form = CriterionAdminForm
    list_display = ("state", "position", "label", "key", "required", "is_active")
    list_filter = ("state", "required", "is_active")
    list_editable = ("position", "required", "is_active")
    search_fields = ("label", "key", "state__name", "state__usps")
    ordering = ("state__name", "position")

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=CriterionAdminForm, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in form.changed_data if f in CRITERION_FIELDS}
        if not change:
            values = {f: form.cleaned_data[f] for f in CRITERION_FIELDS if f in form.cleaned_data}
        saved = services.criterion_save(
            actor=request.user,
            criterion=Criterion.objects.get(pk=obj.pk) if change else None,
            values=values,
            ip=client_ip(request),
        )
        obj.pk = saved.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "agency", "state", "status", "update_state", "is_exercise", "created_at")
    list_filter = ("status", "is_exercise", "state")
    search_fields = ("public_id", "agency__name", "case_number")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "alert", "sequence", "kind", "sent_at", "is_exercise")
    list_filter = ("kind", "is_exercise")
