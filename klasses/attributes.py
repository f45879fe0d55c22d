"""The one door to the custom-attribute engine for every other app.

clean_custom(*, org, resource, values, pointer="/custom", creating=False, partial=True) -> dict
    Validates `values` for `resource` ("customer", "company", "conversation", "message" or
    "kobject.<klass>") with the org's cached compiled validator; returns the cleaned dict
    (defaults applied when creating). `partial=False` is a full replacement (an admin form that
    carries every field; an API PUT is partial, API.md): a required
    attribute that is missing is an error, as on create. Raises ValidationFailed with every
    error and its pointer.
    Valid attributes written without a definition get one recorded (as Kustomer does). Call it
    inside the caller's transaction.

check_rules(*, org, resource, action, record, changed, rules=None) -> list[FieldError]
    Validation rules ("required before a conversation is done", "required on create") of
    `resource`; `rules` (from rules_for) saves the query when checking many records.
"""

from django.db import transaction
from django.utils import timezone

from kdesk import config_cache
from kdesk.errors import FieldError, ValidationFailed
from kdesk.prepared import PreparedValues
from klasses.models import Metadata, ValidationRule
from klasses.schema import ValidatorCache, default_display_name

_cache = ValidatorCache()

# Every write with custom attributes or validation rules reads both (an inbound email: four
# times): compiled once per connection (kdesk.prepared), as their ORM compile cost more than
# the indexed reads themselves.
_METADATA = PreparedValues(
    lambda org, resource: (
        Metadata.objects.filter(org_id=org, resource=resource)
        .order_by("id")
        .values("properties", "rev")[:1]
    ),
    ints=("org",),
    strings=("resource",),
)
_RULE_COLUMNS = [f.attname for f in ValidationRule._meta.concrete_fields]
_RULES = PreparedValues(
    lambda org, resource: ValidationRule.objects.filter(
        org_id=org, resource=resource, active=True
    ).values(*_RULE_COLUMNS),
    ints=("org",),
    strings=("resource",),
)


def _read_metadata(org_id, resource):
    rows = _METADATA.rows(org=org_id, resource=resource)
    return rows[0] if rows else None


def _read_rules(org_id, resource):
    return tuple(_RULES.rows(org=org_id, resource=resource))


# kept in process at the org's configuration version where a request declared it (the email
# hook): kdesk.config_cache
_METADATA_ROWS = config_cache.Cached(_read_metadata)
_RULE_ROWS = config_cache.Cached(_read_rules)


def _metadata_row(org, resource):
    return _METADATA_ROWS.get(getattr(org, "pk", org), resource)


def validator_for(org, resource):
    row = _metadata_row(org, resource)
    props, rev = (row["properties"], row["rev"]) if row else ({}, 0)
    org_id = getattr(org, "pk", org)
    return _cache.get((org_id, resource), rev, lambda: props)


def invalidate(org, resource):
    _cache.invalidate((getattr(org, "pk", org), resource))


def record_undefined(org, resource, undefined):
    """Record definitions for attributes first seen in data; types come from the suffix."""
    if not undefined:
        return
    config_cache.lock_config(org)
    meta, _ = Metadata.objects.select_for_update().get_or_create(org=org, resource=resource)
    added = False
    for name, kind in undefined.items():
        if name not in meta.properties:
            meta.properties[name] = {
                "name": name,
                "type": kind,
                "displayName": default_display_name(name),
                "array": False,
                "multi": False,
                "required": False,
                "hidden": False,
                "readOnly": False,
            }
            added = True
    if added:
        meta.rev += 1
        meta.updated_at = timezone.now()
        meta.save()
        invalidate(org, resource)
        config_cache.forget()  # the version this request declared is behind now


def validate(
    *, org, resource, values, pointer="/custom", creating=False, validator=None, partial=True
):
    """(cleaned, errors, undefined) without raising or recording: for batch callers."""
    validator = validator or validator_for(org, resource)
    result = validator.validate(
        values if values is not None else {}, pointer=pointer, creating=creating, partial=partial
    )
    errors = [
        FieldError(e.pointer, e.code, f"{e.pointer.rsplit('/', 1)[-1]} {e.detail}")
        for e in result.errors
    ]
    return result.cleaned, errors, result.undefined


