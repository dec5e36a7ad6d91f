"""Admin: each state's criteria checklist is edited here. Alerts and messages are read-only: every
change to them goes through alerts.services, with its audit row."""

from django.contrib import admin

from .models import Alert, Criterion, Message


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("state", "position", "label", "key", "required", "is_active")
    list_filter = ("state", "required", "is_active")
    list_editable = ("position", "required", "is_active")
    search_fields = ("label", "key", "state__name", "state__usps")
    ordering = ("state__name", "position")


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
