from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("agencies/", include("agencies.urls")),
    path("portal/alerts/", include("alerts.urls")),
    path("", include("notifications.urls")),
    path("", include("alerts.public.urls")),
]
