"""Conditions: the search operators on dotted paths of the trigger payload, plus `changed` and
`changed_to`, nested in `and`/`or`.

`{"and": [{"field": "data.attributes.status", "op": "equals", "value": "open"}, {"or": [...]}]}`
An empty object holds for every payload. `changed` looks the field up in the event's `changes`
(`data.attributes.status`, `status` and `changes.attributes.status` name the same change).
"""

from kdesk.errors import FieldError

OPS = (
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "exists",
    "changed",
    "changed_to",
)
OP_LABELS = {
    "equals": "is",
    "not_equals": "is not",
    "contains": "contains",
    "starts_with": "starts with",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "in": "is one of",
    "exists": "is set",
    "changed": "changed",
    "changed_to": "changed to",
}
NEEDS_VALUE = {"equals", "not_equals", "contains", "starts_with", "gt", "gte", "lt", "lte", "in"}
MAX_DEPTH = 8
MAX_LEAVES = 100
_MISSING = object()


# ---- checking a definition ----------------------------------------------------------------------


def check(conditions, pointer="/conditions"):
    """Every problem with a conditions object, as FieldErrors."""
    errors = []
    if conditions in (None, {}):
        return errors
    leaves = [0]
    _check_node(conditions, pointer, errors, 0, leaves)
    if leaves[0] > MAX_LEAVES:
        errors.append(
            FieldError(pointer, "too_many", f"At most {MAX_LEAVES} conditions in one workflow.")
        )
    return errors


def _check_node(node, pointer, errors, depth, leaves):
    if not isinstance(node, dict):
        errors.append(FieldError(pointer, "type", "A condition must be an object."))
        return
    if depth > MAX_DEPTH:
        errors.append(
            FieldError(pointer, "too_deep", f"Conditions nest at most {MAX_DEPTH} levels deep.")
        )
        return
    groups = [k for k in ("and", "or") if k in node]
    if groups:
        extra = sorted(set(node) - {"and", "or"})
        for key in extra:
            errors.append(
                FieldError(f"{pointer}/{key}", "unknown", f"Unknown key '{key}' beside and/or.")
            )
        for key in groups:
            items = node[key]
            if not isinstance(items, list) or not items:
                errors.append(
                    FieldError(f"{pointer}/{key}", "type", f"'{key}' takes a non-empty list.")
                )
                continue
            for i, item in enumerate(items):
                _check_node(item, f"{pointer}/{key}/{i}", errors, depth + 1, leaves)
        return
    leaves[0] += 1
    _check_leaf(node, pointer, errors)


def _check_leaf(node, pointer, errors):
    for key in sorted(set(node) - {"field", "op", "value"}):
        errors.append(FieldError(f"{pointer}/{key}", "unknown", f"Unknown key '{key}'."))
    field = node.get("field")
    if not isinstance(field, str) or not field.strip():
        errors.append(FieldError(f"{pointer}/field", "required", "Name the field to test."))
    elif len(field) > 200 or any(not part for part in field.split(".")):
        errors.append(
            FieldError(f"{pointer}/field", "invalid", "A field is a dotted path like data.email.")
        )
    op = node.get("op")
    if op not in OPS:
        errors.append(
            FieldError(f"{pointer}/op", "invalid", f"The operator must be one of {', '.join(OPS)}.")
        )
        return
    if op in NEEDS_VALUE or op == "changed_to":
        if "value" not in node:
            errors.append(FieldError(f"{pointer}/value", "required", f"'{op}' needs a value."))
            return
    value = node.get("value")
    if op == "in" and not isinstance(value, list):
        errors.append(FieldError(f"{pointer}/value", "type", "'in' takes a list of values."))
    if op in ("gt", "gte", "lt", "lte") and (
        isinstance(value, bool) or not isinstance(value, int | float | str)
    ):
        errors.append(
            FieldError(f"{pointer}/value", "type", f"'{op}' compares with a number or a date.")
        )
    if op in ("exists", "changed") and "value" in node and not isinstance(value, bool):
        errors.append(FieldError(f"{pointer}/value", "type", f"'{op}' takes true or false."))


# ---- evaluating -----------------------------------------------------------------------------------


def lookup(payload, path):
    """The value at a dotted path (`data.order.items.0.sku`), or _MISSING."""
    current = payload
    for part in path.split("."):
        if isinstance(current, dict):
            if part not in current:
                return _MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _change_name(path):
    for prefix in ("changes.attributes.", "data.attributes.", "changes.", "data."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _change(payload, path):
    changes = payload.get("changes") if isinstance(payload, dict) else None
    if not isinstance(changes, dict):
        return None
    changes = changes.get("attributes", changes)
    found = changes.get(_change_name(path)) if isinstance(changes, dict) else None
    return found if isinstance(found, dict) else None


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _same(a, b):
    if a == b:
        return True
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None and (isinstance(a, str) != isinstance(b, str)):
        return na == nb
    return False


def _compare(a, b, op):
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        a, b = na, nb
    elif not (isinstance(a, str) and isinstance(b, str)):  # ISO dates compare as text
        return False
    return {
        "gt": a > b,
        "gte": a >= b,
        "lt": a < b,
        "lte": a <= b,
    }[op]


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


def _leaf(node, payload):
    op, path, expected = node["op"], node["field"], node.get("value")
    if op == "changed":
        return (_change(payload, path) is not None) == (expected if "value" in node else True)
    if op == "changed_to":
        change = _change(payload, path)
        return change is not None and _same(change.get("after"), expected)
    value = lookup(payload, path)
    if op == "exists":
        present = value is not _MISSING and value not in (None, "", [])
        return present == (expected if "value" in node else True)
    if value is _MISSING:
        return op == "not_equals"
    if op == "equals":
        if isinstance(value, list):
            return any(_same(v, expected) for v in value)
        return _same(value, expected)
    if op == "not_equals":
        if isinstance(value, list):
            return not any(_same(v, expected) for v in value)
        return not _same(value, expected)
    if op == "contains":
        if isinstance(value, list):
            return any(_fold(v) == _fold(expected) or _same(v, expected) for v in value)
        return isinstance(value, str) and str(expected).casefold() in value.casefold()
    if op == "starts_with":
        return isinstance(value, str) and value.casefold().startswith(str(expected).casefold())
    if op == "in":
        if isinstance(value, list):
            return any(_same(v, e) for v in value for e in expected)
        return any(_same(value, e) for e in expected)
    return _compare(value, expected, op)


def matches(conditions, payload):
    """Whether `payload` meets `conditions` (a checked definition)."""
    if not conditions:
        return True
    if "and" in conditions or "or" in conditions:
        ok = True
        if "and" in conditions:
            ok = all(matches(c, payload) for c in conditions["and"])
        if ok and "or" in conditions:
            ok = any(matches(c, payload) for c in conditions["or"])
        return ok
    return _leaf(conditions, payload)
