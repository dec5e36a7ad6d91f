import re
import uuid
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

ORI_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")


def validate_ori(value: str) -> None:
    """An NCIC ORI: nine characters, the state's two letters then seven letters or digits."""
    if not ORI_RE.match(value or ""):
        raise ValidationError(
            "An ORI is 9 characters: the state's two-letter code followed by 7 letters or digits (e.g. TX2270000).",
            code="invalid_ori",
        )


class StateQuerySet(models.QuerySet["State"]):
    def participating(self) -> Self:
        return self.filter(is_participating=True)


class State(models.Model):
    usps = models.CharField("USPS code", max_length=2, unique=True)
    fips = models.CharField("FIPS code", max_length=2, unique=True)
    name = models.CharField(max_length=64)
    is_territory = models.BooleanField(default=False)
    is_participating = models.BooleanField(default=True)
    default_alert_hours = models.PositiveSmallIntegerField(
        default=24, help_text="How long an alert stays active unless extended."
    )
    staff_require_2fa = models.BooleanField(default=False)

    objects = StateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [
            ("coordinate_state", "Coordinate Blue Alerts for the state"),
            ("administer_network", "Administer the national network (global, never per state)"),
        ]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="counties")
    fips = models.CharField("county FIPS code", max_length=3)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["state__name", "name"]
        verbose_name_plural = "counties"
        constraints = [models.UniqueConstraint(fields=["state", "fips"], name="county_unique_fips")]

    def __str__(self) -> str:
        return f"{self.name}, {self.state.usps}"

    @property
    def same_code(self) -> str:
        """The 6-digit SAME/PSSCCC geocode (P=0: the whole county)."""
        return f"0{self.state.fips}{self.fips}"


class AgencyQuerySet(models.QuerySet["Agency"]):
    def verified(self) -> Self:
        return self.filter(status=Agency.Status.VERIFIED)

    def for_state(self, state: "State") -> Self:
        return self.filter(state=state)


class Agency(models.Model):
    class Type(models.TextChoices):
        MUNICIPAL = "municipal", "Municipal police"
        SHERIFF = "sheriff", "Sheriff's office"
        STATE_POLICE = "state_police", "State police / highway patrol"
        TRIBAL = "tribal", "Tribal police"
        FEDERAL = "federal", "Federal"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    ori = models.CharField("ORI", max_length=9, unique=True, validators=[validate_ori])
    agency_type = models.CharField(max_length=20, choices=Type.choices)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="agencies")
    county = models.ForeignKey(County, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(max_length=255)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=10)
    phone = models.CharField(max_length=40)
    tip_line = models.CharField(max_length=40, blank=True, help_text="Public tip line used in alerts.")
    head_name = models.CharField("head of agency", max_length=150)
    head_title = models.CharField("head of agency's title", max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        permissions = [
            ("draft_alert", "Draft Blue Alerts for the agency"),
            ("manage_agency", "Manage the agency's profile and members"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ori})"

    def clean(self) -> None:
        if self.ori:
            self.ori = self.ori.upper().strip()
        if self.ori and self.state_id and not self.ori.startswith(self.state.usps):
            raise ValidationError({"ori": f"An ORI in {self.state.name} starts with {self.state.usps}."})


class Role(models.TextChoices):
    AGENCY_STAFF = "agency_staff", "Agency staff"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"
    STATE_COORDINATOR = "state_coordinator", "State coordinator"
    NATIONAL_ADMIN = "national_admin", "National administrator"


AGENCY_ROLES = (Role.AGENCY_STAFF, Role.AGENCY_ADMIN)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> Self:
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """Who belongs where. Object permissions follow from active memberships (services.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=24, choices=Role.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    state = models.ForeignKey(State, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "user__email"]
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=AGENCY_ROLES, agency__isnull=False, state__isnull=True)
                    | Q(role=Role.STATE_COORDINATOR, agency__isnull=True, state__isnull=False)
                    | Q(role=Role.NATIONAL_ADMIN, agency__isnull=True, state__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "agency"], condition=Q(agency__isnull=False), name="membership_one_per_agency"
            ),
            models.UniqueConstraint(
                fields=["user", "state"], condition=Q(state__isnull=False), name="membership_one_per_state"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role=Role.NATIONAL_ADMIN), name="membership_one_national"
            ),
        ]

    def __str__(self) -> str:
        where = self.agency or self.state or "the network"
        return f"{self.user.email}: {self.get_role_display()} of {where}"

    # What the role lets its holder reach, for pages that show a member's links (no query).
    @property
    def drafts_alerts(self) -> bool:
        return self.role in AGENCY_ROLES

    @property
    def administers_agency(self) -> bool:
        return self.role == Role.AGENCY_ADMIN

    @property
    def coordinates(self) -> bool:
        """A state coordinator, or a national administrator (who oversees every state)."""
        return self.role in (Role.STATE_COORDINATOR, Role.NATIONAL_ADMIN)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> Self:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An agency administrator's invitation to join the agency. The emailed link carries a signed,
    expiring token naming `public_id`; `accepted_at` makes it single use (services.invitation_accept_*)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=24,
        choices=[
            (Role.AGENCY_STAFF.value, Role.AGENCY_STAFF.label),
            (Role.AGENCY_ADMIN.value, Role.AGENCY_ADMIN.label),
        ],
        default=Role.AGENCY_STAFF,
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_role_is_agency_role", condition=Q(role__in=[r.value for r in AGENCY_ROLES])
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.agency.name} as {self.get_role_display()}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "pending"
