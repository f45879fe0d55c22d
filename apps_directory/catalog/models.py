from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Organization


class Installation(models.Model):
    """One app installed in one org, at one version of its manifest."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Deactivated"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    app = models.CharField(max_length=40)  # the manifest's app id
    version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "app"], name="installation_app_unique")
        ]

    def __str__(self):
        return f"{self.app} {self.version}"


class InstalledFeature(models.Model):
    """A record an install created, so that deactivate, upgrade and uninstall touch exactly
    those (an admin's own Klasses, hooks or workflows are never the app's)."""

    installation = models.ForeignKey(
        Installation, on_delete=models.CASCADE, related_name="features"
    )
    kind = models.CharField(max_length=20)  # a registered kind (catalog/kinds.py)
    key = models.CharField(max_length=64)  # its key in the manifest
    object_id = models.CharField(max_length=64)  # the Klass's name, the others' id
    label = models.CharField(max_length=200)  # its display name when last written
    # set by a deactivation: whether it was on then, so a reactivation turns on only those
    was_on = models.BooleanField(null=True, default=None)
    position = models.PositiveIntegerField(default=0)  # install order; removal goes backwards
    # What the app wrote to each field it sets, by path ("template",
    # "attributes/statusStr/displayName"), read back as stored: an upgrade compares the field's
    # value now with this to tell an admin's edit from the app's (catalog/customizations.py).
    # None: installed before these were recorded.
    written = models.JSONField(null=True, blank=True, default=None)
    # The fields whose admin edits the last upgrade kept over the app's: [{field, label}]
    kept = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "kind", "key"], name="installed_feature_unique"
            )
        ]
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.kind} {self.key}"
