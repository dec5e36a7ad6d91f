"""Shapes of the signed-in alerts API. Input serializers check types, lengths and choices only (the
model's own limits, and the channel-text checks the drafting form runs too); they never save.
Every rule is decided by alerts.services."""

from typing import cast

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.reauth_api import ReauthSerializer
from agencies.models import County, State

from ..fields import DRAFT_FIELDS, SUSPECT_FIELDS, VEHICLE_FIELDS
from ..models import Alert, Message, Photo, Suspect, Vehicle
from ..selectors import criteria_for_alert
from ..services import MAX_EXTENSION_HOURS
from ..texts import plain_texts, texts_problems

# ---- Reading ----------------------------------------------------------------------------------------


class _AgencyRef(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    ori = serializers.CharField()


class SuspectSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Set it to keep and modify an existing suspect of this alert; omit it for a new one."
    )

    class Meta:
        model = Suspect
        fields = ["id", *SUSPECT_FIELDS]


class VehicleSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text="Set it to keep and modify an existing vehicle of this alert; omit it for a new one."
    )
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    plate_state = serializers.SlugRelatedField(
        slug_field="usps",
        queryset=State.objects.all(),
        required=False,
        allow_null=True,
        help_text="USPS code of the plate's state.",
    )

    class Meta:
        model = Vehicle
        fields = ["id", *VEHICLE_FIELDS]

    def validate_plate(self, value: str) -> str:
        return "".join((value or "").upper().split())


class PhotoSerializer(serializers.ModelSerializer):
    suspect: serializers.PrimaryKeyRelatedField[Suspect] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the suspect shown, if any."
    )
    vehicle: serializers.PrimaryKeyRelatedField[Vehicle] = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the vehicle shown, if any."
    )

    class Meta:
        model = Photo
        fields = ["public_id", "caption", "suspect", "vehicle", "width", "height", "size", "sha256", "created_at"]
        read_only_fields = fields


class CriterionStatusSerializer(serializers.Serializer):
    key = serializers.CharField()
    # The JSON keys "label" and "required" are the documented shape; DRF declares them like any field,
    # while the stubs see Field.label and Field.required (the serializer's own options) under those names.
    label = serializers.CharField()  # type: ignore[assignment]
    required = serializers.BooleanField()  # type: ignore[assignment]
    attested = serializers.BooleanField()
    attested_by = serializers.EmailField(allow_null=True)
    attested_at = serializers.DateTimeField(allow_null=True)


class AlertSummarySerializer(serializers.ModelSerializer):
    agency = _AgencyRef(read_only=True)
    state = serializers.CharField(source="state.usps", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "public_id",
            "status",
            "update_state",
            "is_exercise",
            "trigger",
            "headline",
            "agency",
            "state",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "expires_at",
            "resolve_requested_at",
        ]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    """The working copy, as the portal's alert page shows it to people who may see the alert."""

    agency = _AgencyRef(read_only=True)
    state = serializers.CharField(source="state.usps", read_only=True)
    incident_county = serializers.CharField(
        source="incident_county.fips",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="3-digit county FIPS code.",
    )
    counties: serializers.SlugRelatedField[County] = serializers.SlugRelatedField(
        slug_field="fips", many=True, read_only=True
    )
    extra_states: serializers.SlugRelatedField[State] = serializers.SlugRelatedField(
        slug_field="usps", many=True, read_only=True
    )
    suspects = SuspectSerializer(many=True, read_only=True)
    vehicles = VehicleSerializer(many=True, read_only=True)
    photos = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    submitted_by = serializers.EmailField(source="submitted_by.email", read_only=True, allow_null=True, default=None)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True, default=None)
    update_submitted_by = serializers.EmailField(
        source="update_submitted_by.email", read_only=True, allow_null=True, default=None
    )
    resolve_requested_by = serializers.EmailField(
        source="resolve_requested_by.email", read_only=True, allow_null=True, default=None
    )
    outcome = serializers.CharField(read_only=True, help_text="How the alert ended (empty while it has not).")

    class Meta:
        model = Alert
        fields = [
            "public_id",
            "status",
            "update_state",
            "is_exercise",
            "agency",
            "state",
            *DRAFT_FIELDS,
            "officer_release",
            "counties",
            "extra_states",
            "expires_at",
            "suspects",
            "vehicles",
            "photos",
            "criteria",
            "created_by",
            "created_at",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_reason",
            "update_note",
            "update_submitted_by",
            "update_submitted_at",
            "resolve_requested_by",
            "resolve_requested_at",
            "outcome",
            "outcome_note",
            "ended_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, alert) -> list[dict]:
        # many=True makes a ListSerializer (its data a list); the stubs type the call as PhotoSerializer.
        return cast(list[dict], PhotoSerializer(alert.photos.filter(removed=False), many=True).data)

    @extend_schema_field(CriterionStatusSerializer(many=True))
    def get_criteria(self, alert) -> list[dict]:
        return [
            {
                "key": c.key,
                "label": c.label,
                "required": c.required,
                "attested": a is not None,
                "attested_by": a.attested_by.email if a else None,
                "attested_at": a.attested_at if a else None,
            }
            for c, a in criteria_for_alert(alert)
        ]


class MessageSerializer(serializers.ModelSerializer):
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True)
    published = serializers.SerializerMethodField(help_text="Whether the CAP XML has been produced.")
    cap_url = serializers.SerializerMethodField(help_text="Public CAP address; null for an exercise.")

    class Meta:
        model = Message
        fields = [
            "message_id",
            "sequence",
            "kind",
            "sent_at",
            "is_exercise",
            "note",
            "approved_by",
            "published",
            "cap_url",
        ]
        read_only_fields = fields

    def get_published(self, message) -> bool:
        return bool(message.cap_xml)

    def get_cap_url(self, message) -> str | None:
        if message.is_exercise:
            return None
        return f"{settings.SITE_URL}/cap/{message.message_id}.xml"


