"""Checking a workflow body (trigger, conditions, steps) and reporting every problem at once,
each with the JSON pointer of the field at fault."""

import re
import zoneinfo
from datetime import datetime

from croniter import croniter
from django.utils import timezone

from apps_directory.hooks.models import Hook
from apps_directory.webhooks import names
from kdesk.errors import FieldError
from kdesk.payload import as_id
from workflows import actions, conditions, templating

STEP_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
STEP_REFERENCE = re.compile(r"\bsteps\.([A-Za-z_][A-Za-z0-9_]*)")
MAX_STEPS = 50
TRIGGER_TYPES = ("event", "hook", "schedule", "call", "rule")
RULE_ACTION = "set"


def check_cron(cron, tz_name):
    """(problems by key) for a cron expression and time zone."""
    problems = {}
    if not isinstance(cron, str) or not cron.strip():
        problems["cron"] = "A schedule needs a cron expression, e.g. 0 9 * * 1-5."
    elif len(cron.split()) != 5 or not croniter.is_valid(cron):
        problems["cron"] = (
            f"{cron!r:.60} is not a cron expression of five fields (minute hour day month "
            "weekday), e.g. 0 9 * * 1-5."
        )
    if tz_name is not None and not _zone(tz_name):
        problems["timezone"] = f"{tz_name!r:.60} is not a time zone (e.g. Europe/Paris)."
    return problems


def _zone(name):
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def next_fire(trigger, after=None):
    """The next time a schedule trigger fires after `after` (aware, UTC)."""
    zone = _zone(trigger.get("timezone") or "UTC")
    after = (after or timezone.now()).astimezone(zone)
    nxt = croniter(trigger["cron"], after).get_next(datetime)
    return nxt.astimezone(zoneinfo.ZoneInfo("UTC"))


def _check_trigger(org, trigger, errors):
    """The cleaned trigger: (type, trigger dict, event name, hook)."""
    p = "/trigger"
    if not isinstance(trigger, dict):
        errors.append(FieldError(p, "required", "A workflow needs a trigger object."))
        return None, {}, "", None
    kind = trigger.get("type")
    if kind not in TRIGGER_TYPES:
        errors.append(
            FieldError(
                f"{p}/type", "invalid", f"The trigger type is one of {', '.join(TRIGGER_TYPES)}."
            )
        )
        return None, {}, "", None
    allowed = {
        "event": {"type", "event"},
        "hook": {"type", "hook"},
        "schedule": {"type", "cron", "timezone"},
        "call": {"type"},
        "rule": {"type", "resource", "on"},
    }[kind]
    for key in sorted(set(trigger) - allowed):
        errors.append(FieldError(f"{p}/{key}", "unknown", f"A {kind} trigger has no '{key}'."))
    cleaned, event_name, hook = {"type": kind}, "", None
    if kind == "event":
        event_name = trigger.get("event")
        if not names.is_valid(event_name):
            errors.append(
                FieldError(
                    f"{p}/event",
                    "invalid",
                    "Name an event such as kustomer.conversation.update or "
                    "kustomer.kobject.order.create.",
                )
            )
            event_name = ""
        cleaned["event"] = event_name
    elif kind == "hook":
        pk = as_id(trigger.get("hook"))
        hook = Hook.objects.filter(org=org, pk=pk).first() if pk else None
        if hook is None:
            errors.append(FieldError(f"{p}/hook", "not_found", "Choose one of your inbound hooks."))
        else:
            cleaned["hook"] = str(hook.pk)
    elif kind == "schedule":
        problems = check_cron(trigger.get("cron"), trigger.get("timezone", "UTC"))
        for key, detail in problems.items():
            errors.append(FieldError(f"{p}/{key}", "invalid", detail))
        cleaned["cron"] = (
            (trigger.get("cron") or "").strip() if isinstance(trigger.get("cron"), str) else ""
        )
        cleaned["timezone"] = trigger.get("timezone") or "UTC"
    elif kind == "rule":
        from workflows.rules import ACTIONS, RESOURCES

        resource = trigger.get("resource", "conversation")
        if resource not in RESOURCES:
            errors.append(
                FieldError(
                    f"{p}/resource",
                    "invalid",
                    "Business rules apply to conversations or messages.",
                )
            )
            resource = None
        allowed_on = ACTIONS.get(resource, ACTIONS["conversation"])
        on = trigger.get("on", list(allowed_on))
        if not isinstance(on, list) or not on or any(a not in allowed_on for a in on):
            errors.append(
                FieldError(
                    f"{p}/on",
                    "invalid",
                    "on lists when the rule applies: for a message, create; for a "
                    "conversation, create, update or both.",
                )
            )
            on = []
        cleaned.update(resource=resource or "", on=[a for a in allowed_on if a in on])
    return kind, cleaned, event_name, hook


