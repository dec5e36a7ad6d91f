"""The agencies REST API: public registration, the coordinators' registration queue, and an agency
administrator's members and invitations.

Thin views over agencies.services and agencies.selectors, scoped exactly like the pages in
agencies/views.py (an agency you do not administer is a 404, as on the members page).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.ip import client_ip
from accounts.reauth_api import ReauthSerializer, api_reauthenticated_at
from core.api_errors import error_responses

from . import services
from .models import AGENCY_ROLES, Agency, County, Invitation, Membership, State
from .permissions import can_manage_agency
from .selectors import (
    agencies_for_user,
    agency_get_for_user,
    agency_registration_get_for_user,
    invitation_get_for_agency,
    invitations_pending_of_agency,
    may_review_registrations,
    memberships_of_agency,
    registration_requested_admins,
    registrations_pending_first,
)

AGENCY_ROLE_CHOICES = [(r.value, r.label) for r in AGENCY_ROLES]
READ_ERRORS = error_responses(401, 404, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 429)


# ---- Serializers (shapes only) ----------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    state = serializers.CharField(source="state.usps", read_only=True, help_text="USPS code of the agency's state.")
    county = serializers.CharField(source="county.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Agency
        fields = [
            "public_id",
            "name",
            "ori",
            "agency_type",
            "state",
            "county",
            "address",
            "city",
            "postal_code",
            "phone",
            "tip_line",
            "head_name",
            "head_title",
            "status",
        ]
        read_only_fields = fields


class RegistrationSerializer(AgencySerializer):
    """A registration as the coordinators' queue shows it."""

    status_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decided_by = serializers.EmailField(source="decided_by.email", read_only=True, allow_null=True, default=None)
    requested_administrators = serializers.SerializerMethodField()

    class Meta(AgencySerializer.Meta):
        fields = [
            *AgencySerializer.Meta.fields,
            "status_reason",
            "created_at",
            "decided_at",
            "decided_by",
            "requested_administrators",
        ]
        read_only_fields = fields

    def get_requested_administrators(self, agency) -> list[str]:
        return [m.user.email for m in registration_requested_admins(agency)]


class RegisterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    ori = serializers.CharField(max_length=9, help_text="9-character NCIC ORI starting with the state's code.")
    agency_type = serializers.ChoiceField(choices=Agency.Type.choices)
    state = serializers.SlugRelatedField(
        slug_field="usps",
        queryset=State.objects.participating(),
        help_text="USPS code of a participating state, e.g. TX.",
    )
    county = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=3,
        help_text="3-digit county FIPS code within the state (optional).",
    )
    address = serializers.CharField(max_length=255)
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=10)
    phone = serializers.CharField(max_length=40)
    tip_line = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    head_name = serializers.CharField(max_length=150)
    head_title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    admin_full_name = serializers.CharField(max_length=150)
    admin_email = serializers.EmailField()
    admin_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    def validate(self, data):
        fips = data.pop("county", "") or ""
        data["county"] = None
        if fips:
            county = County.objects.filter(state=data["state"], fips=fips).first()
            if county is None:
                raise serializers.ValidationError(
                    {"county": f"No county with FIPS code {fips} in {data['state'].name}."}
                )
            data["county"] = county
        return data


class RegisteredSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    status = serializers.CharField()
    detail = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "is_active", "created_at"]
        read_only_fields = fields


class MemberRoleSerializer(ReauthSerializer):
    role = serializers.ChoiceField(choices=AGENCY_ROLE_CHOICES)


class InvitationSerializer(serializers.ModelSerializer):
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["public_id", "email", "role", "status", "invited_by", "created_at"]
        read_only_fields = ["public_id", "status", "invited_by", "created_at"]
        extra_kwargs = {"role": {"required": False}}


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="How you checked the agency; sent to its administrator."
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Required; sent to the person who registered.")


# ---- Registration (public) --------------------------------------------------------------------------


