"""Validation rules: what a rule may name, and their writes."""

from django.db import transaction

from kdesk import resources
from kdesk.config_cache import lock_config
from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import lock_for_write, model_update
from klasses.models import (
    Klass,
    Metadata,
    ValidationRule,
)
from klasses.schema import (
    UnknownAttributeType,
    attribute_type,
)
from klasses.services.changes import changes_of

# ---- validation rules -------------------------------------------------------------------------


# What a validation rule may name: a resource's rule fields (its declaration in the register,
# kdesk.resources; KObjects' in klasses/resources.py), and `custom.<name>` (KObjects also
# `data.<name>`).


def ruled():
    """The standard resources validation rules apply to, in the register's order (KObjects are
    named per Klass, `kobject.<name>`)."""
    return [r for r in resources.all_resources() if r.rule_fields and r.name != "kobject"]


def rule_attributes(kind):
    """The standard attributes a rule on `kind` (a resource name, or `kobject`) may name."""
    return tuple(resources.get(kind).rule_fields)


RULE_MESSAGE_MAX = ValidationRule._meta.get_field("message").max_length


def _defined(org, resource):
    """The custom attribute names `resource` has a definition for (recorded on first write)."""
    row = Metadata.objects.filter(org=org, resource=resource).values("properties").first()
    return set((row or {}).get("properties") or {})


def _rule_errors(org, resource, attribute, when, status, message):
    standard = {r.name: r for r in ruled()}
    errors = []
    kind = None
    if not isinstance(resource, str) or not resource:
        errors.append(FieldError("/resource", "required", "Name the resource."))
    elif resource in standard:
        kind = resource
    elif (
        resource.startswith("kobject.")
        and Klass.objects.filter(org=org, name=resource[len("kobject.") :]).exists()
    ):
        kind = "kobject"
    else:
        errors.append(
            FieldError(
                "/resource",
                "invalid",
                f"Unknown resource {resource!r}: rules apply to {', '.join(standard)} or "
                "kobject.<an existing Klass>.",
            )
        )
    if when not in ValidationRule.When.values:
        errors.append(
            FieldError("/when", "invalid", f"when is one of {ValidationRule.When.values}.")
        )
    if when == ValidationRule.When.STATUS:
        # a status rule guards a resource whose `status` rule field lists its statuses
        guarded = {
            r.name: r.rule_fields["status"].choices
            for r in standard.values()
            if "status" in r.rule_fields and r.rule_fields["status"].choices
        }
        statuses = guarded.get(kind) or next(iter(guarded.values()), ())
        if kind is not None and kind not in guarded:
            plurals = " and ".join(standard[name].plural_name for name in guarded)
            errors.append(FieldError("/when", "invalid", f"Only {plurals} have a status to guard."))
        elif not status:
            errors.append(FieldError("/status", "required", "Name the status the rule guards."))
        elif status not in statuses:
            errors.append(
                FieldError("/status", "invalid", f"status is one of {', '.join(statuses)}.")
            )
    if not attribute or not isinstance(attribute, str):
        errors.append(FieldError("/attribute", "required", "Name the attribute."))
    elif kind is not None:
        prefixes = ("custom", "data") if kind == "kobject" else ("custom",)
        head, _, name = attribute.partition(".")
        if name:
            valid = head in prefixes and "." not in name
            if valid:
                try:
                    attribute_type(name)
                except UnknownAttributeType:
                    valid = False
            if valid and name not in _defined(org, resource):
                errors.append(
                    FieldError(
                        "/attribute",
                        "undefined",
                        f"{resource} has no attribute {name!r}: define it first "
                        f"(PUT /v1/metadata/{resource}) or write a value with it.",
                    )
                )
                valid = None  # reported
        else:
            valid = attribute in rule_attributes(kind)
        if valid is False:
            errors.append(
                FieldError(
                    "/attribute",
                    "invalid",
                    f"Unknown attribute {attribute!r} for {resource}: use one of "
                    f"{', '.join(rule_attributes(kind))} or "
                    f"{' / '.join(p + '.<name>' for p in prefixes)} with a typed name "
                    "(e.g. custom.reasonStr).",
                )
            )
    if message and len(message) > RULE_MESSAGE_MAX:
        errors.append(
            FieldError(
                "/message", "max_length", f"message must be at most {RULE_MESSAGE_MAX} characters."
            )
        )
    return errors


CONDITION_OPS = {
    "required": None,
    "equals": "scalar",
    "not_equals": "scalar",
    "in": "list",
    "not_in": "list",
    "gt": "number",
    "gte": "number",
    "lt": "number",
    "lte": "number",
    "contains": "text",
    "starts_with": "text",
    "min_length": "count",
    "max_length": "count",
}


def _condition_errors(condition):
    """A rule's condition: {} (the value must be present) or {op, value}."""
    if condition in (None, {}):
        return []
    if not isinstance(condition, dict):
        return [
            FieldError(
                "/condition",
                "type",
                "condition is an object: {op, value}, or {} when the attribute must be present.",
            )
        ]
    errors = [
        FieldError(f"/condition/{k}", "unknown", f"Unknown attribute '{k}'.")
        for k in condition
        if k not in ("op", "value")
    ]
    op = condition.get("op")
    if not isinstance(op, str) or op not in CONDITION_OPS:
        return errors + [
            FieldError("/condition/op", "invalid", f"op is one of {', '.join(CONDITION_OPS)}.")
        ]
    kind, value = CONDITION_OPS[op], condition.get("value")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    valid = {
        None: "value" not in condition,
        "scalar": isinstance(value, str | bool) or number,
        "list": isinstance(value, list)
        and 0 < len(value) <= 100
        and all(isinstance(v, str | int | float | bool) for v in value),
        "number": number or isinstance(value, str) and bool(value),
        "text": isinstance(value, str) and 0 < len(value) <= 255,
        "count": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
    }[kind]
    if not valid:
        expected = {
            None: "no value",
            "scalar": "a string, number or boolean",
            "list": "a list of 1 to 100 values",
            "number": "a number (or an ISO-8601 time)",
            "text": "a non-empty string",
            "count": "a whole number ≥ 0",
        }[kind]
        errors.append(FieldError("/condition/value", "invalid", f"{op} takes {expected}."))
    return errors


