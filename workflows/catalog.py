"""What the builder offers: event names, the fields a trigger's payload holds (from the resource
register and the org's attribute definitions, or a hook's last call), enum values, and each
action's params. Suggestions only: the definition checks are in `definition`."""

from apps_directory.webhooks import names
from kdesk import resources
from kdesk.models import Event
from klasses.models import Klass, Metadata
from workflows import actions

KOBJECT_ACTIONS = ("create", "update", "delete")
STANDARD = {  # what every event payload's resource carries, whatever its register entry says
    "data.id": "Id",
    "data.type": "Type",
    "data.attributes.createdAt": "Created at",
    "data.attributes.updatedAt": "Updated at",
}
MAX_HOOK_FIELDS = 200


def event_names(org):
    out = names.choices()
    klasses = Klass.objects.filter(org=org).order_by("name").values_list("name", flat=True)
    for klass in klasses:
        out += [f"kustomer.kobject.{klass}.{action}" for action in KOBJECT_ACTIONS]
    return out


def resource_of(event_name):
    """`kustomer.kobject.order.update` → `kobject.order`; `kustomer.customer.create` → `customer`."""
    parts = (event_name or "").split(".")
    if len(parts) < 3 or parts[0] != "kustomer":
        return None
    return ".".join(parts[1:-1])


def _register_fields(resource):
    entry = resources.find(resource.split(".")[0])
    out = []
    if entry is None:
        return out
    for name, rule in (entry.rule_fields or {}).items():
        out.append(
            {
                "path": f"data.attributes.{name}",
                "label": rule.label or name,
                "kind": rule.kind,
                "choices": [str(c) for c in rule.choices],
            }
        )
    return out


def _custom_fields(org, resource):
    meta = Metadata.objects.filter(org=org, resource=resource).first()
    out = []
    if meta is None:
        return out
    prefix = (
        "data.attributes.data." if resource.startswith("kobject.") else "data.attributes.custom."
    )
    for name, spec in sorted((meta.properties or {}).items()):
        spec = spec if isinstance(spec, dict) else {}
        out.append(
            {
                "path": prefix + name,
                "label": spec.get("displayName") or name,
                "kind": name.rsplit("_", 1)[-1],
                "choices": [str(c) for c in spec.get("enum") or []],
            }
        )
    return out


def _flatten(value, prefix, out):
    if len(out) >= MAX_HOOK_FIELDS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}", out)
    elif isinstance(value, list) and value:
        _flatten(value[0], f"{prefix}.0", out)
    else:
        out.append(
            {"path": prefix, "label": prefix[5:], "kind": type(value).__name__, "choices": []}
        )


def hook_fields(org, hook_id):
    """Paths of the hook's last call, so the builder can suggest what the sender posts."""
    last = (
        Event.objects.filter(
            org=org, type="hook.received", resource="hook", resource_id=str(hook_id)
        )
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    out = []
    if last:
        _flatten((last or {}).get("payload"), "data", out)
    return out


def fields_for(org, trigger):
    """[{path, label, kind, choices}] a trigger's payload offers to conditions and params."""
    trigger = trigger or {}
    kind = trigger.get("type")
    if kind == "hook" and trigger.get("hook"):
        return hook_fields(org, trigger["hook"])
    if kind == "schedule":
        return [
            {
                "path": "data.scheduledAt",
                "label": "Scheduled time",
                "kind": "datetime",
                "choices": [],
            },
            {"path": "data.timezone", "label": "Time zone", "kind": "text", "choices": []},
        ]
    if kind == "rule":
        if trigger.get("resource") == "message":
            return _message_rule_fields(org)
        message = [
            {
                "path": f"message.{name}",
                "label": f"Opening message: {label}",
                "kind": "text",
                "choices": [],
            }
            for name, label in (
                ("direction", "direction"),
                ("channel", "channel"),
                ("subject", "subject"),
            )
        ]
        resource = "conversation"
        rows = [{"path": "data.attributes.status", "label": "Status", "kind": "text",
                 "choices": ["open", "snoozed", "done"]}]  # fmt: skip
        return rows + _register_fields(resource) + _custom_fields(org, resource) + message
    if kind != "event":
        return []
    resource = resource_of(trigger.get("event"))
    if not resource:
        return []
    out = [{"path": p, "label": label, "kind": "", "choices": []} for p, label in STANDARD.items()]
    return out + _register_fields(resource) + _custom_fields(org, resource)


def _message_rule_fields(org):
    """What a rule on messages reads: the message being created and its conversation."""
    rows = [
        {"path": "message.direction", "label": "Message: direction", "kind": "text",
         "choices": ["in", "out"]},
        {"path": "message.channel", "label": "Message: channel", "kind": "text", "choices": []},
        {"path": "message.subject", "label": "Message: subject", "kind": "text", "choices": []},
        {"path": "message.body", "label": "Message: text", "kind": "text", "choices": []},
        {"path": "conversation.status", "label": "Conversation: status", "kind": "text",
         "choices": ["open", "snoozed", "done"]},
        {"path": "conversation.priority", "label": "Conversation: priority", "kind": "number",
         "choices": []},
        {"path": "conversation.tags", "label": "Conversation: tags", "kind": "text",
         "choices": []},
    ]  # fmt: skip
    custom = [
        {**row, "path": "message.custom." + row["path"].rsplit(".", 1)[1],
         "label": f"Message: {row['label']}"}
        for row in _custom_fields(org, "message")
    ]  # fmt: skip
    return rows + custom


def action_params():
    """{action: [(param name, required)]} for the params' autocomplete."""
    return {
        a.name: [(p, True) for p in a.required] + [(p, False) for p in a.optional]
        for a in actions.all_actions()
    }
