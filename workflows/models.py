"""Workflows (a trigger, conditions and steps, stored as data) and their runs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Organization


class Workflow(models.Model):
    class Trigger(models.TextChoices):
        EVENT = "event", "An event"
        HOOK = "hook", "An inbound hook"
        SCHEDULE = "schedule", "A schedule"
        CALL = "call", "A call from another workflow"
        RULE = "rule", "A business rule (inside the write)"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    trigger_type = models.CharField(max_length=20, choices=Trigger.choices)
    trigger = models.JSONField(default=dict)
    # Denormalised from `trigger`, so the emitting transaction finds its workflows by index.
    event_name = models.CharField(max_length=200, blank=True, default="")
    hook = models.ForeignKey(
        "apps_directory.Hook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_run_at = models.DateTimeField(null=True, blank=True)
    conditions = models.JSONField(default=dict, blank=True)
    steps = models.JSONField(default=list, blank=True)
    # Opt-in: the whole run is one transaction (a failing step undoes the steps before it).
    atomic = models.BooleanField(default=False)
    # The org's workflows in order (1, 2, …): business rules apply in this order, and the
    # builder lists them so.
    position = models.PositiveIntegerField(default=0)
    # Who the workflow's writes are by: a machine user named "Workflow <name>", so events, the
    # timeline and notifications say which workflow did it (kept, inactive, after a delete).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rev = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "id"], name="workflow_org"),
            models.Index(fields=["org", "position", "id"], name="workflow_org_position"),
            models.Index(fields=["org", "trigger_type", "enabled"], name="workflow_trigger"),
            models.Index(fields=["next_run_at"], name="workflow_next_run"),
        ]

    def __str__(self):
        return self.name


class Run(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Conditions not met"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    # What started the run: "event:<id>", "schedule:<tick>", "call:<run>:<step>", "rerun:<run>:…".
    # Unique per workflow, so a redelivered event or a second scheduler cannot run it twice.
    trigger_key = models.CharField(max_length=120)
    trigger_type = models.CharField(max_length=20)
    event_id = models.BigIntegerField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    payload = models.JSONField(default=dict)
    steps = models.JSONField(default=list)
    error = models.TextField(blank=True, default="")
    failed_step = models.CharField(max_length=100, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workflow", "trigger_key"], name="run_once_per_trigger")
        ]
        indexes = [
            models.Index(fields=["workflow", "status", "id"], name="run_workflow_status"),
            models.Index(fields=["status", "created_at"], name="run_status_created"),
            # What a drain reserves: the org's pending runs, oldest first (a small index, as
            # pending runs do not stay long).
            models.Index(
                fields=["org", "id"],
                name="run_pending",
                condition=models.Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"run {self.pk} of {self.workflow_id}"


class RunQueue(models.Model):
    """An org's pending runs as the worker sees them: `kicked_at` is set while a drain task is
    queued for them (so a backlog of a thousand hook calls queues a few drains, not a thousand
    tasks), and cleared when that drain starts."""

    org = models.OneToOneField(
        Organization, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    kicked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"workflow runs of org {self.org_id}"
