"""The notifications REST API: a media subscriber's own subscription through its signed link, and a
message's delivery summary for the coordinators. Thin views over notifications.services/selectors."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.ip import client_ip
from agencies.models import County, State
from core.api_errors import error_responses
from outbox.selectors import delivery_counts

from .models import MediaSubscriber
from .selectors import message_get_for_deliveries, subscriber_get_by_manage_token
from .services.subscribers import subscriber_preferences_update, subscriber_unsubscribe

LINK_HELP = (
    "The signed token of the link in your emails (the last part of the subscriber page link, /subscriber/<token>/)."
)


class SubscriptionSerializer(serializers.ModelSerializer):
    states: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(
        slug_field="usps", many=True, read_only=True
    )
    counties = serializers.SerializerMethodField(help_text="5-digit FIPS codes (state + county).")

    class Meta:
        model = MediaSubscriber
        fields = [
            "public_id",
            "organisation",
            "outlet_type",
            "contact_name",
            "email",
            "status",
            "states",
            "counties",
            "language",
            "wants_exercises",
            "webhook_url",
        ]
        read_only_fields = fields

    def get_counties(self, subscriber) -> list[str]:
        return [f"{c.state.fips}{c.fips}" for c in subscriber.counties.select_related("state")]


class SubscriptionUpdateSerializer(serializers.Serializer):
    states = serializers.ListField(
        child=serializers.CharField(max_length=2),
        required=False,
        min_length=1,
        help_text="USPS codes of the states whose alerts you receive.",
    )
    counties = serializers.ListField(
        child=serializers.RegexField(r"^\d{5}$"),
        required=False,
        help_text="5-digit county FIPS codes; empty: whole states.",
    )
    language = serializers.ChoiceField(choices=MediaSubscriber.Language.choices, required=False)
    wants_exercises = serializers.BooleanField(required=False)
    webhook_url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class _SubscriberView(generics.GenericAPIView):
    """The link is the credential: no account, no session, never cached."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class SubscriptionView(_SubscriberView):
    serializer_class = SubscriptionSerializer

    @extend_schema(
        operation_id="subscription_retrieve",
        summary="Your subscription (media subscribers)",
        description=LINK_HELP,
        tags=["subscription"],
        auth=[],
        responses={200: SubscriptionSerializer, **error_responses(404, 429)},
    )
    def get(self, request, token):
        return Response(SubscriptionSerializer(subscriber_get_by_manage_token(token)).data)

    @extend_schema(
        operation_id="subscription_partial_update",
        summary="Change your areas, language or webhook",
        description=LINK_HELP,
        tags=["subscription"],
        auth=[],
        request=SubscriptionUpdateSerializer,
        responses={200: SubscriptionSerializer, **error_responses(400, 404, 409, 429)},
    )
    def patch(self, request, token):
        subscriber = subscriber_get_by_manage_token(token)
        serializer = SubscriptionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        errors = {}
        states = list(subscriber.states.all())
        if "states" in data:
            wanted = {u.upper() for u in data["states"]}
            states = list(State.objects.filter(usps__in=wanted))
            if len(states) != len(wanted):
                errors["states"] = ["Unknown state code."]
        counties = list(subscriber.counties.all())
        if "counties" in data:
            wanted = set(data["counties"])
            counties = [
                c
                for c in County.objects.filter(state__fips__in={w[:2] for w in wanted}).select_related("state")
                if f"{c.state.fips}{c.fips}" in wanted
            ]
            if len(counties) != len(wanted):
                errors["counties"] = ["Unknown county FIPS code."]
        if errors:
            raise serializers.ValidationError(errors)
        subscriber = subscriber_preferences_update(
            subscriber=subscriber,
            states=states,
            counties=counties,
            language=data.get("language", subscriber.language),
            wants_exercises=data.get("wants_exercises", subscriber.wants_exercises),
            webhook_url=data.get("webhook_url", subscriber.webhook_url),
            ip=client_ip(request),
        )
        return Response(SubscriptionSerializer(subscriber).data)


class SubscriptionUnsubscribeView(_SubscriberView):
    serializer_class = None

    @extend_schema(
        operation_id="subscription_unsubscribe",
        summary="Unsubscribe",
        description=LINK_HELP,
        tags=["subscription"],
        auth=[],
        request=None,
        responses={200: SubscriptionSerializer, **error_responses(404, 429)},
    )
    def post(self, request, token):
        subscriber = subscriber_get_by_manage_token(token)
        subscriber_unsubscribe(subscriber=subscriber, ip=client_ip(request))
        subscriber.refresh_from_db()
        return Response(SubscriptionSerializer(subscriber).data)


class DeliverySummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    sent = serializers.IntegerField()
    queued = serializers.IntegerField()
    retrying = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()
    done = serializers.BooleanField(help_text="Every delivery has been sent or has failed for good.")


class DeliverySummaryView(generics.GenericAPIView):
    serializer_class = DeliverySummarySerializer

    @extend_schema(
        operation_id="alerts_messages_deliveries",
        summary="Delivery status of one message",
        description="For the coordinators of the alert's state and national administrators.",
        tags=["alerts"],
        responses={200: DeliverySummarySerializer, **error_responses(401, 404, 429)},
    )
    def get(self, request, public_id, message_id):
        message = message_get_for_deliveries(request.user, message_id=message_id)
        if str(message.alert.public_id) != str(public_id):
            raise Http404("No such message of this alert.")
        return Response(DeliverySummarySerializer(delivery_counts(message_id=message.pk)).data)
