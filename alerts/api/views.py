"""The signed-in alerts API: list, create and edit drafts, photos, and one POST per workflow action.

Every alert is fetched through alerts.selectors (a 404 outside the user's tenancy) and every write
is one call of an alerts.services function, exactly as the HTML views do; a refused action raises
in the service and the transaction is rolled back, so nothing changes.
"""

from datetime import datetime, time

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.ip import client_ip
from accounts.reauth_api import REAUTH_HELP, api_reauthenticated_at
from agencies.selectors import agencies_for_user, agency_get_for_user
from core.api_errors import error_responses

from .. import selectors, services, workflow
from ..models import Alert, Message, Photo
from .serializers import (
    AlertCreateSerializer,
    AlertDraftSerializer,
    AlertFilterSerializer,
    AlertSerializer,
    AlertSummarySerializer,
    ApproveSerializer,
    DenySerializer,
    ExtendSerializer,
    MessageDetailSerializer,
    MessageSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    ReasonSerializer,
    RequestResolveSerializer,
    ResolveSerializer,
    SubmitSerializer,
    resolve_places,
)

READ_ERRORS = error_responses(401, 404, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 429)
TAGS = ["alerts"]
REAUTH_NOTE = "\n\n" + REAUTH_HELP


def _alert(request, public_id) -> Alert:
    return selectors.alert_get_for_user(request.user, public_id)


def _detail(alert: Alert, status_code: int = status.HTTP_200_OK) -> Response:
    alert = Alert.objects.select_related("agency", "state", "incident_county").get(pk=alert.pk)
    return Response(AlertSerializer(alert).data, status=status_code)


def _rows(given: list[dict] | None, existing_ids: set[int]) -> list[dict] | None:
    """The API's "full list" semantics in the service's row format: rows not listed are removed."""
    if given is None:
        return None
    listed = {row["id"] for row in given if row.get("id")}
    return [*given, *({"id": pk, "DELETE": True} for pk in existing_ids - listed)]


def _save_draft(request, alert: Alert, data: dict) -> None:
    """One draft save, fields and attestations together: the service call the drafting page makes."""
    data = resolve_places(dict(data), alert.state)
    lists = {name: data.pop(name, None) for name in ("suspects", "vehicles", "counties", "extra_states", "criteria")}
    regenerate = data.pop("regenerate_texts", False)
    services.alert_save_draft(
        actor=request.user,
        alert=alert,
        fields=data,
        suspects=_rows(lists["suspects"], set(alert.suspects.values_list("pk", flat=True))),
        vehicles=_rows(lists["vehicles"], set(alert.vehicles.values_list("pk", flat=True))),
        counties=lists["counties"],
        extra_states=lists["extra_states"],
        criteria=lists["criteria"],
        regenerate_texts=regenerate,
        ip=client_ip(request),
    )


