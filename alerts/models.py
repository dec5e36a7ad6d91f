"""The Blue Alert and its parts.

An alert's own rows are the working copy that agency staff edit. What the public and recipients
see is never the working copy: each approval freezes a `Message` holding an immutable snapshot
(alerts.snapshot.alert_snapshot) and everything published or sent is rendered from a message.
That is why an update can be drafted on an active alert without the draft ever leaking.
"""

import uuid
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import Agency, County, State

from . import workflow


class AlertQuerySet(models.QuerySet["Alert"]):
    def live(self) -> Self:
        return self.filter(is_exercise=False)

    def public(self) -> Self:
        """Alerts that may appear on a public path: published at least once, never an exercise."""
        return self.filter(is_exercise=False, status__in=workflow.PUBLISHED)

    def active(self) -> Self:
        return self.filter(status=workflow.Status.ACTIVE)

    def ended(self) -> Self:
        return self.filter(status__in=workflow.ENDED)

    def waiting_for_decision(self) -> Self:
        """The review queue: submissions, updates and requests to end (alerts.workflow)."""
        return self.filter(workflow.waiting_for_decision_q())

    def for_state(self, state: State) -> Self:
        return self.filter(Q(state=state) | Q(extra_states=state)).distinct()


class Alert(models.Model):
    # The choices live with the transition table (alerts.workflow); Alert.Status is the same class.
    Status = workflow.Status
    UpdateState = workflow.UpdateState

    class Trigger(models.TextChoices):
        KILLED = "killed", "Officer killed in the line of duty"
        INJURED = "injured", "Officer seriously injured in the line of duty"
        MISSING = "missing", "Officer missing in connection with official duties"
        THREAT = "threat", "Imminent and credible threat to kill or seriously injure an officer"

    class Direction(models.TextChoices):
        UNKNOWN = "", "Unknown"
        N = "N", "North"
        NE = "NE", "Northeast"
        E = "E", "East"
        SE = "SE", "Southeast"
        S = "S", "South"
        SW = "SW", "Southwest"
        W = "W", "West"
        NW = "NW", "Northwest"

    class TravelMode(models.TextChoices):
        UNKNOWN = "", "Unknown"
        VEHICLE = "vehicle", "In a vehicle"
        FOOT = "foot", "On foot"
        OTHER = "other", "Other"

    class Warrant(models.TextChoices):
        NONE = "", "Not applicable"
        PENDING = "pending", "Applied for"
        ISSUED = "issued", "Issued"

    class OfficerRelease(models.TextChoices):
        PRIVATE = "private", "Private (not shared)"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement only"
        PUBLIC = "public", "Public"

    class Outcome(models.TextChoices):
        APPREHENDED = "apprehended", "Suspect apprehended"
        OFFICER_FOUND = "officer_found", "Officer found"
        NO_LONGER_USEFUL = "no_longer_useful", "Alert no longer useful"
        ISSUED_IN_ERROR = "issued_in_error", "Issued in error"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="alerts")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="alerts")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    is_exercise = models.BooleanField("exercise", default=False, help_text="Fixed at creation.")

    # Incident
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    incident_at = models.DateTimeField("incident date and time", null=True, blank=True)
    incident_address = models.CharField(max_length=255, blank=True)
    incident_city = models.CharField(max_length=100, blank=True)
    incident_county = models.ForeignKey(County, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    incident_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # Internal only: never in a public output.
    case_number = models.CharField("agency case number", max_length=64, blank=True)
    ncic_number = models.CharField("NCIC entry number", max_length=32, blank=True)
    warrant_status = models.CharField(max_length=10, choices=Warrant.choices, blank=True, default="")
    case_contact = models.CharField("case contact (law enforcement)", max_length=255, blank=True)
    private_notes = models.TextField(blank=True)

    # Last seen
    last_seen_place = models.CharField(max_length=255, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    last_seen_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    direction = models.CharField("direction of travel", max_length=2, choices=Direction.choices, blank=True, default="")
    travel_mode = models.CharField("mode of travel", max_length=10, choices=TravelMode.choices, blank=True, default="")

    # Officer (missing officer): private unless a coordinator releases it.
    officer_name = models.CharField(max_length=150, blank=True)
    officer_description = models.TextField(blank=True, help_text="Only what helps find the officer.")
    officer_release = models.CharField(max_length=16, choices=OfficerRelease.choices, default=OfficerRelease.PRIVATE)

    # Public instruction and scope
    public_instruction = models.CharField(max_length=255, blank=True)
    tip_line = models.CharField(max_length=40, blank=True)
    statewide = models.BooleanField(default=True)
    counties = models.ManyToManyField(County, blank=True, related_name="+")
    extra_states = models.ManyToManyField(
        State, blank=True, related_name="joined_alerts", help_text="Other states asked to join."
    )
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    # Channel texts (generated from the fields, then editable)
    headline = models.CharField(max_length=160, blank=True)
    wea_short_en = models.CharField("WEA 90 (English)", max_length=90, blank=True)
    wea_long_en = models.CharField("WEA 360 (English)", max_length=360, blank=True)
    wea_short_es = models.CharField("WEA 90 (Spanish)", max_length=90, blank=True)
    wea_long_es = models.CharField("WEA 360 (Spanish)", max_length=360, blank=True)
    eas_script = models.TextField("EAS script", blank=True)
    description_en = models.TextField("long description (English)", blank=True)
    description_es = models.TextField("long description (Spanish)", blank=True)

    # Workflow bookkeeping (written only by alerts.services)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    expiry_reminded_at = models.DateTimeField(null=True, blank=True)
    update_state = models.CharField(max_length=10, choices=UpdateState.choices, blank=True, default="")
    update_note = models.TextField("what changed", blank=True)
    update_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    update_submitted_at = models.DateTimeField(null=True, blank=True)
    resolve_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolve_requested_at = models.DateTimeField(null=True, blank=True)
    resolve_requested_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    resolve_requested_note = models.TextField(blank=True)
    extension_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Extension of expiry requested with the pending update."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    # Not a field: the messages, oldest first, that the public reads prefetch (to_attr) onto the
    # alerts they return (alerts.public.selectors, alerts.api.public). Declared for the type checker.
    public_messages: list["Message"]

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "status"])]

    def __str__(self) -> str:
        prefix = "EXERCISE " if self.is_exercise else ""
        return f"{prefix}{self.get_trigger_display()} – {self.agency.name if self.agency_id else '?'} ({self.get_status_display()})"

    @property
    def is_public(self) -> bool:
        return not self.is_exercise and self.status in workflow.PUBLISHED

    @property
    def is_ended(self) -> bool:
        return self.status in workflow.ENDED

    @property
    def in_update_phase(self) -> bool:
        """Live: edits and submissions of this alert are updates (alerts.workflow.in_update_phase)."""
        return workflow.in_update_phase(self)

    @property
    def end_requested(self) -> bool:
        """The agency asked to end it, and it may still be ended."""
        return bool(self.resolve_requested_at) and workflow.allowed("resolve", self)

    @property
    def shows_refusal(self) -> bool:
        """Returned or denied, or an update returned: the page shows the coordinator's reason."""
        return self.status in workflow.REFUSED or self.update_state == self.UpdateState.RETURNED

    @property
    def workflow_actions(self) -> frozenset[str]:
        """The actions the transition table allows now (templates: `"deny" in alert.workflow_actions`)."""
        return workflow.allowed_actions(self)

    @property
    def waiting_for(self) -> str:
        """ "approval", "update", "end" (the agency asked to end it) or "" (alerts.workflow.waiting_for)."""
        return workflow.waiting_for(self)


