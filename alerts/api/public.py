"""The public alerts API (no sign-in): exactly what the public page shows, cut from the latest
message's snapshot (alerts.snapshot.public_view), never from the working copy; cacheable like the
public pages."""

from django.conf import settings
from django.db.models import Max, Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from core.api_errors import error_responses

from .. import workflow
from ..models import Alert, Message
from ..snapshot import public_view
from .caching import public_response

# ---------------------------------------------------------------------------------------------
# Public (no sign-in): exactly what the public page shows, cut from the latest message.
# ---------------------------------------------------------------------------------------------


PUBLIC_STATUS_CHOICES = [(Alert.Status(s).value, Alert.Status(s).label) for s in workflow.PUBLISHED]


def _abs(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message_cap_url(message: Message) -> str:
    return _abs(f"/cap/{message.message_id}.xml")


def alert_page_url(alert: Alert) -> str:
    return _abs(f"/alerts/{alert.public_id}/")


def alert_cap_url(alert: Alert) -> str:
    return _abs(f"/alerts/{alert.public_id}/cap.xml")


class _StateRef(serializers.Serializer):
    usps = serializers.CharField()
    name = serializers.CharField()
    fips = serializers.CharField()


class _Agency(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class _Incident(serializers.Serializer):
    at = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    county = serializers.CharField(allow_blank=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)


class _LastSeen(serializers.Serializer):
    place = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    direction = serializers.CharField(allow_blank=True)
    direction_label = serializers.CharField(allow_blank=True)
    travel_mode = serializers.CharField(allow_blank=True)
    travel_mode_label = serializers.CharField(allow_blank=True)


class _County(serializers.Serializer):
    name = serializers.CharField()
    fips = serializers.CharField()
    same = serializers.CharField(help_text="6-digit SAME/PSSCCC geocode.")


class _Texts(serializers.Serializer):
    headline = serializers.CharField(allow_blank=True)
    wea_short_en = serializers.CharField(allow_blank=True)
    wea_long_en = serializers.CharField(allow_blank=True)
    wea_short_es = serializers.CharField(allow_blank=True)
    wea_long_es = serializers.CharField(allow_blank=True)
    eas_script = serializers.CharField(allow_blank=True)
    description_en = serializers.CharField(allow_blank=True)
    description_es = serializers.CharField(allow_blank=True)


class _PublicSuspect(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    aliases = serializers.CharField(allow_blank=True)
    age = serializers.IntegerField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField(allow_blank=True)
    race = serializers.CharField(allow_blank=True)
    height = serializers.CharField(allow_blank=True)
    weight = serializers.CharField(allow_blank=True)
    hair = serializers.CharField(allow_blank=True)
    eyes = serializers.CharField(allow_blank=True)
    clothing = serializers.CharField(allow_blank=True)
    marks = serializers.CharField(allow_blank=True)
    armed_and_dangerous = serializers.BooleanField()


class _PublicVehicle(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    make = serializers.CharField(allow_blank=True)
    model = serializers.CharField(allow_blank=True)
    color = serializers.CharField(allow_blank=True)
    body_style = serializers.CharField(allow_blank=True)
    plate = serializers.CharField(allow_blank=True)
    plate_partial = serializers.BooleanField()
    plate_state = serializers.CharField(allow_blank=True)
    features = serializers.CharField(allow_blank=True)


class _PublicPhoto(serializers.Serializer):
    public_id = serializers.UUIDField()
    path = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    mime = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    caption = serializers.CharField(allow_blank=True)
    suspect = serializers.IntegerField(allow_null=True, help_text="Index into `suspects`, or null.")
    vehicle = serializers.IntegerField(allow_null=True, help_text="Index into `vehicles`, or null.")


class _PublicOfficer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    release = serializers.CharField()


class PublicMessageSerializer(serializers.Serializer):
    message_id = serializers.UUIDField()
    sequence = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Message.Kind.choices)
    sent_at = serializers.DateTimeField()
    cap_url = serializers.URLField(help_text="The CAP 1.2 XML of this message.")


class PublicAlertSerializer(serializers.Serializer):
    """Documentation of the public alert: alerts.snapshot.public_view of the latest message plus links."""

    version = serializers.IntegerField()
    public_id = serializers.UUIDField()
    status = serializers.ChoiceField(
        choices=PUBLIC_STATUS_CHOICES,
        help_text="The alert's status now (the content is as of the latest message).",
    )
    trigger = serializers.ChoiceField(choices=Alert.Trigger.choices)
    trigger_label = serializers.CharField()
    state = _StateRef()
    extra_states = _StateRef(many=True)
    agency = _Agency()
    incident = _Incident()
    last_seen = _LastSeen()
    public_instruction = serializers.CharField(allow_blank=True)
    tip_line = serializers.CharField(allow_blank=True)
    statewide = serializers.BooleanField()
    counties = _County(many=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    texts = _Texts()
    suspects = _PublicSuspect(many=True)
    vehicles = _PublicVehicle(many=True)
    photos = _PublicPhoto(many=True)
    officer = _PublicOfficer(allow_null=True, help_text="Only when the officer's identity was released to the public.")
    outcome = serializers.CharField(allow_blank=True)
    outcome_label = serializers.CharField(allow_blank=True)
    outcome_note = serializers.CharField(allow_blank=True)
    messages = PublicMessageSerializer(many=True)
    page_url = serializers.URLField()
    cap_url = serializers.URLField(help_text="The latest CAP message of this alert.")


def public_alert_data(alert: Alert) -> dict:
    """The public representation; `alert.public_messages` must be prefetched (sequence order)."""
    messages = list(alert.public_messages)
    if not messages:
        raise Http404("No such public alert.")
    data = public_view(messages[-1].snapshot)
    data["status"] = alert.status
    data["messages"] = [
        {
            "message_id": str(m.message_id),
            "sequence": m.sequence,
            "kind": m.kind,
            "sent_at": m.sent_at.isoformat(),
            "cap_url": message_cap_url(m),
        }
        for m in messages
    ]
    data["page_url"] = alert_page_url(alert)
    data["cap_url"] = alert_cap_url(alert)
    return data


def _public_alerts():
    return (
        Alert.objects.public()
        .filter(messages__isnull=False)
        .distinct()
        .select_related("state")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.filter(is_exercise=False).order_by("sequence"),
                to_attr="public_messages",
            )
        )
        .order_by("-created_at", "-id")
    )


class _PublicView(generics.GenericAPIView):
    authentication_classes = ()  # the same answer for everyone; no session, no token looked at
    permission_classes = (AllowAny,)


_CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Strong validator; send it back in If-None-Match."},
    "Last-Modified": {"schema": {"type": "string"}},
    "Cache-Control": {
        "schema": {"type": "string"},
        "description": "public, max-age=60, stale-while-revalidate=300 (as the public pages)",
    },
}


class PublicAlertListView(_PublicView):
    """Public alerts (active, resolved, cancelled, expired; never drafts or exercises), newest first."""

    serializer_class = PublicAlertSerializer

    @extend_schema(
        operation_id="public_alerts_list",
        summary="List public alerts",
        tags=["public"],
        auth=[],
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, description="Two-letter USPS code, e.g. TX."),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=[value for value, _ in PUBLIC_STATUS_CHOICES],
                description="Only alerts in this status.",
            ),
        ],
        responses={
            200: PublicAlertSerializer(many=True),
            304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since matched)."),
            **error_responses(404, 429),
        },
    )
    def get(self, request):
        qs = _public_alerts()
        usps = request.query_params.get("state", "").strip().upper()
        if usps:
            qs = qs.filter(state__usps=usps)
        status_filter = request.query_params.get("status", "").strip()
        if status_filter:
            qs = qs.filter(status=status_filter)
        page = self.paginate_queryset(qs)
        data = self.get_paginated_response([public_alert_data(a) for a in page]).data
        last_modified = qs.aggregate(m=Max("updated_at"))["m"]
        return public_response(request, data, last_modified=last_modified)


class PublicAlertDetailView(_PublicView):
    """One public alert, as its public page shows it."""

    serializer_class = PublicAlertSerializer

    @extend_schema(
        operation_id="public_alerts_retrieve",
        summary="Read one public alert",
        tags=["public"],
        auth=[],
        responses={
            200: PublicAlertSerializer,
            304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since matched)."),
            **error_responses(404, 429),
        },
    )
    def get(self, request, public_id):
        alert = _public_alerts().filter(public_id=public_id).first()
        if alert is None:
            raise Http404("No public alert with this id: it may not be published, or it is an exercise.")
        return public_response(request, public_alert_data(alert), last_modified=alert.updated_at)
