from django.db import models
from django.utils import timezone

from kdesk.models import Organization


class Company(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    domains = models.JSONField(default=list, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["org", "external_id"], name="company_external_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["org", "updated_at", "id"], name="company_updated"),
            models.Index(fields=["org", "name"], name="company_name"),
        ]

    def __str__(self):
        return self.name


class Customer(models.Model):
    # No index of its own: every index of the table starts with org, and a lone org index is
    # what the planner picks for a lookup by externalId before the table is first analyzed.
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=255, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    external_id = models.CharField(max_length=255, null=True, blank=True)
    emails = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True)
    socials = models.JSONField(default=list, blank=True)
    urls = models.JSONField(default=list, blank=True)
    locations = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    locale = models.CharField(max_length=20, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "external_id"], name="customer_external_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["org", "updated_at", "id"], name="customer_updated"),
            models.Index(fields=["org", "created_at", "id"], name="customer_created"),
            models.Index(fields=["org", "name"], name="customer_name"),
        ]

    def __str__(self):
        return self.name or f"Customer {self.pk}"


class Identity(models.Model):
    """One row per email, phone (E.164), or social handle: unique per org, found by index."""

    class Kind(models.TextChoices):
        EMAIL = "email"
        PHONE = "phone"
        SOCIAL = "social"

    # Served by the (org, kind, value) unique index: with a lone org index beside it, an
    # un-analyzed table gets its lookups planned as a scan of the whole org.
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=320)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "value"], name="identity_unique")
        ]
        indexes = [models.Index(fields=["customer"], name="identity_customer")]

    def __str__(self):
        return f"{self.kind}:{self.value}"
