from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from portal import health

# The Django admin asks for the second factor too.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("agencies/", include("agencies.urls")),
    path("portal/alerts/", include("alerts.urls")),
    path("api/", include("portal.api_urls")),
    path("", include("notifications.urls")),
    path("", include("alerts.public.urls")),
    path("healthz", health.healthz, name="healthz"),
]
