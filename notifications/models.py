"""Media subscribers, and the record that an alert message's distribution was planned.

The deliveries themselves are outbox rows (outbox.models.Delivery).
"""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models

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


class DistributionPlan(models.Model):
    """Written when a message's deliveries have been planned (even to nobody). A message approved a
    while ago without one had its planning task lost (broker restart, killed worker): the periodic
    plan check (notifications.tasks.messages_plan_check) plans it again, so a lost task delays an
    alert and never drops it."""

    message = models.OneToOneField("alerts.Message", on_delete=models.PROTECT, related_name="distribution_plan")
    planned_at = models.DateTimeField(auto_now_add=True)
    deliveries = models.PositiveIntegerField(default=0, help_text="Rows created by the first planning.")

    def __str__(self) -> str:
        return f"Plan of {self.message} ({self.deliveries} deliveries)"