def _check_rule_actions(kind, trigger, steps, errors):
    """A business rule only sets fields; a `set` step only exists in a business rule; only a
    message rule sets fields on the message."""
    if not isinstance(steps, list):
        return
    resource = (trigger or {}).get("resource")
    for i, step in enumerate(steps):
        action = step.get("action") if isinstance(step, dict) else None
        params = step.get("params") if isinstance(step, dict) else None
        if (
            kind == "rule"
            and action == RULE_ACTION
            and resource == "conversation"
            and isinstance(params, dict)
            and "message" in params
        ):
            errors.append(
                FieldError(
                    f"/steps/{i}/params/message",
                    "invalid",
                    "Only a rule on messages sets fields on the message; a conversation rule "
                    "sets the conversation's.",
                )
            )
        if kind == "rule" and action not in (None, RULE_ACTION):
            errors.append(
                FieldError(
                    f"/steps/{i}/action",
                    "invalid",
                    "A business rule only sets fields on the record being saved: use set.",
                )
            )
        elif kind != "rule" and action == RULE_ACTION:
            errors.append(
                FieldError(
                    f"/steps/{i}/action",
                    "invalid",
                    "set changes the record being saved: only business rules (trigger rule) use it.",
                )
            )


def _check_templates(value, pointer, earlier, errors):
    if isinstance(value, str):
        problem = templating.syntax_problem(value)
        if problem:
            errors.append(FieldError(pointer, "template", problem))
            return
        for ref in STEP_REFERENCE.findall(value):
            if ref not in earlier:
                errors.append(
                    FieldError(
                        pointer,
                        "unknown_step",
                        f"steps.{ref} is not an earlier step: a step reads only the steps "
                        "before it.",
                    )
                )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_templates(item, f"{pointer}/{key}", earlier, errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_templates(item, f"{pointer}/{i}", earlier, errors)


def _check_steps(steps, errors):
    if not isinstance(steps, list) or not steps:
        errors.append(FieldError("/steps", "required", "A workflow needs at least one step."))
        return []
    if len(steps) > MAX_STEPS:
        errors.append(FieldError("/steps", "too_many", f"At most {MAX_STEPS} steps."))
        return []
    seen = set()
    for i, step in enumerate(steps):
        p = f"/steps/{i}"
        if not isinstance(step, dict):
            errors.append(FieldError(p, "type", "A step is an object with id, action and params."))
            continue
        for key in sorted(set(step) - {"id", "action", "params"}):
            errors.append(FieldError(f"{p}/{key}", "unknown", f"A step has no '{key}'."))
        sid = step.get("id")
        if not isinstance(sid, str) or not STEP_ID.match(sid):
            errors.append(
                FieldError(
                    f"{p}/id",
                    "invalid",
                    "A step id is a letter then letters, digits or _ (e.g. customer).",
                )
            )
        elif sid in seen:
            errors.append(FieldError(f"{p}/id", "duplicate", f"Another step is called {sid}."))
        action = actions.get(step.get("action"))
        if action is None:
            known = ", ".join(a.name for a in actions.all_actions())
            errors.append(FieldError(f"{p}/action", "invalid", f"The action is one of {known}."))
        params = step.get("params", {})
        if not isinstance(params, dict):
            errors.append(FieldError(f"{p}/params", "type", "params must be an object."))
            params = {}
        if action is not None:
            for name in action.required:
                if params.get(name) in (None, ""):
                    errors.append(
                        FieldError(f"{p}/params/{name}", "required", f"{action.name} needs {name}.")
                    )
            if not action.open_params:
                known = set(action.required) | set(action.optional)
                for name in sorted(set(params) - known):
                    errors.append(
                        FieldError(
                            f"{p}/params/{name}",
                            "unknown",
                            f"{action.name} takes {', '.join(sorted(known))}; not {name}.",
                        )
                    )
        _check_templates(params, f"{p}/params", seen, errors)
        if isinstance(sid, str):
            seen.add(sid)
    return steps


def check(org, data, *, current=None):
    """(cleaned fields for the model, errors). `current` is the workflow being updated: what
    the body leaves out stays as it is."""
    errors = []
    fields = {}

    def has(key):
        return key in data or current is None

    if has("trigger"):
        kind, trigger, event_name, hook = _check_trigger(org, data.get("trigger"), errors)
        fields.update(trigger_type=kind, trigger=trigger, event_name=event_name, hook=hook)
    if has("conditions"):
        # null clears them; false, 0, "" or [] are not conditions (400, not silently none)
        conds = data.get("conditions")
        conds = {} if conds is None else conds
        errors += conditions.check(conds)
        fields["conditions"] = conds
    if has("steps"):
        fields["steps"] = _check_steps(data.get("steps"), errors)
    kind = fields.get("trigger_type", current.trigger_type if current is not None else None)
    trigger = fields.get("trigger", current.trigger if current is not None else {})
    steps = fields.get("steps", current.steps if current is not None else [])
    if kind is not None:
        _check_rule_actions(kind, trigger, steps, errors)
    return fields, errors
