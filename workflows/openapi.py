"""The request bodies of `/v1/workflows`, from the declarations the service and
workflows/definition.py validate with: the trigger types and their keys, the action registry
(each action's required and optional params), the condition operators.

Not stated: that a hook trigger names one of the org's inbound hooks (a 400 naming
/trigger/hook otherwise), which steps an update may carry when it leaves the stored trigger
out (a business rule's only `set`, the others never), that step ids differ and `steps.x` in a template names an earlier step,
that a template parses, and conditions nested deeper than one and/or group (accepted, up to
conditions.MAX_DEPTH)."""

import zoneinfo

from apps_directory.webhooks import names
from kdesk.api.openapi import ID_PATTERN  # kdesk.payload.as_id: ASCII digits, no spaces
from kdesk.text import NOT_BLANK_PATTERN as NOT_BLANK  # what str.strip leaves
from workflows import actions, conditions, definition, rules
from workflows.services import FIELDS


def _event_name():
    return {"anyOf": [{"enum": sorted(names.FIXED)}, {"pattern": names._KOBJECT.pattern}]}


def _trigger():
    def kind(name, properties=None, required=()):
        return {
            "type": "object",
            "properties": {"type": {"const": name}, **(properties or {})},
            "required": ["type", *required],
            "additionalProperties": False,
        }

    rule_kinds = [
        kind(
            "rule",
            {
                "resource": {"const": resource},
                "on": {"type": "array", "minItems": 1, "items": {"enum": list(on)}},
            },
            # a rule without a resource is on conversations
            required=() if resource == "conversation" else ("resource",),
        )
        for resource, on in rules.ACTIONS.items()
    ]
    return {
        "oneOf": [
            kind("event", {"event": _event_name()}, required=("event",)),
            kind("hook", {"hook": {"type": "string", "pattern": ID_PATTERN}}, required=("hook",)),
            kind(
                "schedule",
                {
                    # five simple fields; croniter takes more (ranges, steps, lists)
                    "cron": {
                        "type": "string",
                        "pattern": r"^(\*|[1-5]?[0-9]) (\*|1?[0-9]|2[0-3]) "
                        r"(\*|[1-9]|1[0-9]|2[0-8]) (\*|[1-9]|1[0-2]) (\*|[0-6])$",
                    },
                    "timezone": {
                        "type": ["string", "null"],
                        "enum": [*sorted(zoneinfo.available_timezones()), None],
                    },
                },
                required=("cron",),
            ),
            kind("call"),
            *rule_kinds,
        ],
        "description": f"One of: {', '.join(definition.TRIGGER_TYPES)}.",
    }


def _step(action, without=()):
    params = {
        "type": "object",
        "properties": {
            name: {
                "not": {"enum": [None, ""]},
                "type": ["string", "number", "boolean", "object", "array"],
            }
            for name in action.required
        },
        "required": list(action.required),
        "additionalProperties": action.open_params,
    }
    optional = [name for name in action.optional if name not in without]
    for name in optional:
        params["properties"].setdefault(name, {})
    if not action.open_params:
        params["propertyNames"] = {"enum": [*action.required, *optional]}
        params.pop("additionalProperties")
    step = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": definition.STEP_ID.pattern},
            "action": {"const": action.name},
            "params": params,
        },
        "required": ["id", "action"] + (["params"] if action.required else []),
        "additionalProperties": False,
    }
    return step


def _steps(rule, without=()):
    chosen = [a for a in actions.all_actions() if (a.name == definition.RULE_ACTION) == rule]
    return {
        "type": "array",
        "minItems": 1,
        "maxItems": definition.MAX_STEPS,
        "items": {"oneOf": [_step(a, without) for a in chosen]},
    }


def _leaf():
    return {
        "type": "object",
        "properties": {
            "field": {
                "type": "string",
                "maxLength": 200,
                "pattern": r"^\s*[^.\s]+(\.[^.\s]+)*\s*$",
            },
            "op": {"enum": list(conditions.OPS)},
            "value": {},
        },
        "required": ["field", "op"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {
                    "properties": {"op": {"enum": [*sorted(conditions.NEEDS_VALUE), "changed_to"]}}
                },
                "then": {"required": ["value"]},
            },
            {
                "if": {"properties": {"op": {"const": "in"}}},
                "then": {"properties": {"value": {"type": "array"}}},
            },
            {
                "if": {"properties": {"op": {"enum": ["gt", "gte", "lt", "lte"]}}},
                "then": {"properties": {"value": {"type": ["number", "string"]}}},
            },
            {
                "if": {"properties": {"op": {"enum": ["exists", "changed"]}}},
                "then": {"properties": {"value": {"type": "boolean"}}},
            },
        ],
    }


def _conditions():
    group = {"type": "array", "minItems": 1, "maxItems": 50, "items": _leaf()}
    return {
        "anyOf": [
            {"type": "null"},
            {"type": "object", "maxProperties": 0},
            _leaf(),
            {
                "type": "object",
                "properties": {"and": group, "or": group},
                "minProperties": 1,
                "additionalProperties": False,
            },
        ],
        "description": "A condition {field, op, value}, or and/or lists of them; {} holds always.",
    }


def _properties(creating):
    maybe = [] if creating else ["null"]
    properties = {
        "name": {"type": ["string", *maybe], "maxLength": 200, "pattern": NOT_BLANK},
        "description": {"type": ["string", "null"], "maxLength": 2000},
        "enabled": {"type": ["boolean", "null"]},
        "atomic": {"type": ["boolean", "null"]},
        "position": {"type": ["integer", "null"], "minimum": 1, "maximum": 100_000},
        "trigger": _trigger(),
        "conditions": _conditions(),
        "steps": _steps(rule=False),
    }
    if not creating:
        properties["rev"] = {"type": "integer"}
    assert set(properties) == (FIELDS if not creating else FIELDS - {"rev"})
    return properties


def _rule_steps():
    """A business rule only uses `set`; every other trigger never does."""
    return {
        "if": {
            "required": ["trigger"],
            "properties": {"trigger": {"properties": {"type": {"const": "rule"}}}},
        },
        "then": {
            # only a rule on messages sets fields on the message
            "if": {"properties": {"trigger": {"properties": {"resource": {"const": "message"}}}}},
            "then": {"properties": {"steps": _steps(rule=True)}},
            "else": {"properties": {"steps": _steps(rule=True, without=(rules.MESSAGE_PARAM,))}},
        },
        "else": {"properties": {"steps": _steps(rule=False)}},
    }


def body(creating):
    properties = _properties(creating)
    properties.pop("steps")
    schema = {
        "type": "object",
        "properties": {**properties, "steps": {"type": "array"}},
        "additionalProperties": False,
        "allOf": [_rule_steps()],
    }
    if creating:
        schema["required"] = ["name", "trigger", "steps"]
    return schema


WORKFLOW_CREATE_BODY = body(creating=True)
WORKFLOW_BODY = body(creating=False)
# services.workflow_test: a trigger payload, and a definition to try instead of the stored one
# (checked against it as an update is)
WORKFLOW_TEST_BODY = {
    "type": "object",
    "properties": {"payload": {"type": "object"}, "workflow": WORKFLOW_BODY},
    "additionalProperties": False,
}
