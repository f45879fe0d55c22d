"""Workflows as a feature an app manifest may declare (apps_directory.catalog.kinds).

Registered from this app's AppConfig: apps_directory is below workflows in the import graph
(workflows names its hooks and webhook events), so the install code finds this kind in its
register instead of importing workflows."""

from apps_directory.catalog.kinds import Kind, register
from workflows import services
from workflows.models import Workflow

KEYS = {"key", "name", "description", "trigger", "conditions", "steps", "atomic"}


def _check(spec, sections):
    problems = [f"unknown key '{k}'." for k in spec if k not in KEYS]
    if not isinstance(spec.get("name"), str) or not spec["name"].strip():
        problems.append("'name' is required text.")
    trigger = spec.get("trigger")
    if not isinstance(trigger, dict):
        problems.append("'trigger' is a table ({type = ...}).")
    elif trigger.get("type") == "hook":
        hooks = {h.get("key") for h in sections.get("hooks", []) if isinstance(h, dict)}
        if trigger.get("hook") not in hooks:
            problems.append(f"trigger hook '{trigger.get('hook')}' is not one of this app's hooks.")
    if not isinstance(spec.get("steps"), list) or not spec["steps"]:
        problems.append("'steps' is a non-empty list.")
    return problems


def _body(spec, ctx):
    """The workflow's API body: the trigger's hook, a key of the app's hooks in the manifest,
    becomes the id of the hook this install made."""
    body = {k: v for k, v in spec.items() if k != "key"}
    trigger = dict(body["trigger"])
    if trigger.get("type") == "hook":
        trigger["hook"] = ctx.id_of("hook", trigger["hook"])
    return {**body, "trigger": trigger}


def _workflow(org, object_id):
    return Workflow.objects.filter(org=org, pk=object_id).first()


def _create(org, actor, spec, ctx):
    workflow = services.workflow_create(org=org, actor=actor, data=_body(spec, ctx))
    return str(workflow.pk), workflow.name


def _update(org, actor, object_id, spec, ctx):
    workflow = _workflow(org, object_id)
    if workflow is None:
        return None
    return services.workflow_update(
        org=org, actor=actor, workflow=workflow, data=_body(spec, ctx)
    ).name


def _set(org, actor, object_id, enabled):
    workflow = _workflow(org, object_id)
    if workflow is None:
        return False
    was = workflow.enabled
    services.workflow_update(org=org, actor=actor, workflow=workflow, data={"enabled": enabled})
    return was


def _remove(org, actor, object_id):
    """Its runs' writes stay, by its machine user (kept, inactive)."""
    workflow = _workflow(org, object_id)
    if workflow is not None:
        services.workflow_delete(org=org, actor=actor, workflow=workflow)
    return "deleted"


def register_kind():
    register(
        Kind(
            name="workflow",
            section="workflows",
            label="Workflow",
            keyed_by="key",
            check=_check,
            create=_create,
            update=_update,
            remove=_remove,
            turn_off=lambda org, actor, object_id: _set(org, actor, object_id, False),
            turn_on=lambda org, actor, object_id: _set(org, actor, object_id, True),
            link=lambda object_id: f"/settings/workflows/{object_id}/",
            order=50,
        )
    )