class AlertListView(generics.ListAPIView):
    serializer_class = AlertSummarySerializer

    def get_queryset(self):
        filters = AlertFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = selectors.alerts_visible_to(self.request.user)
        if f.get("status"):
            qs = qs.filter(status=f["status"])
        if f.get("state"):
            qs = qs.filter(Q(state__usps=f["state"].upper()) | Q(extra_states__usps=f["state"].upper()))
        if f.get("agency"):
            qs = qs.filter(agency__public_id=f["agency"])
        tz = timezone.get_current_timezone()
        if f.get("created_after"):
            qs = qs.filter(created_at__gte=datetime.combine(f["created_after"], time.min, tz))
        if f.get("created_before"):
            qs = qs.filter(created_at__lte=datetime.combine(f["created_before"], time.max, tz))
        if f.get("is_exercise") is not None:
            qs = qs.filter(is_exercise=f["is_exercise"])
        return qs.distinct().order_by("-created_at", "-id")

    @extend_schema(
        operation_id="alerts_list",
        summary="Alerts you may see",
        description="Agency staff: their agencies' alerts; coordinators: their states' alerts (and published "
        "alerts that asked their state to join); national administrators: all. Newest first.",
        tags=TAGS,
        parameters=[AlertFilterSerializer],
        responses={200: AlertSummarySerializer(many=True), **error_responses(400, 401, 404, 429)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="alerts_create",
        summary="Start a draft, with its suspects and vehicles, in one request",
        description="Creates a draft for your agency (`agency` may be omitted when you belong to one only), then "
        "saves the given fields, suspects, vehicles, counties and attested criteria, all or nothing.",
        tags=TAGS,
        request=AlertCreateSerializer,
        responses={201: AlertSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        serializer = AlertCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency_id = data.pop("agency", None)
        if agency_id is not None:
            try:
                agency = agency_get_for_user(request.user, public_id=agency_id)
            except Http404:
                raise serializers.ValidationError({"agency": ["You cannot draft for this agency."]}) from None
        else:
            agencies = list(agencies_for_user(request.user)[:2])
            if len(agencies) != 1:
                raise serializers.ValidationError(
                    {"agency": ["Give the public_id of the agency the alert is for."]}
                    if agencies
                    else {"agency": ["You are not a member of an agency."]}
                )
            agency = agencies[0]
        with transaction.atomic():
            alert = services.alert_create(
                actor=request.user,
                agency=agency,
                trigger=data.pop("trigger"),
                is_exercise=data.pop("is_exercise", False),
                ip=client_ip(request),
            )
            _save_draft(request, alert, data)
        return _detail(alert, status.HTTP_201_CREATED)


class AlertDetailView(generics.GenericAPIView):
    serializer_class = AlertSerializer

    @extend_schema(
        operation_id="alerts_retrieve",
        summary="One alert (the working copy)",
        tags=TAGS,
        responses={200: AlertSerializer, **READ_ERRORS},
    )
    def get(self, request, public_id):
        return _detail(_alert(request, public_id))

    def _edit(self, request, public_id, partial: bool):
        alert = _alert(request, public_id)
        serializer = AlertDraftSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        _save_draft(request, alert, serializer.validated_data)
        return _detail(alert)

    @extend_schema(
        operation_id="alerts_partial_update",
        summary="Edit a draft (only the fields given)",
        description="Allowed on a draft, a returned alert, or an active alert's update draft (see update/).",
        tags=TAGS,
        request=AlertDraftSerializer,
        responses={200: AlertSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, public_id):
        return self._edit(request, public_id, partial=True)

    @extend_schema(
        operation_id="alerts_put",
        summary="Edit a draft (trigger required)",
        description="As PATCH, but `trigger` must be given; omitted optional fields are left as they are.",
        tags=TAGS,
        request=AlertDraftSerializer,
        responses={200: AlertSerializer, **WRITE_ERRORS},
    )
    def put(self, request, public_id):
        if "trigger" not in request.data:
            raise serializers.ValidationError({"trigger": ["This field is required."]})
        return self._edit(request, public_id, partial=True)


class _ActionView(generics.GenericAPIView):
    """POST <alert>/<action>/: validate the body, call the service, answer with the alert."""

    def post(self, request, public_id):
        alert = _alert(request, public_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.act(request, alert, dict(serializer.validated_data))
        return _detail(alert)

    def act(self, request, alert: Alert, data: dict) -> None:
        raise NotImplementedError


def _action_schema(operation: str, summary: str, description: str, request):
    return extend_schema(
        operation_id=f"alerts_{operation}",
        summary=summary,
        description=description,
        tags=TAGS,
        request=request,
        responses={200: AlertSerializer, **WRITE_ERRORS},
    )


class AlertSubmitView(_ActionView):
    serializer_class = SubmitSerializer

    @_action_schema(
        "submit",
        "Submit for approval",
        "Draft or returned -> pending; for an active alert's update, submits the update (`note` "
        "required). Refused with the list of what is missing (400, `fields`) until the alert is "
        "complete and its criteria attested.",
        SubmitSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        if workflow.in_update_phase(alert):
            services.alert_update_submit(actor=request.user, alert=alert, note=data["note"], ip=client_ip(request))
        else:
            services.alert_submit(actor=request.user, alert=alert, ip=client_ip(request))


class AlertApproveView(_ActionView):
    serializer_class = ApproveSerializer

    @_action_schema(
        "approve",
        "Approve (coordinator)",
        "Pending -> active, or approves an active alert's pending update. Two-person rule: a "
        "coordinator of the alert's state who neither drafted nor submitted it (403 otherwise)." + REAUTH_NOTE,
        ApproveSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        at = api_reauthenticated_at(request, data.get("password"), data.get("otp_token"))
        if workflow.in_update_phase(alert):
            services.alert_update_approve(
                actor=request.user,
                alert=alert,
                reauthenticated_at=at,
                officer_release=data.get("officer_release"),
                ip=client_ip(request),
            )
        else:
            services.alert_approve(
                actor=request.user,
                alert=alert,
                reauthenticated_at=at,
                officer_release=data.get("officer_release"),
                note=data["note"],
                ip=client_ip(request),
            )


class AlertReturnView(_ActionView):
    serializer_class = ReasonSerializer

    @_action_schema(
        "return",
        "Return for changes (coordinator)",
        "Pending -> returned, or returns an active alert's pending update; `reason` required.",
        ReasonSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        if workflow.in_update_phase(alert):
            services.alert_update_return(actor=request.user, alert=alert, reason=data["reason"], ip=client_ip(request))
        else:
            services.alert_return(actor=request.user, alert=alert, reason=data["reason"], ip=client_ip(request))


class AlertDenyView(_ActionView):
    serializer_class = DenySerializer

    @_action_schema(
        "deny", "Deny (coordinator)", "Pending -> denied, final; `reason` required." + REAUTH_NOTE, DenySerializer
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        at = api_reauthenticated_at(request, data.get("password"), data.get("otp_token"))
        services.alert_deny(
            actor=request.user, alert=alert, reason=data["reason"], reauthenticated_at=at, ip=client_ip(request)
        )


class AlertUpdateView(_ActionView):
    serializer_class = None

    @_action_schema(
        "update_start",
        "Start an update of an active alert (agency)",
        "The working copy becomes editable (PATCH the alert), then submit/ sends the update for "
        "approval. The public alert stays as approved until the update is approved.",
        None,
    )
    def post(self, request, public_id):
        alert = _alert(request, public_id)
        services.alert_update_start(actor=request.user, alert=alert, ip=client_ip(request))
        return _detail(alert)


class AlertExtendView(_ActionView):
    serializer_class = ExtendSerializer

    @_action_schema(
        "extend",
        "Ask to extend an active alert (agency)",
        "Submitted as an update that a coordinator approves with approve/.",
        ExtendSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        services.alert_extend_request(
            actor=request.user, alert=alert, hours=data["hours"], note=data["note"], ip=client_ip(request)
        )


class AlertResolveView(_ActionView):
    serializer_class = ResolveSerializer

    @_action_schema(
        "resolve",
        "Resolve or cancel an active alert (coordinator)",
        "Active -> resolved (cancelled when the outcome is issued_in_error); a Cancel message goes "
        "to everyone who received the alert. Agency staff ask with request-resolve/." + REAUTH_NOTE,
        ResolveSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        at = api_reauthenticated_at(request, data.get("password"), data.get("otp_token"))
        services.alert_resolve(
            actor=request.user,
            alert=alert,
            outcome=data["outcome"],
            note=data["note"],
            reauthenticated_at=at,
            ip=client_ip(request),
        )


class AlertRequestResolveView(_ActionView):
    serializer_class = RequestResolveSerializer

    @_action_schema(
        "request_resolve",
        "Ask the coordinators to end an active alert (agency)",
        "The status does not change; the state's coordinators are told.",
        RequestResolveSerializer,
    )
    def post(self, request, public_id):
        return super().post(request, public_id)

    def act(self, request, alert, data):
        services.alert_request_resolve(
            actor=request.user, alert=alert, outcome=data["outcome"], note=data["note"], ip=client_ip(request)
        )


class AlertPhotoListView(generics.GenericAPIView):
    serializer_class = PhotoSerializer
    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="alerts_photos_list",
        summary="Photos of the working copy",
        tags=TAGS,
        responses={200: PhotoSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, public_id):
        alert = _alert(request, public_id)
        return Response(PhotoSerializer(alert.photos.filter(removed=False), many=True).data)

    @extend_schema(
        operation_id="alerts_photos_create",
        summary="Upload a photo (multipart/form-data)",
        description="Only raster images; decoded and re-encoded so no metadata (GPS, EXIF) survives.",
        tags=TAGS,
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, **WRITE_ERRORS, **error_responses(413, 415)},
    )
    def post(self, request, public_id):
        alert = _alert(request, public_id)
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        suspect = vehicle = None
        if data.get("suspect") is not None:
            suspect = alert.suspects.filter(pk=data["suspect"]).first()
            if suspect is None:
                raise serializers.ValidationError({"suspect": ["No suspect with this id in this alert."]})
        if data.get("vehicle") is not None:
            vehicle = alert.vehicles.filter(pk=data["vehicle"]).first()
            if vehicle is None:
                raise serializers.ValidationError({"vehicle": ["No vehicle with this id in this alert."]})
        photo = services.alert_photo_add(
            actor=request.user,
            alert=alert,
            upload=data["image"],
            caption=data["caption"],
            suspect=suspect,
            vehicle=vehicle,
            ip=client_ip(request),
        )
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class AlertPhotoDetailView(generics.GenericAPIView):
    serializer_class = PhotoSerializer

    @extend_schema(
        operation_id="alerts_photos_destroy",
        summary="Remove a photo from the working copy",
        description="Earlier messages that carried it keep it.",
        tags=TAGS,
        responses={204: OpenApiResponse(description="Removed."), **WRITE_ERRORS},
    )
    def delete(self, request, public_id, photo_id):
        alert = _alert(request, public_id)
        photo = Photo.objects.filter(alert=alert, public_id=photo_id).first()
        if photo is None:
            raise Http404("No such photo in this alert.")
        services.alert_photo_remove(actor=request.user, alert=alert, photo=photo, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AlertMessageListView(generics.ListAPIView):
    serializer_class = MessageSerializer

    def get_queryset(self):
        return selectors.alert_messages(_alert(self.request, self.kwargs["public_id"]))

    @extend_schema(
        operation_id="alerts_messages_list",
        summary="Approved messages of the alert (Alert, Update, Cancel)",
        tags=TAGS,
        responses={200: MessageSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AlertMessageDetailView(generics.GenericAPIView):
    serializer_class = MessageDetailSerializer

    @extend_schema(
        operation_id="alerts_messages_retrieve",
        summary="One message, with its CAP XML",
        tags=TAGS,
        responses={200: MessageDetailSerializer, **READ_ERRORS},
    )
    def get(self, request, public_id, message_id):
        alert = _alert(request, public_id)
        message = Message.objects.filter(alert=alert, message_id=message_id).select_related("approved_by").first()
        if message is None:
            raise Http404("No such message of this alert.")
        return Response(MessageDetailSerializer(message).data)


class ReviewQueueView(generics.ListAPIView):
    serializer_class = AlertSummarySerializer

    def get_queryset(self):
        return selectors.alerts_review_queue(self.request.user)

    @extend_schema(
        operation_id="alerts_review_queue",
        summary="What waits for a coordinator's decision",
        description="Submissions, updates and requests to resolve in your states (all states, read "
        "only, for a national administrator); empty for everyone else.",
        tags=TAGS,
        responses={200: AlertSummarySerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
