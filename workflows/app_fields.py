"""The fields an admin may change in a workflow an app made (its name, trigger, conditions,
steps…), so an upgrade keeps the admin's edits (apps_directory.catalog.customizations).

Registered from this app's AppConfig, beside the workflow kind (app_features.py). The steps are
one field: a workflow's steps read each other's output, so an admin's steps are kept whole
rather than mixed with the new version's."""

from apps_directory.catalog.customizations import Fields, alias_context, put_values, register
from workflows.models import Workflow

FIELDS = {"name": "name", "description": "description", "trigger": "trigger",
          "conditions": "conditions", "steps": "steps",
          "atomic": "all-or-nothing setting"}  # fmt: skip


def _sets(spec, ctx):
    out = {}
    for key in FIELDS:
        if key in spec:
            value = spec[key]
            out[key] = value.strip() if isinstance(value, str) else value
    trigger = out.get("trigger")
    if isinstance(trigger, dict) and trigger.get("type") == "hook":
        # stored with the id of the hook this install made, as the service cleans it
        out["trigger"] = {"type": "hook", "hook": ctx.id_of("hook", trigger.get("hook"))}
    if out.get("conditions", ...) is None:
        out["conditions"] = {}
    return out


def _read(org, object_id):
    return (
        Workflow.objects.select_for_update().filter(org=org, pk=object_id).values(*FIELDS).first()
    )


def _keep(spec, ctx, values):
    """The kept trigger names its hook by id (maybe one the app did not make): the manifest's
    spec names hooks by key, so it goes in under a key that names that id."""
    trigger = values.get("trigger")
    if isinstance(trigger, dict) and trigger.get("type") == "hook" and trigger.get("hook"):
        alias, ctx = alias_context(ctx, "hook", trigger["hook"])
        values = {**values, "trigger": {**trigger, "hook": alias}}
    return put_values(spec, ctx, values)


def register_fields():
    register(
        Fields(
            kind="workflow",
            sets=_sets,
            read=_read,
            describe=lambda path, spec: (
                f"the '{spec['name'].strip()}' workflow's {FIELDS.get(path, 'settings')}"
            ),
            keep=_keep,
        )
    )
