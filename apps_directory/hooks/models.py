from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Organization


class Hook(models.Model):
    class Kind(models.TextChoices):
        WEB = "web", "Web (JSON)"
        EMAIL = "email", "Email (RFC 822)"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The URL's secret; shown on the hook's settings page so admins can configure senders.
    token = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField(default=True)
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["org", "id"], name="hook_org")]

    def __str__(self):
        return self.name

    @property
    def path(self):
        return f"/v1/hooks/{self.kind}/{self.token}"
