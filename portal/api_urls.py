"""URLs of the REST API, mounted at /api/ by portal/urls.py.

Every view here is a DRF view, exempt from LoginRequiredMiddleware's redirect (a program wants a
401 JSON answer, not a login page): DRF's own permission classes deny instead, IsAuthenticated by
default. `_exempt_from_login_redirect` refuses to start if anything else is mounted here.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from agencies import api as agencies_api
from alerts.api import public as alerts_public
from alerts.api import views as alerts_api
from notifications import api as notifications_api

app_name = "api"


class NotFoundView(APIView):
    """Anything else under /api/: a JSON 404 rather than the HTML page."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise NotFound("There is no such API address. The endpoints are listed at /api/docs/.")

    post = put = patch = delete = get


v1 = [
    path("public/alerts/", alerts_public.PublicAlertListView.as_view(), name="public-alert-list"),
    path("public/alerts/<uuid:public_id>/", alerts_public.PublicAlertDetailView.as_view(), name="public-alert-detail"),
    # Alerts: what the signed-in user may see, the drafts and one POST per workflow action.
    path("alerts/", alerts_api.AlertListView.as_view(), name="alert-list"),
    path("alerts/review-queue/", alerts_api.ReviewQueueView.as_view(), name="alert-review-queue"),
    path("alerts/<uuid:public_id>/", alerts_api.AlertDetailView.as_view(), name="alert-detail"),
    path("alerts/<uuid:public_id>/submit/", alerts_api.AlertSubmitView.as_view(), name="alert-submit"),
    path("alerts/<uuid:public_id>/approve/", alerts_api.AlertApproveView.as_view(), name="alert-approve"),
    path("alerts/<uuid:public_id>/return/", alerts_api.AlertReturnView.as_view(), name="alert-return"),
    path("alerts/<uuid:public_id>/deny/", alerts_api.AlertDenyView.as_view(), name="alert-deny"),
    path("alerts/<uuid:public_id>/update/", alerts_api.AlertUpdateView.as_view(), name="alert-update"),
    path("alerts/<uuid:public_id>/extend/", alerts_api.AlertExtendView.as_view(), name="alert-extend"),
    path("alerts/<uuid:public_id>/resolve/", alerts_api.AlertResolveView.as_view(), name="alert-resolve"),
    path(
        "alerts/<uuid:public_id>/request-resolve/",
        alerts_api.AlertRequestResolveView.as_view(),
        name="alert-request-resolve",
    ),
    path("alerts/<uuid:public_id>/photos/", alerts_api.AlertPhotoListView.as_view(), name="alert-photo-list"),
    path(
        "alerts/<uuid:public_id>/photos/<uuid:photo_id>/",
        alerts_api.AlertPhotoDetailView.as_view(),
        name="alert-photo-detail",
    ),
    path("alerts/<uuid:public_id>/messages/", alerts_api.AlertMessageListView.as_view(), name="alert-message-list"),
    path(
        "alerts/<uuid:public_id>/messages/<uuid:message_id>/",
        alerts_api.AlertMessageDetailView.as_view(),
        name="alert-message-detail",
    ),
    path(
        "alerts/<uuid:public_id>/messages/<uuid:message_id>/deliveries/",
        notifications_api.DeliverySummaryView.as_view(),
        name="alert-message-deliveries",
    ),
    # Media subscribers: their own subscription, through the signed link of their emails.
    path("subscription/<str:token>/", notifications_api.SubscriptionView.as_view(), name="subscription-detail"),
    path(
        "subscription/<str:token>/unsubscribe/",
        notifications_api.SubscriptionUnsubscribeView.as_view(),
        name="subscription-unsubscribe",
    ),
    # Agencies: public registration, then what an agency's members and administrators see.
    path("agencies/register/", agencies_api.AgencyRegisterView.as_view(), name="agency-register"),
    path("agencies/", agencies_api.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<uuid:public_id>/", agencies_api.AgencyDetailView.as_view(), name="agency-detail"),
    path("agencies/<uuid:public_id>/members/", agencies_api.MemberListView.as_view(), name="agency-member-list"),
    path(
        "agencies/<uuid:public_id>/members/<int:membership_id>/role/",
        agencies_api.MemberRoleView.as_view(),
        name="agency-member-role",
    ),
    path(
        "agencies/<uuid:public_id>/members/<int:membership_id>/deactivate/",
        agencies_api.MemberDeactivateView.as_view(),
        name="agency-member-deactivate",
    ),
    path(
        "agencies/<uuid:public_id>/invitations/",
        agencies_api.InvitationListView.as_view(),
        name="agency-invitation-list",
    ),
    path(
        "agencies/<uuid:public_id>/invitations/<uuid:invitation_id>/revoke/",
        agencies_api.InvitationRevokeView.as_view(),
        name="agency-invitation-revoke",
    ),
    # The coordinators' registration queue.
    path("registrations/", agencies_api.RegistrationListView.as_view(), name="registration-list"),
    path("registrations/<uuid:public_id>/", agencies_api.RegistrationDetailView.as_view(), name="registration-detail"),
    path(
        "registrations/<uuid:public_id>/verify/",
        agencies_api.RegistrationVerifyView.as_view(),
        name="registration-verify",
    ),
    path(
        "registrations/<uuid:public_id>/reject/",
        agencies_api.RegistrationRejectView.as_view(),
        name="registration-reject",
    ),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(v1)),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]


def _exempt_from_login_redirect(patterns) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
                raise ImproperlyConfigured(f"{pattern} under /api/ is not a DRF view: it would skip authentication.")
            login_not_required(pattern.callback)


_exempt_from_login_redirect(urlpatterns)