def _rule_event(org, actor, rule, action, changes=None):
    from klasses.representations import rule_resource

    emit(
        org=org,
        type=f"validation_rule.{action}",
        resource="validation_rule",
        resource_id=rule.pk,
        actor=actor,
        rev=rule.rev,
        data=rule_resource(rule),
        changes=changes or {},
    )


@transaction.atomic
def rule_create(
    *,
    org,
    actor,
    resource=None,
    attribute=None,
    when=None,
    status="",
    message="",
    condition=None,
    active=True,
    errors=(),
):
    """`errors`: problems the caller already found in the body (rule_payload)."""
    errors = _merge_errors(
        list(errors),
        _rule_errors(org, resource, attribute, when, status, message)
        + _condition_errors(condition),
    )
    if errors:
        raise ValidationFailed(errors)
    lock_config(org)
    rule = ValidationRule.objects.create(
        org=org,
        resource=resource,
        attribute=attribute,
        when=when,
        status=status or "",
        message=message or "",
        condition=condition or {},
        active=active,
    )
    _rule_event(org, actor, rule, "create")
    return rule


RULE_FIELDS = {"resource", "attribute", "when", "status", "message", "condition", "active", "rev"}
RULE_API_NAMES = {}
# What null clears each attribute to (API.md), None where it cannot be cleared: on a create,
# null is the default (a rule with no resource, attribute or when is refused as one without).
RULE_CLEARED = (
    ("resource", None),
    ("attribute", None),
    ("when", None),
    ("status", ""),  # none: only a `status` rule names one
    ("message", ""),  # the default message, written from the condition
    ("condition", {}),  # the attribute must be present
    ("active", None),  # on a create: true
)


def rule_payload(data, *, creating):
    """A `/v1/validations` body → keyword arguments for rule_create / rule_update."""
    p = Payload(data, allowed=RULE_FIELDS)
    fields = {
        "resource": p.string("resource", max_length=120),
        "attribute": p.string("attribute", max_length=120),
        "when": p.string("when", max_length=10),
        "status": p.string("status", max_length=20),
        "message": p.string("message", max_length=RULE_MESSAGE_MAX),
        "active": p.boolean("active"),
        # _condition_errors: an object ({} or {op, value}); "", 0, [] or false is none of them
        "condition": p.data.get("condition"),
    }
    for attribute, cleared in RULE_CLEARED:
        if not p.has(attribute) or p.data[attribute] is not None:
            continue
        if cleared is not None:
            fields[attribute] = cleared
        elif not creating:
            p.error(attribute, "required", f"{attribute} is required: it cannot be cleared.")
    fields = {k: v for k, v in fields.items() if v is not None}
    if p.errors:
        fields["errors"] = p.errors  # reported with the rule's own problems, all at once
    return fields, p.data.get("rev")


def _merge_errors(first, more):
    """`first`, then those of `more` at a pointer `first` does not already name."""
    named = {e.pointer for e in first}
    return [*first, *(e for e in more if e.pointer not in named)]


@transaction.atomic(durable=True)  # the API calls it outside any transaction
def rule_update(*, org, actor, rule, data, rev=None):
    fields, body_rev = rule_payload(data, creating=False)
    found = fields.pop("errors", [])
    lock_config(org)
    rule = lock_for_write(
        ValidationRule,
        org=org,
        pk=rule.pk,
        rev=rev if rev is not None else body_rev,
        resource="validation",
        missing="No validation with this id.",
    )
    merged = {
        "resource": rule.resource,
        "attribute": rule.attribute,
        "when": rule.when,
        "status": rule.status,
        "message": rule.message,
        **fields,
    }
    if merged["when"] != ValidationRule.When.STATUS and "status" not in fields:
        merged["status"] = ""
    errors = _rule_errors(
        org,
        merged["resource"],
        merged["attribute"],
        merged["when"],
        merged["status"],
        merged["message"],
    )
    errors = _merge_errors(found, errors + _condition_errors(fields.get("condition")))
    if errors:
        raise ValidationFailed(errors)
    changes = changes_of(rule, {**merged, **fields})
    if not model_update(rule, {**merged, **fields}):
        return rule
    _rule_event(org, actor, rule, "update", changes)
    return rule


@transaction.atomic(durable=True)
def rule_delete(*, org, actor, rule, rev=None):
    lock_config(org)
    rule = lock_for_write(
        ValidationRule,
        org=org,
        pk=rule.pk,
        rev=rev,
        resource="validation",
        missing="No validation with this id.",
    )
    _rule_event(org, actor, rule, "delete")
    rule.delete()


def rule_get(*, org, pk):
    rule = ValidationRule.objects.filter(org=org, pk=pk).first()
    if rule is None:
        raise NotFound("No validation with this id.")
    return rule
