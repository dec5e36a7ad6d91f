from django.contrib import admin

from .models import MediaSubscriber


@admin.register(MediaSubscriber)
class MediaSubscriberAdmin(admin.ModelAdmin):
    list_display = ("organisation", "email", "outlet_type", "status", "language", "created_at")
    list_filter = ("status", "outlet_type", "language")
    search_fields = ("organisation", "email", "contact_name")
    readonly_fields = [f.name for f in MediaSubscriber._meta.fields]
    filter_horizontal = ()

    def has_add_permission(self, request):
        return False