def record(org, resource, undefined):
    if not undefined:
        return
    if transaction.get_connection().in_atomic_block:
        record_undefined(org, resource, undefined)
    else:
        with transaction.atomic():
            record_undefined(org, resource, undefined)


def clean_custom(*, org, resource, values, pointer="/custom", creating=False, partial=True):
    cleaned, errors, undefined = validate(
        org=org,
        resource=resource,
        values=values,
        pointer=pointer,
        creating=creating,
        partial=partial,
    )
    if errors:
        raise ValidationFailed(errors)
    record(org, resource, undefined)
    return cleaned


def _value(record, attribute):
    """A standard attribute (`name`) or one inside an object attribute (`custom.reasonStr`,
    a KObject's `data.totalNum`)."""
    if "." in attribute:
        head, name = attribute.split(".", 1)
        container = record.get(head)
        return container.get(name) if isinstance(container, dict) else None
    return record.get(attribute)


def _pointer(attribute):
    return "/" + attribute.replace(".", "/")


def rules_for(org, resource):
    """The active validation rules of one resource, for check_rules(rules=...)."""
    rows = _RULE_ROWS.get(getattr(org, "pk", org), resource)
    return [
        ValidationRule.from_db("default", _RULE_COLUMNS, [row[n] for n in _RULE_COLUMNS])
        for row in rows
    ]


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return None


def _compare(value, bound, op):
    """gt/gte/lt/lte on numbers, or on ISO-8601 texts (At values) compared as strings."""
    left, right = _number(value), _number(bound)
    if left is None or right is None:
        if not (isinstance(value, str) and isinstance(bound, str)):
            return False
        left, right = value, bound
    return {
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[op]


def _satisfies(value, condition):
    """Does a present value meet a rule's condition ({op, value}; {} is "present")?"""
    op = (condition or {}).get("op", "required")
    bound = (condition or {}).get("value")
    items = value if isinstance(value, list) else [value]
    if op == "required":
        return True
    if op == "equals":
        return value == bound
    if op == "not_equals":
        return value != bound
    if op == "in":
        return all(v in bound for v in items)
    if op == "not_in":
        return not any(v in bound for v in items)
    if op in ("gt", "gte", "lt", "lte"):
        return all(_compare(v, bound, op) for v in items)
    if op == "contains":
        return any(isinstance(v, str) and bound in v for v in items)
    if op == "starts_with":
        return all(isinstance(v, str) and v.startswith(bound) for v in items)
    if op in ("min_length", "max_length"):
        size = len(value) if isinstance(value, str | list) else None
        if size is None:
            return False
        return size >= bound if op == "min_length" else size <= bound
    return False


CONDITION_WORDS = {
    "equals": "equal",
    "not_equals": "differ from",
    "in": "be one of",
    "not_in": "not be one of",
    "gt": "be greater than",
    "gte": "be at least",
    "lt": "be less than",
    "lte": "be at most",
    "contains": "contain",
    "starts_with": "start with",
    "min_length": "have at least this many characters or items:",
    "max_length": "have at most this many characters or items:",
}


def _applies(rule, action, record, changed):
    when = ValidationRule.When
    if rule.when == when.ALWAYS:
        return True
    if rule.when == when.CREATE:
        return action == "create"
    if rule.when == when.UPDATE:
        return action == "update"
    return (
        rule.when == when.STATUS
        and record.get("status") == rule.status
        and ("status" in changed or action == "create")
    )


def check_rules(*, org, resource, action, record, changed, rules=None):
    errors = []
    if rules is None:
        rules = rules_for(org, resource)
    for rule in rules:
        if not _applies(rule, action, record, changed):
            continue
        value = _value(record, rule.attribute)
        label = default_display_name(rule.attribute.split(".")[-1])
        status = (
            f" before the status is set to {rule.status}"
            if rule.when == ValidationRule.When.STATUS
            else ""
        )
        if value in (None, "", []):
            detail = rule.message or f"{label} is required{status}."
            errors.append(FieldError(_pointer(rule.attribute), "required", detail))
        elif not _satisfies(value, rule.condition):
            op, bound = rule.condition.get("op"), rule.condition.get("value")
            detail = rule.message or f"{label} must {CONDITION_WORDS[op]} {bound!r}{status}."
            errors.append(FieldError(_pointer(rule.attribute), "rule", detail))
    return errors
