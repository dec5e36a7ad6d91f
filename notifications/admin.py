from django.contrib import admin

from .models import Delivery, MediaSubscriber


@admin.register(MediaSubscriber)
class MediaSubscriberAdmin(admin.ModelAdmin):
    list_display = ("organisation", "email", "outlet_type", "status", "language", "created_at")
    list_filter = ("status", "outlet_type", "language")
    search_fields = ("organisation", "email", "contact_name")
    readonly_fields = [f.name for f in MediaSubscriber._meta.fields]
    filter_horizontal = ()

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "message", "notice", "channel", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "audience")
    search_fields = ("address", "recipient_key")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
