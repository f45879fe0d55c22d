"""Writes for workflows: create, update, delete (each with its event), re-run, dry run."""

import secrets
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.models import User
from kdesk.payload import Payload
from kdesk.updates import delete_with_event, emit_for, lock_for_write, model_changes
from workflows import definition, outbox, runner
from workflows.models import Run, Workflow

FIELDS = {"name", "description", "enabled", "trigger", "conditions", "steps", "atomic", "position",
          "rev"}  # fmt: skip
ACTOR_NAME_LENGTH = 150


def snapshot(workflow):
    return {
        "name": workflow.name,
        "enabled": workflow.enabled,
        "trigger": workflow.trigger,
        "steps": len(workflow.steps or []),
        "position": workflow.position,
    }


def actor_name(name):
    return f"Workflow {name}"[:ACTOR_NAME_LENGTH]


def _new_actor(org, name):
    """The machine user a workflow's writes are by (never signs in, never notified)."""
    token = secrets.token_hex(6)
    user = User(
        org=org,
        email=f"workflow-{token}@{org.slug}.workflows.kdesk.invalid",
        username=f"workflow-{token}",
        display_name=actor_name(name),
        role=User.Role.AGENT,
        is_machine=True,
    )
    user.set_unusable_password()
    user.save()
    return user


def workflow_actor(workflow):
    """The workflow's machine user, made now for a workflow saved before they existed."""
    if workflow.actor_id is not None:
        return workflow.actor
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().filter(pk=workflow.pk).first()
        if locked is None or locked.actor_id is not None:
            workflow.actor_id = locked.actor_id if locked is not None else None
            return User.objects.filter(pk=workflow.actor_id).first()
        workflow.actor = _new_actor(workflow.org, workflow.name)
        Workflow.objects.filter(pk=workflow.pk).update(actor=workflow.actor)
    return workflow.actor


def _move(org, workflow, position):
    """Put `workflow` at `position` (1 is first) in its org's order and number the others
    after it again; returns the position it got (past the end means last)."""
    rows = list(
        Workflow.objects.select_for_update()
        .filter(org=org)
        .order_by("position", "id")
        .values_list("id", "position")
    )
    order = [pk for pk, _ in rows if pk != workflow.pk]
    place = max(1, min(position, len(order) + 1))
    order.insert(place - 1, workflow.pk)
    had = dict(rows)
    moved = [
        Workflow(pk=pk, position=index)
        for index, pk in enumerate(order, start=1)
        if had.get(pk) != index and pk != workflow.pk
    ]
    # one statement however many move: an org's list with gaps renumbers all of it
    Workflow.objects.bulk_update(moved, ["position"], batch_size=1000)
    workflow.position = place
    return place


def _clean(org, data, current=None):
    fields, errors = _checked(org, data, current)
    if errors:
        raise ValidationFailed(errors)
    return fields


def _checked(org, data, current=None, *, pointer="", draft=False):
    """(fields, errors) of a workflow body, its errors' pointers under `pointer`. `draft`: a
    definition a dry run tries, checked as an update of `current` is (a new one may be
    unnamed)."""
    creating = current is None and not draft
    p = Payload(data, allowed=FIELDS - {"rev"} if creating else FIELDS, pointer=pointer)
    fields = {}
    name = p.string("name", max_length=200, required=creating, blank=False)
    if name is not None:
        fields["name"] = name
    if p.has("position"):
        position = p.integer("position", minimum=1, maximum=100_000)
        if position is not None:
            fields["position"] = position
    if p.has("description"):
        fields["description"] = p.string("description", max_length=2000, default="") or ""
    for key in ("enabled", "atomic"):
        value = p.boolean(key)
        if value is not None:
            fields[key] = value
    body = p.data if isinstance(p.data, dict) else {}
    cleaned, errors = definition.check(org, body, current=current)
    fields.update(cleaned)
    errors = [*p.errors, *(replace(e, pointer=pointer + e.pointer) for e in errors)]
    return fields, errors


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
    position = fields.pop("position", None)
    workflow = Workflow(
        org=org,
        created_by=actor if actor is not None and actor.pk else None,
        created_at=now,
        updated_at=now,
        actor=_new_actor(org, fields["name"]),
        **fields,
    )
    _schedule(workflow)
    # last unless a place is asked for
    workflow.position = _move(org, workflow, position or 100_000)
    workflow.save()
    _emit(org, actor, workflow, "workflow.create")
    _changed(org)
    return workflow


@transaction.atomic
def workflow_update(*, org, actor, workflow, data):
    rev = data.get("rev") if isinstance(data, dict) else None
    workflow = lock_for_write(Workflow, org=org, pk=workflow.pk, rev=rev, resource="workflow")
    fields = _clean(org, data, current=workflow)
    if "position" in fields and fields["position"] != workflow.position:
        before = workflow.position
        fields["position"] = _move(org, workflow, fields["position"])
        workflow.position = before  # so that the change is recorded below
    # The trigger's derived columns are written but events show the trigger itself.
    labels = {"trigger_type": None, "event_name": None, "hook": None}
    changes = model_changes(workflow, fields, labels=labels, save=False)
    if not changes:
        return workflow
    if "trigger" in changes or "enabled" in changes:
        _schedule(workflow)
    workflow.save()
    if "name" in changes and workflow.actor_id:
        User.objects.filter(pk=workflow.actor_id).update(display_name=actor_name(workflow.name))
    _emit(org, actor, workflow, "workflow.update", changes)
    _changed(org)
    return workflow


@transaction.atomic
def workflow_delete(*, org, actor, workflow):
    workflow = lock_for_write(Workflow, org=org, pk=workflow.pk, resource="workflow")
    if workflow.actor_id:
        # kept, so what the workflow wrote still says who by; it cannot act any more
        User.objects.filter(pk=workflow.actor_id).update(is_active=False)
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
        outbox.queue(org.pk)
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
            # the attributes a workflow has, each checked as an update checks it
            fields, problems = _checked(org, body, workflow, pointer="/workflow", draft=True)
            errors += problems
            draft = Workflow(
                org=org,
                pk=workflow.pk if workflow else None,
                name=fields.get("name") or (workflow.name if workflow else "Draft"),
                atomic=fields.get("atomic", workflow.atomic if workflow else False),
                conditions=fields.get("conditions", workflow.conditions if workflow else {}),
                steps=fields.get("steps", workflow.steps if workflow else []),
            )
    if draft is None:
        errors.append(FieldError("/workflow", "required", "Send the workflow to test."))
    if errors:
        raise ValidationFailed(errors)
    return runner.dry_run(org=org, workflow=draft, payload=payload)