class AgencyRegisterView(generics.GenericAPIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    serializer_class = RegisterSerializer

    @extend_schema(
        operation_id="agencies_register",
        summary="Register an agency (public)",
        description="Creates a pending agency and its requested administrator's inactive account; the state's "
        "coordinators verify it. The administrator receives a set-password link once verified.",
        tags=["agencies"],
        auth=[],
        responses={201: RegisteredSerializer, **error_responses(400, 429)},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = services.agency_register(**serializer.validated_data, ip=client_ip(request))
        return Response(
            {
                "public_id": str(agency.public_id),
                "status": agency.status,
                "detail": "Registration received. Your state coordinator checks it and you will get an email.",
            },
            status=status.HTTP_201_CREATED,
        )


# ---- Agencies of the user, members and invitations --------------------------------------------------


class AgencyListView(generics.ListAPIView):
    serializer_class = AgencySerializer

    @extend_schema(
        operation_id="agencies_list",
        summary="Agencies you belong to",
        tags=["agencies"],
        responses={200: AgencySerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return agencies_for_user(self.request.user).select_related("state", "county").order_by("name", "id")


class AgencyDetailView(generics.RetrieveAPIView):
    serializer_class = AgencySerializer

    @extend_schema(
        operation_id="agencies_retrieve",
        summary="One of your agencies",
        tags=["agencies"],
        responses={200: AgencySerializer, **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return agency_get_for_user(self.request.user, public_id=self.kwargs["public_id"])


def managed_agency(request, public_id) -> Agency:
    """The agency, if the user administers it (a 404 otherwise, as on the members page)."""
    agency = agency_get_for_user(request.user, public_id=public_id, perm="agencies.manage_agency")
    if not can_manage_agency(request.user, agency):
        raise Http404("No such agency")
    return agency


class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer

    @extend_schema(
        operation_id="agencies_members_list",
        summary="Members of an agency you administer",
        tags=["agencies"],
        responses={200: MemberSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return memberships_of_agency(managed_agency(self.request, self.kwargs["public_id"]))


def _membership(agency: Agency, membership_id: int) -> Membership:
    membership = Membership.objects.filter(agency=agency, pk=membership_id).select_related("user").first()
    if membership is None:
        raise Http404("No such member of this agency.")
    return membership


class MemberRoleView(generics.GenericAPIView):
    serializer_class = MemberRoleSerializer

    @extend_schema(
        operation_id="agencies_members_role",
        summary="Switch a member between staff and administrator",
        description="Needs re-authentication: include your password (see the `password` field).",
        tags=["agencies"],
        responses={200: MemberSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id, membership_id):
        agency = managed_agency(request, public_id)
        membership = _membership(agency, membership_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reauth_at = api_reauthenticated_at(
            request, serializer.validated_data.get("password"), serializer.validated_data.get("otp_token")
        )
        membership = services.member_change_role(
            actor=request.user,
            agency=agency,
            membership=membership,
            role=serializer.validated_data["role"],
            reauth_at=reauth_at,
            ip=client_ip(request),
        )
        return Response(MemberSerializer(membership).data)


class MemberDeactivateView(generics.GenericAPIView):
    serializer_class = None

    @extend_schema(
        operation_id="agencies_members_deactivate",
        summary="Remove a member's rights",
        tags=["agencies"],
        request=None,
        responses={200: MemberSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id, membership_id):
        agency = managed_agency(request, public_id)
        membership = _membership(agency, membership_id)
        membership = services.member_deactivate(
            actor=request.user, agency=agency, membership=membership, ip=client_ip(request)
        )
        return Response(MemberSerializer(membership).data)


class InvitationListView(generics.ListCreateAPIView):
    serializer_class = InvitationSerializer

    def get_queryset(self):
        return invitations_pending_of_agency(managed_agency(self.request, self.kwargs["public_id"])).order_by(
            "-created_at", "-id"
        )

    @extend_schema(
        operation_id="agencies_invitations_list",
        summary="Pending invitations of an agency you administer",
        tags=["agencies"],
        responses={200: InvitationSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="agencies_invitations_create",
        summary="Invite someone to the agency",
        description="Emails a signed link that expires; an earlier pending invitation of the same address is "
        "withdrawn. `role` is agency_staff (default) or agency_admin.",
        tags=["agencies"],
        responses={201: InvitationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id):
        agency = managed_agency(request, public_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            actor=request.user,
            agency=agency,
            email=serializer.validated_data["email"],
            role=serializer.validated_data.get("role") or "agency_staff",
            ip=client_ip(request),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationRevokeView(generics.GenericAPIView):
    serializer_class = None

    @extend_schema(
        operation_id="agencies_invitations_revoke",
        summary="Withdraw a pending invitation",
        tags=["agencies"],
        request=None,
        responses={200: InvitationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id, invitation_id):
        agency = managed_agency(request, public_id)
        invitation = invitation_get_for_agency(agency, public_id=invitation_id)
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation, ip=client_ip(request))
        return Response(InvitationSerializer(invitation).data)


# ---- The coordinators' registration queue -----------------------------------------------------------


class RegistrationListView(generics.ListAPIView):
    serializer_class = RegistrationSerializer

    @extend_schema(
        operation_id="registrations_list",
        summary="The registration queue of your states",
        description="For state coordinators (their states) and national administrators (all): pending first.",
        tags=["registrations"],
        parameters=[
            OpenApiParameter(
                "status", str, enum=[s.value for s in Agency.Status], description="Only registrations in this status."
            )
        ],
        responses={200: RegistrationSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not may_review_registrations(self.request.user):
            raise Http404("No registrations for you.")
        qs = registrations_pending_first(self.request.user).select_related("county")
        wanted = self.request.query_params.get("status", "").strip()
        if wanted:
            qs = qs.filter(status=wanted)
        return qs.order_by("pending_first", "created_at", "id")


class RegistrationDetailView(generics.RetrieveAPIView):
    serializer_class = RegistrationSerializer

    @extend_schema(
        operation_id="registrations_retrieve",
        summary="One registration",
        tags=["registrations"],
        responses={200: RegistrationSerializer, **READ_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return agency_registration_get_for_user(self.request.user, public_id=self.kwargs["public_id"])


class RegistrationVerifyView(generics.GenericAPIView):
    serializer_class = VerifySerializer

    @extend_schema(
        operation_id="registrations_verify",
        summary="Verify a pending registration",
        tags=["registrations"],
        responses={200: RegistrationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id):
        agency = agency_registration_get_for_user(request.user, public_id=public_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = services.agency_verify(
            actor=request.user, agency=agency, note=serializer.validated_data["note"], ip=client_ip(request)
        )
        return Response(RegistrationSerializer(agency).data)


class RegistrationRejectView(generics.GenericAPIView):
    serializer_class = RejectSerializer

    @extend_schema(
        operation_id="registrations_reject",
        summary="Reject a pending registration, with a reason",
        tags=["registrations"],
        responses={200: RegistrationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, public_id):
        agency = agency_registration_get_for_user(request.user, public_id=public_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = services.agency_reject(
            actor=request.user, agency=agency, reason=serializer.validated_data["reason"], ip=client_ip(request)
        )
        return Response(RegistrationSerializer(agency).data)
