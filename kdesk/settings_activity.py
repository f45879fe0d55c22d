"""Settings → Activity (/settings/activity/): every settings change, newest first, read from the
event log as sentences a person reads: who, when, what, and each change before → after.

Every settings service records its event (kdesk.updates / kdesk.events), so the log is the whole
history. Labels come from display names: people by name, object types by their display name
(the apps that know them register a namer with `name_resources_with`), attributes by theirs."""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from kdesk import resources
from kdesk.models import Event, User

PAGE_SIZE = 50
# resource → what the filter calls it, and the noun a row names one by
KINDS = {
    "klass": ("Object types", "Object type"),
    "metadata": ("Attributes", "Attributes of"),
    "relationship": ("Relationships", "Relationship"),
    "validation_rule": ("Validation rules", "Validation rule"),
    "kview": ("KViews", "KView"),
    "user": ("People", "Person"),
    "team": ("Teams", "Team"),
    "api_key": ("API keys", "API key"),
    "outbound_webhook": ("Webhooks", "Webhook"),
    "hook": ("Hooks", "Hook"),
    "workflow": ("Workflows", "Workflow"),
    "app": ("Apps", "App"),
    "mailbox": ("Mailboxes", "Mailbox"),
    "tag": ("Tags", "Tag"),
    "shortcut": ("Shortcuts", "Shortcut"),
}
# the settings actions only: links between objects and hook calls are data, not settings
ACTIONS = {"create": "created", "update": "changed", "delete": "deleted"}
EXTRA = {
    "api_key.revoke": "revoked",
    "outbound_webhook.disable": "turned off",
    "app.install": "installed",
    "app.upgrade": "upgraded",
    "app.deactivate": "deactivated",
    "app.reactivate": "reactivated",
    "app.uninstall": "uninstalled",
}
VERBS = {**{f"{r}.{a}": v for r in KINDS for a, v in ACTIONS.items()}, **EXTRA}

LABELS = {
    "displayName": "Display name",
    "color": "Colour",
    "url": "URL",
    "urlTemplate": "URL template",
    "isPrivate": "Private",
    "enum": "Choices",
    "multi": "Several choices",
    "array": "List",
    "readOnly": "Read-only",
    "min": "Minimum",
    "max": "Maximum",
    "minLength": "Shortest",
    "maxLength": "Longest",
    "slug": "Mention handle",
    "username": "Mention handle",
    "timeZone": "Time zone",
    "rateLimitPerMinute": "Requests per minute",
    "smtpHost": "SMTP server",
    "imapHost": "IMAP server",
    "imapEnabled": "Reads mail by IMAP",
    "payload": "Reply text",
}
PEOPLE_KEYS = {"members", "owner", "modifiedBy", "createdBy", "assignedUsers"}
RESOURCE_KEYS = {"resource", "from", "to"}
# what a value looks like in the log when it is too long to read in a list
LONGEST = 120
_namers = []


def name_resources_with(fn):
    """Register `fn(org, names) -> {resource name: display name}` for resources only an app
    can name (`kobject.return` → “Return”); one query each, however many rows are shown."""
    if fn not in _namers:
        _namers.append(fn)
    return fn


def humanize(key):
    if key in LABELS:
        return LABELS[key]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


