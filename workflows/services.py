"""Writes for workflows: create, update, delete (each with its event), re-run, dry run."""

from django.db import transaction
from django.utils import timezone

from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.payload import Payload
from kdesk.updates import delete_with_event, emit_for, lock_for_write, model_changes
from workflows import definition, outbox, runner
from workflows.models import Run, Workflow

FIELDS = {"name", "description", "enabled", "trigger", "conditions", "steps", "atomic", "rev"}


def snapshot(workflow):
    return {
        "name": workflow.name,
        "enabled": workflow.enabled,
        "trigger": workflow.trigger,
        "steps": len(workflow.steps or []),
    }


def _clean(org, data, current=None):
    p = Payload(data, allowed=FIELDS if current is not None else FIELDS - {"rev"})
    fields = {}
    creating = current is None
    name = p.string("name", max_length=200, required=creating, blank=False)
    if name is not None:
        fields["name"] = name
    if p.has("description"):
        fields["description"] = p.string("description", max_length=2000, default="") or ""
    for key in ("enabled", "atomic"):
        value = p.boolean(key)
        if value is not None:
            fields[key] = value
    body = p.data if isinstance(p.data, dict) else {}
    cleaned, errors = definition.check(org, body, current=current)
    fields.update(cleaned)
    errors = [*p.errors, *errors]
    if errors:
        raise ValidationFailed(errors)
    return fields


def _schedule(workflow):
    if workflow.trigger_type == Workflow.Trigger.SCHEDULE and workflow.enabled:
        workflow.next_run_at = definition.next_fire(workflow.trigger)
    else:
        workflow.next_run_at = None


def _emit(org, actor, workflow, type, changes=None):
    emit_for(
        workflow,
        type,
        org=org,
        actor=actor,
        resource="workflow",
        data=snapshot(workflow),
        changes=changes,
    )


def _changed(org):
    outbox.forget_triggers(org.pk)
    transaction.on_commit(lambda: outbox.forget_triggers(org.pk))
    transaction.on_commit(outbox.start_scheduler)


@transaction.atomic
def workflow_create(*, org, actor, data):
    fields = _clean(org, data)
    now = timezone.now()
    workflow = Workflow(
        org=org,
        created_by=actor if actor is not None and actor.pk else None,
        created_at=now,
        updated_at=now,
        **fields,
    )
    _schedule(workflow)
    workflow.save()
    _emit(org, actor, workflow, "workflow.create")
    _changed(org)
    return workflow


@transaction.atomic
def workflow_update(*, org, actor, workflow, data):
    rev = data.get("rev") if isinstance(data, dict) else None
    workflow = lock_for_write(Workflow, org=org, pk=workflow.pk, rev=rev, resource="workflow")
    fields = _clean(org, data, current=workflow)
    # The trigger's derived columns are written but events show the trigger itself.
    labels = {"trigger_type": None, "event_name": None, "hook": None}
    changes = model_changes(workflow, fields, labels=labels, save=False)
    if not changes:
        return workflow
    if "trigger" in changes or "enabled" in changes:
        _schedule(workflow)
    workflow.save()
    _emit(org, actor, workflow, "workflow.update", changes)
    _changed(org)
    return workflow


@transaction.atomic
def workflow_delete(*, org, actor, workflow):
    workflow = lock_for_write(Workflow, org=org, pk=workflow.pk, resource="workflow")
    delete_with_event(
        workflow,
        "workflow.delete",
        org=org,
        actor=actor,
        resource="workflow",
        data=snapshot(workflow),
    )
    _changed(org)


def run_rerun(*, org, actor, run):
    """A new run of the same workflow with the same trigger payload (queued for the worker)."""
    with transaction.atomic():
        run = Run.objects.select_for_update().filter(org=org, pk=run.pk).first()
        if run is None:
            raise NotFound("No run with this id.")
        if run.status in (Run.Status.PENDING, Run.Status.RUNNING):
            raise ValidationFailed(
                [FieldError("", "running", "This run has not finished yet; re-run it after.")]
            )
        count = Run.objects.filter(rerun_of=run).count()
        new = Run.objects.create(
            org=org,
            workflow_id=run.workflow_id,
            trigger_key=f"rerun:{run.pk}:{count + 1}",
            trigger_type=run.trigger_type,
            event_id=run.event_id,
            rerun_of=run,
            depth=run.depth,
            payload=run.payload,
        )
        outbox.queue([new.pk])
    return new


def workflow_test(*, org, workflow=None, data):
    """A dry run: `{"payload": {...}, "workflow": {... a definition to try instead}}`."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("", "invalid", "The body must be a JSON object.")])
    unknown = sorted(set(data) - {"payload", "workflow"})
    errors = [FieldError(f"/{k}", "unknown", f"Unknown attribute '{k}'.") for k in unknown]
    payload = data.get("payload", {})
    if not isinstance(payload, dict):
        errors.append(FieldError("/payload", "type", "payload must be a JSON object."))
    draft = workflow
    if "workflow" in data:
        body = data["workflow"]
        if not isinstance(body, dict):
            errors.append(FieldError("/workflow", "type", "workflow must be a JSON object."))
        else:
            fields, problems = definition.check(org, body, current=workflow)
            errors += [FieldError(f"/workflow{e.pointer}", e.code, e.detail) for e in problems]
            draft = Workflow(
                org=org,
                pk=workflow.pk if workflow else None,
                name=body.get("name") or (workflow.name if workflow else "Draft"),
                atomic=body.get("atomic", workflow.atomic if workflow else False) is True,
                conditions=fields.get("conditions", workflow.conditions if workflow else {}),
                steps=fields.get("steps", workflow.steps if workflow else []),
            )
    if draft is None:
        errors.append(FieldError("/workflow", "required", "Send the workflow to test."))
    if errors:
        raise ValidationFailed(errors)
    return runner.dry_run(org=org, workflow=draft, payload=payload)