class MessageDetailSerializer(MessageSerializer):
    cap_xml = serializers.CharField(read_only=True, help_text="The CAP 1.2 XML; empty until published.")

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "cap_xml"]
        read_only_fields = fields


# ---- Writing (shapes only) --------------------------------------------------------------------------


class AlertDraftSerializer(serializers.ModelSerializer):
    """The drafter's fields. Lists (suspects, vehicles, counties, extra_states, criteria) replace the
    alert's current ones when given and are left alone when omitted."""

    incident_county = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=3,
        help_text="3-digit county FIPS code in the alert's state.",
    )
    counties = serializers.ListField(
        child=serializers.CharField(max_length=3),
        required=False,
        help_text="County FIPS codes in the alert's state (when not statewide).",
    )
    extra_states = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False, help_text="USPS codes of other states asked to join."
    )
    suspects = SuspectSerializer(
        many=True, required=False, help_text="The full list: suspects of the alert not listed (by id) are removed."
    )
    vehicles = VehicleSerializer(
        many=True, required=False, help_text="The full list: vehicles of the alert not listed (by id) are removed."
    )
    criteria = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        required=False,
        help_text="Keys of the state's criteria you attest; the set replaces the "
        "current attestations (draft and returned alerts only).",
    )
    regenerate_texts = serializers.BooleanField(
        required=False, default=False, help_text="Generate the channel texts again from the fields."
    )

    class Meta:
        model = Alert
        fields = [*DRAFT_FIELDS, "counties", "extra_states", "suspects", "vehicles", "criteria", "regenerate_texts"]
        extra_kwargs = {"trigger": {"required": False}}

    def validate(self, data):
        for name in ("incident_at", "last_seen_at"):
            value = data.get(name)
            if value is not None and not 1900 <= value.year <= 2100:
                raise serializers.ValidationError({name: ["Give a date and time between 1900 and 2100."]})
        data.update(plain_texts(data))
        problems = texts_problems({k: v for k, v in data.items() if isinstance(v, str)})
        if problems:
            raise serializers.ValidationError(problems)
        return data


class AlertCreateSerializer(AlertDraftSerializer):
    agency = serializers.UUIDField(required=False, help_text="public_id of your agency; optional if you have one.")
    is_exercise = serializers.BooleanField(
        required=False, default=False, help_text="An exercise (training) alert; fixed for good at creation."
    )

    class Meta(AlertDraftSerializer.Meta):
        fields = ["agency", "is_exercise", *AlertDraftSerializer.Meta.fields]
        extra_kwargs = {"trigger": {"required": True}}


def resolve_places(data: dict, state: State) -> dict:
    """FIPS and USPS codes in `data` -> County and State rows (a field error names what is unknown)."""
    errors: dict[str, list[str]] = {}
    if "incident_county" in data:
        fips = data.pop("incident_county") or ""
        county = County.objects.filter(state=state, fips=fips).first() if fips else None
        if fips and county is None:
            errors["incident_county"] = [f"No county with FIPS code {fips} in {state.name}."]
        data["incident_county"] = county
    if "counties" in data:
        wanted = set(data["counties"])
        found = list(County.objects.filter(state=state, fips__in=wanted))
        missing = wanted - {c.fips for c in found}
        if missing:
            errors["counties"] = [f"No county with FIPS code {', '.join(sorted(missing))} in {state.name}."]
        data["counties"] = found
    if "extra_states" in data:
        wanted = {u.upper() for u in data["extra_states"]}
        found_states = list(State.objects.filter(usps__in=wanted))
        missing = wanted - {s.usps for s in found_states}
        if missing:
            errors["extra_states"] = [f"Unknown state code {', '.join(sorted(missing))}."]
        data["extra_states"] = found_states
    if errors:
        raise serializers.ValidationError(errors)
    return data


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For an update of an active alert: what changed (required then).",
    )


class ApproveSerializer(ReauthSerializer):
    officer_release = serializers.ChoiceField(
        choices=Alert.OfficerRelease.choices,
        required=False,
        help_text="Who may see the officer's details (private by default).",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required: sent to the agency and kept in the history."
    )


class DenySerializer(ReauthSerializer, ReasonSerializer):
    pass


class ResolveSerializer(ReauthSerializer):
    outcome = serializers.ChoiceField(
        choices=Alert.Outcome.choices, help_text="issued_in_error cancels the alert; the others resolve it."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequestResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Alert.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer):
    hours = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_HOURS)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="JPEG, PNG or WebP; re-encoded without metadata.")
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    suspect = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the suspect it shows.")
    vehicle = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the vehicle it shows.")


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Alert.Status.choices, required=False)
    state = serializers.CharField(required=False, max_length=2, help_text="USPS code, e.g. TX.")
    agency = serializers.UUIDField(required=False, help_text="public_id of an agency.")
    created_after = serializers.DateField(required=False, help_text="Created on or after this date.")
    created_before = serializers.DateField(required=False, help_text="Created on or before this date.")
    is_exercise = serializers.BooleanField(required=False, allow_null=True, default=None)
