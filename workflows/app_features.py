"""Workflows as a feature an app manifest may declare (apps_directory.catalog.kinds).

Registered from this app's AppConfig: apps_directory is below workflows in the import graph
(workflows names its hooks and webhook events), so the install code finds this kind in its
register instead of importing workflows."""

from apps_directory.catalog.kinds import Kind, register
from apps_directory.catalog.row_kinds import row_kind
from apps_directory.catalog.spec_checks import unknown_keys
from workflows import services
from workflows.models import Workflow

KEYS = {"key", "name", "description", "trigger", "conditions", "steps", "atomic"}


def _check(spec, sections):
    problems = unknown_keys(spec, KEYS)
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


def register_kind():
    # Removing one: its runs' writes stay, by its machine user (kept, inactive).
    register(
        Kind(
            name="workflow",
            section="workflows",
            label="Workflow",
            keyed_by="key",
            check=_check,
            **row_kind(
                model=Workflow,
                param="workflow",
                create=services.workflow_create,
                update=services.workflow_update,
                delete=services.workflow_delete,
                flag="enabled",
                body=_body,
            ),
            link=lambda object_id: f"/settings/workflows/{object_id}/",
            order=50,
        )
    )
