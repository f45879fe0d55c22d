"""Reads of workflows and runs, always within one org."""

from django.db.models import Case, Value, When

from kdesk.payload import as_id
from workflows.models import Run, Workflow


def workflows(*, org):
    return Workflow.objects.filter(org=org).order_by("position", "id")


def workflow(*, org, pk):
    pk = as_id(pk)
    return Workflow.objects.filter(org=org, pk=pk).first() if pk else None


def runs(*, org, workflow_id=None, status=None, failed_first=False):
    qs = Run.objects.filter(org=org)
    if workflow_id is not None:
        qs = qs.filter(workflow_id=workflow_id)
    if status:
        qs = qs.filter(status=status)
    if failed_first:
        first = Case(When(status=Run.Status.FAILED, then=Value(0)), default=Value(1))
        return qs.annotate(_first=first).order_by("_first", "-id").defer("payload")
    return qs.order_by("-id")


def run(*, org, pk, workflow_id=None):
    pk = as_id(pk)
    if not pk:
        return None
    qs = Run.objects.filter(org=org, pk=pk)
    if workflow_id is not None:
        qs = qs.filter(workflow_id=workflow_id)
    return qs.select_related("workflow").first()


def run_counts(*, org, workflow_ids):
    """{workflow id: {status: count}} for a page of workflows."""
    from django.db.models import Count

    out = {}
    rows = (
        Run.objects.filter(org=org, workflow_id__in=workflow_ids)
        .values("workflow_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        out.setdefault(row["workflow_id"], {})[row["status"]] = row["n"]
    return out
