from django.contrib import admin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "message", "notice", "channel", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "audience", "priority")
    search_fields = ("address", "recipient_key")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
