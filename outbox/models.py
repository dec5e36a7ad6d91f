"""The outbox rows: a `Notice` is one rendered workflow email; a `Delivery` is one message (an alert
message or a notice) to one recipient on one channel, created before anything is sent, claimed by a
conditional update and marked with its outcome. A lost broker message or a killed worker therefore
delays a delivery (the sweeper requeues it) and never loses it.

The tables were created by the notifications app and keep their names (see the package docstring).
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notice(models.Model):
    """A workflow email (submission, decision, escalation, reminder, subscriber mail), rendered once
    when it is asked for; its deliveries go through the same outbox as alert messages."""

    template = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notifications_notice"

    def __str__(self) -> str:
        return f"{self.template}: {self.subject}"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def pending(self) -> Self:
        return self.filter(status__in=Delivery.PENDING_STATUSES)

    def failed(self) -> Self:
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
        "notifications.MediaSubscriber", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.BooleanField(
        default=False,
        help_text="Sent on the priority queue (updates, cancellations, workflow mail); the sweeper requeues it there.",
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
        db_table = "notifications_delivery"
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
            # Named as notifications created them, so the move changes nothing in the database.
            models.Index(fields=["status", "claimed_at"], name="notificatio_status_7a4871_idx"),
            models.Index(fields=["message", "status"], name="notificatio_message_932972_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address} ({self.get_status_display()})"
