"""Business rules: workflows whose trigger is `{"type": "rule", "resource": "conversation" or
"message", "on": [...]}` and whose steps are `set` steps. They run inside the write, before the
record is saved (kdesk.business_rules), in the order of their `position`; each rule sees what
the rules before it set.

A conversation rule reads `data.attributes` (the conversation as the API shows it),
`changes.attributes` (on update) and, for a conversation opened by a message, `message`; it
sets the conversation's fields. A message rule (on create) reads the message as `data.attributes`
and `message`, and its conversation as `conversation`; it sets fields on that conversation and,
through `message: {"custom": {...}}`, the message's own custom attributes."""

import logging

from kdesk.business_rules import Decision
from workflows import conditions, outbox, templating
from workflows.models import Workflow

log = logging.getLogger(__name__)

# resource -> the writes its rules may run on
ACTIONS = {"conversation": ("create", "update"), "message": ("create",)}
RESOURCES = tuple(ACTIONS)
CONVERSATION_PARAMS = ("status", "priority", "assignedUser", "assignedTeam", "tags", "custom")
MESSAGE_PARAM = "message"  # {"custom": {...}}: a message rule's values for the message itself
SET_PARAMS = (*CONVERSATION_PARAMS, MESSAGE_PARAM)


def _mapping(value):
    # a rule's custom that is not an object is skipped where it is applied (it names no
    # attribute); the rules after it merge into what the record holds
    return value if isinstance(value, dict) else {}


def _merged(current, values):
    """What `values` leave on the record: tags are added, custom attributes merged."""
    out = dict(values)
    if isinstance(values.get("tags"), list):
        have = list(current.get("tags") or [])
        out["tags"] = have + [t for t in values["tags"] if t not in have]
    if isinstance(values.get("custom"), dict):
        out["custom"] = {**_mapping(current.get("custom")), **values["custom"]}
    return out


def _valid(values):
    """`values` without a custom that is not an object, for the record the next rules see."""
    if "custom" in values and not isinstance(values["custom"], dict):
        return {k: v for k, v in values.items() if k != "custom"}
    return values


def _rules(org, resource, action):
    out = []
    for row in outbox.triggers(org.pk):
        trigger = row[6] or {}
        if row[1] != Workflow.Trigger.RULE:
            continue
        if trigger.get("resource", "conversation") == resource and action in (
            trigger.get("on") or ()
        ):
            out.append(row)
    return out


def _values(steps, payload):
    values = {}
    for step in steps or []:
        values.update(templating.render_params(step.get("params") or {}, payload))
    return values


def _message_values(record, given):
    """The message part of a message rule's values ({"custom": merged}), or None."""
    if not isinstance(given, dict) or not isinstance(given.get("custom"), dict):
        return None
    return {"custom": {**_mapping(record.get("custom")), **given["custom"]}}


def decide(*, org, resource, action, record, changes, context):
    rules = _rules(org, resource, action)
    if not rules:
        return []
    current = dict(record)
    context = dict(context)
    decisions = []
    for wf_id, _, _, _, conds, name, _, steps in rules:
        payload = {
            **context,
            "data": {"id": current.get("id"), "attributes": current},
            "changes": {"attributes": changes},
        }
        if resource == "message":
            payload["message"] = current
        try:
            if not conditions.matches(conds or {}, payload):
                continue
            values = _values(steps, payload)
        except templating.TemplateProblem as exc:
            # A broken rule must not stop agents working: it is skipped, and says why.
            log.warning("business rule %s skipped: %s", wf_id, exc)
            continue
        conversation = {k: v for k, v in values.items() if k in CONVERSATION_PARAMS}
        message = _message_values(current, values.get(MESSAGE_PARAM))
        if resource == "conversation":
            values = _merged(current, conversation)
            current.update(_valid(values))
        else:
            values = _merged(context.get("conversation") or {}, conversation)
            context["conversation"] = {**(context.get("conversation") or {}), **_valid(values)}
            if message:
                values[MESSAGE_PARAM] = message
                current["custom"] = message["custom"]
        if values:
            decisions.append(Decision(rule=f"{name} (rule {wf_id})", values=values))
    return decisions
