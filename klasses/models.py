from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from kdesk.models import Organization


class Metadata(models.Model):
    """The attribute definitions of one resource (`customer`, `kobject.order`, …) of an org."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=120)
    properties = models.JSONField(default=dict, blank=True)
    rev = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "metadata"
        constraints = [models.UniqueConstraint(fields=["org", "resource"], name="metadata_unique")]

    def __str__(self):
        return f"{self.resource} ({len(self.properties)} attributes)"


class Klass(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        DISABLED = "disabled"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    display_name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    icon = models.CharField(max_length=64, blank=True)
    color = models.CharField(max_length=7, blank=True)
    images = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # the installed app whose install created it; empty when an admin or the API did
    app = models.CharField(max_length=64, blank=True, default="")
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "klasses"
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="klass_name_unique"),
            models.UniqueConstraint("org", Lower("name"), name="klass_name_unique_ci"),
        ]
        ordering = ["name"]

    def __str__(self):
        return self.display_name or self.name


class KObject(models.Model):
    # the indexes and the (klass, externalId) constraint lead with these two already
    org = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    klass = models.ForeignKey(
        Klass, on_delete=models.CASCADE, related_name="objects_set", db_index=False
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        "customers.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=255, null=True, blank=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    images = models.JSONField(default=list, blank=True)
    icon = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "KObject"
        constraints = [
            models.UniqueConstraint(fields=["klass", "external_id"], name="kobject_external_unique")
        ]
        indexes = [
            models.Index(fields=["org", "klass", "updated_at", "id"], name="kobject_updated"),
            models.Index(fields=["org", "customer", "klass", "id"], name="kobject_customer"),
            models.Index(fields=["org", "updated_at", "id"], name="kobject_org_updated"),
        ]

    def __str__(self):
        return self.title


class Relationship(models.Model):
    """A declared link type from one resource to another, e.g. order → shipment (one-to-many:
    an order links many shipments, a shipment belongs to one order). Klass definitions declare
    theirs (`from_resource` is then `kobject.<klass>`); names are unique per source resource."""

    class Cardinality(models.TextChoices):
        ONE_TO_ONE = "one_to_one"
        ONE_TO_MANY = "one_to_many"
        MANY_TO_MANY = "many_to_many"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64)
    from_resource = models.CharField(max_length=120)
    to_resource = models.CharField(max_length=120)
    cardinality = models.CharField(max_length=20, choices=Cardinality.choices)
    through_klass = models.ForeignKey(
        Klass, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "from_resource", "name"], name="relationship_name_unique"
            )
        ]

    def __str__(self):
        return f"{self.from_resource} —{self.name}→ {self.to_resource}"


class Link(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="links")
    from_id = models.CharField(max_length=64)
    to_id = models.CharField(max_length=64)
    through = models.ForeignKey(
        KObject, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["relationship", "from_id", "to_id"], name="link_unique")
        ]
        indexes = [
            models.Index(fields=["relationship", "from_id"], name="link_from"),
            models.Index(fields=["relationship", "to_id"], name="link_to"),
        ]

    def __str__(self):
        return f"{self.from_id} → {self.to_id}"


class ValidationRule(models.Model):
    class When(models.TextChoices):
        CREATE = "create", "Checked on create"
        UPDATE = "update", "Checked on update"
        ALWAYS = "always", "Checked on create and update"
        STATUS = "status", "Checked when the status is set"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=120)
    attribute = models.CharField(
        max_length=120, help_text="A standard attribute (name) or a custom one (custom.reasonStr)."
    )
    when = models.CharField(max_length=10, choices=When.choices)
    status = models.CharField(max_length=20, blank=True, help_text="For 'status': e.g. done.")
    message = models.CharField(max_length=255, blank=True)
    condition = models.JSONField(
        default=dict,
        blank=True,
        help_text='What the value must satisfy, e.g. {"op": "gte", "value": 0}; empty: present.',
    )
    active = models.BooleanField(default=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.resource}.{self.attribute} ({self.when})"


class KView(models.Model):
    class Context(models.TextChoices):
        TIMELINE = "timeline"
        INSIGHT_CARD = "insight-card"
        INSIGHT_DETAILS = "insight-details"

    class Kind(models.TextChoices):
        TEMPLATE = "template"
        IFRAME = "iframe"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    resource = models.CharField(max_length=120, help_text="customer or kobject.<klass>")
    context = models.CharField(max_length=20, choices=Context.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEMPLATE)
    template = models.TextField(blank=True)
    url_template = models.CharField(max_length=2048, blank=True)
    position = models.IntegerField(default=0)
    active = models.BooleanField(default=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "KView"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["org", "resource", "context"], name="kview_lookup")]

    def __str__(self):
        return self.name
