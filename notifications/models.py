"""Media subscribers and the outbox.

`Delivery` is the outbox: one row per (message, recipient, channel), created before anything is
sent, claimed by a conditional update, and marked with its outcome. A lost broker message or a
killed worker therefore delays a delivery (the sweeper requeues it) and never loses it.
"""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import County, State


def _nonce() -> str:
    return secrets.token_urlsafe(18)


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: "whsec_" + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class SubscriberQuerySet(models.QuerySet):
    def receiving(self):
        """Verified (so email confirmed) and not unsubscribed."""
        return self.filter(status=MediaSubscriber.Status.VERIFIED)

    def awaiting_review(self):
        return self.filter(status=MediaSubscriber.Status.PENDING)


class MediaSubscriber(models.Model):
    """A newsroom, broadcaster or other outlet. No password: every email carries a signed link to
    its own page (`manage_nonce` is part of that link, so rotating it revokes every old link)."""

    class OutletType(models.TextChoices):
        TV = "tv", "Television"
        RADIO = "radio", "Radio"
        PRINT = "print", "Print"
        ONLINE = "online", "Online"
        OTHER = "other", "Other"

    class Language(models.TextChoices):
        EN = "en", "English"
        ES = "es", "Spanish"
        BOTH = "both", "English and Spanish"

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Email not confirmed"
        PENDING = "pending", "Awaiting verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.CharField(max_length=200)
    outlet_type = models.CharField("type of outlet", max_length=10, choices=OutletType.choices)
    contact_name = models.CharField(max_length=150)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=40)
    states = models.ManyToManyField(State, related_name="media_subscribers")
    counties = models.ManyToManyField(
        County,
        blank=True,
        related_name="media_subscribers",
        help_text="Leave empty to receive alerts for the whole of each chosen state.",
    )
    language = models.CharField(max_length=4, choices=Language.choices, default=Language.EN)
    wants_exercises = models.BooleanField("also receive exercise messages", default=False)
    webhook_url = models.URLField("webhook URL", blank=True, max_length=500)
    webhook_secret = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED, db_index=True)
    manage_nonce = models.CharField(max_length=40, default=_nonce)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} <{self.email}>"

    @property
    def recipient_key(self) -> str:
        return f"sub.{self.pk}"


class Notice(models.Model):
    """A workflow email (submission, decision, escalation, reminder, subscriber mail), rendered once
    when it is asked for; its deliveries go through the same outbox as alert messages."""

    template = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.template}: {self.subject}"


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status__in=Delivery.PENDING_STATUSES)

    def failed(self):
        return self.filter(status__in=[Delivery.Status.FAILED_TEMP, Delivery.Status.FAILED_PERM])


class Delivery(models.Model):
    """One message (alert message or workflow notice) to one recipient on one channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Audience(models.TextChoices):
        MEDIA = "media", "Media subscriber"
        LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
        PUBLIC = "public", "Former law-enforcement recipient (public version)"
        WORKFLOW = "workflow", "Workflow notification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED_TEMP = "failed_temp", "Failed, will retry"
        FAILED_PERM = "failed_perm", "Failed permanently"

    PENDING_STATUSES = (Status.QUEUED, Status.SENDING, Status.FAILED_TEMP)

    message = models.ForeignKey(
        "alerts.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries")
    recipient_key = models.CharField(max_length=320, help_text="sub.<id>, user.<id> or addr.<email>")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    language = models.CharField(max_length=4, default="en")
    address = models.CharField(max_length=500, help_text="Email address or webhook URL.")
    subscriber = models.ForeignKey(
        MediaSubscriber, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Last time a send task was queued.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    smtp_message_id = models.CharField(max_length=300, blank=True, help_text="Stable per delivery.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["message", "recipient_key", "channel"],
                condition=Q(message__isnull=False),
                name="delivery_once_per_message",
            ),
            models.UniqueConstraint(
                fields=["notice", "recipient_key", "channel"],
                condition=Q(notice__isnull=False),
                name="delivery_once_per_notice",
            ),
            models.CheckConstraint(
                condition=Q(message__isnull=False) ^ Q(notice__isnull=False), name="delivery_message_xor_notice"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["message", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address} ({self.get_status_display()})"


class DistributionPlan(models.Model):
    """Written when a message's deliveries have been planned (even to nobody). A message approved a
    while ago without one had its planning task lost (broker restart, killed worker): the sweeper
    plans it again, so a lost task delays an alert and never drops it."""

    message = models.OneToOneField("alerts.Message", on_delete=models.PROTECT, related_name="distribution_plan")
    planned_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=0, help_text="Rows created by the first planning.")

    def __str__(self) -> str:
        return f"Plan of {self.message} ({self.deliveries} deliveries)"
