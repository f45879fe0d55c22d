"""The desk's own records: saved inbox views."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Organization, Team


class SavedView(models.Model):
    """A saved inbox filter: private to its owner, or shared with one team. `filters` holds
    the normalized choices (timeline.saved_views.FILTER_KEYS); they compile to a search."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=100)
    filters = models.JSONField(default=dict, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["org", "owner"], name="savedview_org_owner")]

    def __str__(self):
        return self.name