class Suspect(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="suspects")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=150, blank=True, help_text="Leave blank if unknown.")
    aliases = models.CharField(max_length=255, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    race = models.CharField(max_length=60, blank=True)
    height = models.CharField(max_length=20, blank=True, help_text="e.g. 5'10\"")
    weight = models.CharField(max_length=20, blank=True, help_text="e.g. 180 lb")
    hair = models.CharField(max_length=60, blank=True)
    eyes = models.CharField(max_length=60, blank=True)
    clothing = models.CharField(max_length=255, blank=True)
    marks = models.CharField("scars, marks, tattoos", max_length=255, blank=True)
    armed_and_dangerous = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name or f"Unknown suspect #{self.position + 1}"


class Vehicle(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="vehicles")
    position = models.PositiveSmallIntegerField(default=0)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    make = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    color = models.CharField(max_length=60, blank=True)
    body_style = models.CharField(max_length=60, blank=True)
    plate = models.CharField(max_length=12, blank=True, help_text="Full or partial; use * for unknown characters.")
    plate_partial = models.BooleanField(default=False)
    plate_state = models.ForeignKey(State, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    features = models.CharField("distinguishing features", max_length=255, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return " ".join(str(p) for p in (self.color, self.year, self.make, self.model) if p) or "Vehicle"


def _photo_path(instance, filename: str) -> str:
    return f"photos/{instance.alert.public_id}/{uuid.uuid4().hex}.jpg"


def _photo_web_path(instance, filename: str) -> str:
    return f"photos/{instance.alert.public_id}/{uuid.uuid4().hex}-web.jpg"


class Photo(models.Model):
    """A re-encoded image (no metadata survives) and its resized web copy. Never edited in place."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="photos")
    suspect = models.ForeignKey(Suspect, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    vehicle = models.ForeignKey(Vehicle, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.ImageField(upload_to=_photo_path, width_field="width", height_field="height")
    web_image = models.ImageField(upload_to=_photo_web_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the web copy.")
    sha256 = models.CharField(max_length=64, help_text="Digest of the web copy.")
    caption = models.CharField(max_length=200, blank=True)
    removed = models.BooleanField(default=False, help_text="Removed from the working copy; kept for earlier messages.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.caption or f"Photo {self.public_id}"


class Criterion(models.Model):
    """One item of a state's checklist that must be attested before submission."""

    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["state", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint(fields=["state", "key"], name="criterion_unique_key")]

    def __str__(self) -> str:
        return f"{self.state.usps}: {self.label}"


class Attestation(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="attestations")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attested_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["criterion__position"]
        constraints = [models.UniqueConstraint(fields=["alert", "criterion"], name="attestation_once")]

    def __str__(self) -> str:
        return f"{self.criterion.label} (attested by {self.attested_by})"


class Message(models.Model):
    """One approved, immutable CAP message: the first Alert, each Update, the Cancel.

    `snapshot` is the alert's content as approved; `cap_xml` is filled exactly once by the
    publisher and never changed after (a conditional update on cap_xml="").
    """

    class Kind(models.TextChoices):
        ALERT = "Alert", "Alert"
        UPDATE = "Update", "Update"
        CANCEL = "Cancel", "Cancel"

    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="messages")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    sent_at = models.DateTimeField(help_text="CAP sent: whole seconds.")
    is_exercise = models.BooleanField(default=False)
    snapshot = models.JSONField()
    note = models.TextField(blank=True, help_text="What changed, or the outcome.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cap_xml = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert", "sequence"]
        constraints = [models.UniqueConstraint(fields=["alert", "sequence"], name="message_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.sequence} of {self.alert.public_id}"

    @property
    def identifier(self) -> str:
        """The CAP identifier: unique for this sender, stable forever."""
        return f"urn:uuid:{self.message_id}"
