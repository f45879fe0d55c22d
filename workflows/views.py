"""The builder (/settings/workflows/…), for admins: list, build or edit with errors beside the
fields, a dry run with a sample payload, the run log (failed first) with re-runs."""

import json
import zoneinfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps_directory.hooks import selectors as hook_selectors
from kdesk.errors import FieldError, ServiceError, ValidationFailed
from kdesk.views import admin_required
from workflows import actions, builder, catalog, conditions, selectors, services
from workflows.models import Run
from workflows.representations import workflow_resource

COMMON_ZONES = sorted(zoneinfo.available_timezones())
RUNS_PER_PAGE = 25


def _workflow(request, pk):
    found = selectors.workflow(org=request.user.org, pk=pk)
    if found is None:
        raise Http404
    return found


def _trigger_text(workflow):
    t = workflow.trigger or {}
    kind = t.get("type")
    if kind == "event":
        return f"When {t.get('event')}"
    if kind == "hook":
        return f"When hook “{workflow.hook.name}” is called" if workflow.hook else "A deleted hook"
    if kind == "schedule":
        return f"At {t.get('cron')} ({t.get('timezone', 'UTC')})"
    if kind == "rule":
        on = " or ".join({"create": "created", "update": "changed"}[a] for a in t.get("on", []))
        return f"Business rule: when a {t.get('resource') or 'conversation'} is {on}"
    return "When another workflow calls it"


@admin_required
def workflow_list(request):
    org = request.user.org
    workflows = list(selectors.workflows(org=org).select_related("hook"))
    counts = selectors.run_counts(org=org, workflow_ids=[w.pk for w in workflows])
    for w in workflows:
        w.trigger_text = _trigger_text(w)
        w.counts = counts.get(w.pk, {})
    return render(request, "workflows/list.html", {"workflows": workflows})


@admin_required
@require_POST
def workflow_move(request, pk):
    """One place up or down in the org's order (the order business rules apply in)."""
    workflow = _workflow(request, pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("to"))
    if step is None:
        raise Http404
    try:
        services.workflow_update(
            org=request.user.org,
            actor=request.user,
            workflow=workflow,
            data={"position": max(1, workflow.position + step)},
        )
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("settings-workflows")


def _page(request, body, *, workflow=None, errors=(), status=200, json_error=None):
    org = request.user.org
    field_errors = builder.field_errors(errors)
    rows = builder.attach_errors(builder.rows_for(body), field_errors)
    trigger = rows["trigger"]
    return render(
        request,
        "workflows/builder.html",
        {
            "workflow": workflow,
            "rows": rows,
            "errors": field_errors,
            "json_error": json_error,
            "hooks": list(hook_selectors.hooks(org=org)),
            "events": catalog.event_names(org),
            "fields": catalog.fields_for(org, trigger),
            "zones": COMMON_ZONES,
            "actions": actions.all_actions(),
            "action_params": catalog.action_params(),
            "ops": [(op, conditions.OP_LABELS[op]) for op in conditions.OPS],
            "sample": json.dumps({"data": {}}),
        },
        status=status,
    )


def _save(request, workflow):
    body, problem = builder.body_from_form(request.POST)
    if problem:
        return _page(request, {}, workflow=workflow, status=400, json_error=problem)
    try:
        if workflow is None:
            workflow = services.workflow_create(org=request.user.org, actor=request.user, data=body)
        else:
            workflow = services.workflow_update(
                org=request.user.org, actor=request.user, workflow=workflow, data=body
            )
    except ValidationFailed as exc:
        return _page(request, body, workflow=workflow, errors=exc.errors, status=400)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return _page(request, body, workflow=workflow, status=exc.status)
    messages.success(request, f"Workflow “{workflow.name}” saved.")
    return redirect("settings-workflow", pk=workflow.pk)


@admin_required
def workflow_new(request):
    if request.method == "POST":
        return _save(request, None)
    return _page(request, {"enabled": True, "trigger": {"type": "event"}, "steps": [{}]})


@admin_required
def workflow_detail(request, pk):
    workflow = _workflow(request, pk)
    if request.method == "POST":
        return _save(request, workflow)
    return _page(request, workflow_resource(workflow)["attributes"], workflow=workflow)


@admin_required
def workflow_fields(request):
    """The field suggestions for the trigger the page shows (swapped in when it changes)."""
    post = request.GET
    trigger = builder._trigger(post)
    fields = catalog.fields_for(request.user.org, trigger)
    return render(request, "workflows/_fields.html", {"fields": fields})


@admin_required
@require_POST
def workflow_test(request, pk=None):
    """The dry run of what the form shows, with the sample payload."""
    workflow = _workflow(request, pk) if pk else None
    body, problem = builder.body_from_form(request.POST)
    result, errors = None, []
    try:
        payload = json.loads(request.POST.get("sample") or "{}")
    except ValueError as exc:
        payload = None
        errors = [FieldError("/payload", "invalid", f"The sample payload is not valid JSON: {exc}")]
    if problem:
        errors.append(FieldError("/workflow", "invalid", problem))
    elif body.get("name") == "":
        del body["name"]  # a draft not named yet is tried all the same
    if not errors:
        try:
            result = services.workflow_test(
                org=request.user.org, workflow=workflow, data={"payload": payload, "workflow": body}
            )
        except ValidationFailed as exc:
            errors = exc.errors
    return render(
        request,
        "workflows/_dry_run.html",
        {"result": result, "errors": errors},
        status=200 if result is not None else 400,
    )


@admin_required
def workflow_runs(request, pk):
    workflow = _workflow(request, pk)
    status = request.GET.get("status") or ""
    if status and status not in Run.Status.values:
        status = ""
    qs = selectors.runs(
        org=request.user.org, workflow_id=workflow.pk, status=status or None, failed_first=True
    ).only(
        "id", "status", "trigger_type", "trigger_key", "steps", "error", "failed_step",
        "depth", "created_at", "finished_at", "duration_ms", "workflow_id", "rerun_of_id",
    )  # fmt: skip
    page = Paginator(qs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/runs.html",
        {
            "workflow": workflow,
            "page": page,
            "status": status,
            "statuses": Run.Status.choices,
        },
    )


@admin_required
def workflow_run(request, pk, run_pk):
    workflow = _workflow(request, pk)
    run = selectors.run(org=request.user.org, pk=run_pk, workflow_id=workflow.pk)
    if run is None:
        raise Http404
    return render(
        request,
        "workflows/run.html",
        {
            "workflow": workflow,
            "run": run,
            "payload_text": json.dumps(run.payload, indent=2, ensure_ascii=False),
        },
    )


@admin_required
@require_POST
def run_rerun(request, pk, run_pk):
    workflow = _workflow(request, pk)
    run = selectors.run(org=request.user.org, pk=run_pk, workflow_id=workflow.pk)
    if run is None:
        raise Http404
    try:
        new = services.run_rerun(org=request.user.org, actor=request.user, run=run)
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("settings-workflow-runs", pk=workflow.pk)
    messages.success(request, f"Run {run.pk} queued again as run {new.pk}.")
    return redirect("settings-workflow-run", pk=workflow.pk, run_pk=new.pk)


@admin_required
def workflow_delete(request, pk):
    workflow = _workflow(request, pk)
    if request.method == "POST":
        services.workflow_delete(org=request.user.org, actor=request.user, workflow=workflow)
        messages.success(request, f"Workflow “{workflow.name}” deleted.")
        return redirect("settings-workflows")
    return render(request, "workflows/delete.html", {"workflow": workflow})