@login_required
def activity(request):
    if request.user.role != "admin":
        raise PermissionDenied
    org = request.user.org
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    before = request.GET.get("before", "")
    events = Event.objects.filter(org=org, type__in=_types(kind)).select_related("actor")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    rows = list(events.order_by("-id")[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    names = _names(org, rows)
    return render(
        request,
        "settings/activity.html",
        {
            "rows": [_describe(e, names) for e in rows],
            "kinds": [(k, plural) for k, (plural, _) in KINDS.items()],
            "kind": kind,
            "older": older,
            "paged": before.isdigit(),
        },
    )


def _types(kind):
    return [t for t in VERBS if not kind or t.rsplit(".", 1)[0] == kind]


# ---- names --------------------------------------------------------------------------------


def _resource_names(event):
    data = _attributes(event.data)
    found = set()
    if event.resource == "metadata":
        found.add(event.resource_id)
    if event.resource == "klass":
        found.add(f"kobject.{event.resource_id}")
    for key in ("resource", "from", "to"):
        if isinstance(data.get(key), str):
            found.add(data[key])
    if event.resource == "relationship" and isinstance(data.get("target"), str):
        found.add(_target_resource(data["target"]))
    return found


def _target_resource(target):
    standard = resources.find(target)
    return target if standard is not None or target.startswith("kobject.") else f"kobject.{target}"


def _people_ids(event):
    ids = set()
    for key, change in (event.changes or {}).items():
        if key in PEOPLE_KEYS and isinstance(change, dict):
            for side in (change.get("before"), change.get("after")):
                for value in side if isinstance(side, list) else [side]:
                    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                        ids.add(int(value))
    return ids


def _names(org, events):
    """{"people": {id: name}, "resources": {resource: label}} for what the rows mention."""
    wanted, people = set(), set()
    for event in events:
        wanted |= _resource_names(event)
        people |= _people_ids(event)
    labels = {}
    for name in wanted:
        found = resources.find(name)
        if found is not None:
            labels[name] = found.label
    rest = {n for n in wanted if n not in labels}
    if rest:
        for fn in _namers:
            labels.update(fn(org, rest))
    names = {}
    if people:
        rows = User.objects.filter(org=org, pk__in=people).values_list("pk", "display_name")
        names = dict(rows)
    return {"people": names, "resources": labels}


# ---- sentences ----------------------------------------------------------------------------


def _attributes(data):
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        return data["attributes"]
    return data if isinstance(data, dict) else {}


def _label(resource, names):
    if not resource:
        return ""
    label = names["resources"].get(resource)
    if label:
        return label
    bare = resource[len("kobject.") :] if resource.startswith("kobject.") else resource
    return bare.replace("_", " ").capitalize()


def _subject(event, names):
    data = _attributes(event.data)
    noun = KINDS[event.resource][1]
    if event.resource == "metadata":
        return f"{noun} {_label(event.resource_id, names)}"
    if event.resource == "validation_rule":
        on = _label(data.get("resource"), names)
        said = data.get("message")
        return f"{noun} on {on}" + (f": “{_short(said)}”" if said else "")
    if event.resource == "relationship":
        frm = _label(data.get("from"), names)
        return f"{noun} “{data.get('name', event.resource_id)}” of {frm}" if frm else noun
    if event.resource == "klass":
        # named as it is called today; a deleted one as its event recorded it
        label = names["resources"].get(f"kobject.{event.resource_id}")
        return f"{noun} “{label or data.get('displayName') or event.resource_id}”"
    if event.resource == "shortcut" and data.get("name"):
        return f"{noun} #{data['name']}"
    for key in ("displayName", "name", "title", "address", "email", "prefix"):
        if data.get(key):
            return f"{noun} “{_short(data[key])}”"
    return f"{noun} #{event.resource_id}"


def _short(value):
    text = str(value)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _value(value, key, names):
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in PEOPLE_KEYS and (isinstance(value, int) or str(value).isdigit()):
        return names["people"].get(int(value), "someone no longer here")
    if key in RESOURCE_KEYS and isinstance(value, str):
        return _label(value, names)
    if key == "relationships" and isinstance(value, list):
        return "; ".join(_relationship(d, names) for d in value if isinstance(d, dict)) or "—"
    if isinstance(value, list):
        shown = [_value(v, key, names) for v in value[:8]]
        more = f" and {len(value) - 8} more" if len(value) > 8 else ""
        return ", ".join(shown) + more
    if isinstance(value, dict):
        if "value" in value and ("displayName" in value or len(value) == 1):
            return str(value.get("displayName") or value["value"])
        parts = [f"{humanize(k)}: {_value(v, k, names)}" for k, v in value.items()]
        return _short("; ".join(parts))
    return _short(value)


def _relationship(d, names):
    kind = str(d.get("cardinality", "")).replace("-", " ").replace("_", " ")
    target = _label(_target_resource(str(d.get("target", ""))), names)
    return f"{d.get('name')} → {target} ({kind})"


def _changes(event, names):
    """[{"label", "before", "after"} or {"text"}], in the order of the change's fields."""
    if event.resource == "metadata":
        return _attribute_changes(event, names)
    out = []
    for key, change in (event.changes or {}).items():
        if not isinstance(change, dict) or key in ("rev", "updatedAt", "modifiedAt"):
            continue
        out.append(
            {
                "label": humanize(key),
                "before": _value(change.get("before"), key, names),
                "after": _value(change.get("after"), key, names),
            }
        )
    if event.type == "app.upgrade":
        # the admin's edits the upgrade left as they were, by display name
        kept = [k["label"] for k in event.data.get("keptChanges") or [] if isinstance(k, dict)]
        if kept:
            out.append({"text": f"Kept your changes to: {', '.join(map(str, kept))}"})
    return out


def _attribute_changes(event, names):
    """A metadata change is keyed by attribute: each added, removed, moved or changed."""
    out = []
    defined = _attributes(event.data).get("properties") or {}
    for name, change in sorted((event.changes or {}).items()):
        if not isinstance(change, dict):
            continue
        before, after = change.get("before"), change.get("after")
        current = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
        label = (current or {}).get("displayName") or (defined.get(name) or {}).get("displayName")
        label = f"“{label or name}”"
        if isinstance(after, int) or isinstance(before, int):
            place = after + 1 if isinstance(after, int) else "—"
            out.append({"text": f"{label} moved to place {place}"})
        elif before is None:
            out.append({"text": f"{label} added"})
        elif after is None:
            out.append({"text": f"{label} deleted"})
        else:
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key) and key != "position":
                    out.append(
                        {
                            "label": f"{label}: {humanize(key).lower()}",
                            "before": _value(before.get(key), key, names),
                            "after": _value(after.get(key), key, names),
                        }
                    )
    return out


def _describe(event, names):
    return {
        "event": event,
        "who": event.actor.display_name if event.actor_id else "A program or the system",
        "verb": VERBS[event.type],
        "action": event.type.rsplit(".", 1)[1],
        "kind": KINDS[event.resource][0],
        "subject": _subject(event, names),
        "changes": _changes(event, names),
    }
