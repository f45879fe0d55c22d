from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Event, Organization


class OutboundWebhook(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    headers = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    # The signing secret is needed in clear to compute HMACs, so it cannot be stored hashed.
    token = models.CharField(max_length=100)
    previous_token = models.CharField(max_length=100, blank=True, default="")
    previous_token_until = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The delivery whose failure turned the webhook off: re-enabling sends it again first.
    stopped_at = models.ForeignKey(
        "apps_directory.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A drain task is queued (set when enqueuing, cleared when it starts): one at a time.
    kicked_at = models.DateTimeField(null=True, blank=True)
    # A deferred drain is queued for this time (the next retry due).
    wake_at = models.DateTimeField(null=True, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["org", "id"], name="webhook_org")]

    def __str__(self):
        return self.name


class Delivery(models.Model):
    """The outbox: one row per (event, webhook) decided in the event's transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(OutboundWebhook, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+", db_index=False)
    name = models.CharField(max_length=200)
    # Deliveries of one resource go out one at a time, in event order.
    resource_key = models.CharField(max_length=160)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the delivery until then; a killed worker's lease runs out and another
    # worker sends it again (at least once).
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=16, blank=True, default="")
    body = models.TextField(blank=True, default="")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["webhook", "status", "event"], name="delivery_queue"),
            models.Index(
                fields=["webhook", "status", "resource_key", "event"], name="delivery_resource"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["webhook", "-id"], name="delivery_log"),
        ]

    def __str__(self):
        return f"{self.name} → {self.webhook_id} ({self.status})"

    @property
    def message_id(self):
        """Standard Webhooks' `webhook-id`: the same on every attempt, so receivers can dedupe."""
        return f"msg_{self.org_id}_{self.pk}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    request_headers = models.JSONField(default=dict)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "-id"], name="attempt_log")]

    def __str__(self):
        return f"attempt {self.number} of delivery {self.delivery_id}"


class DispatchClock(models.Model):
    """The one sweep chain: its token, so that a restarted chain retires the old one."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=40, blank=True, default="")
    next_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} sweep"
