"""The builder page's form: posted fields → a workflow body, a body → rows to draw, and each
error's JSON pointer → the field it is drawn beside.

Field names: `name`, `description`, `enabled`, `atomic`, `trigger_type`, `trigger_event`,
`trigger_hook`, `trigger_cron`, `trigger_timezone`, `match` (and/or), `cond-<n>-field|op|value`,
`step-<n>-id|action`, `step-<n>-param-<m>-key|value`. Rows are numbered by the page's script
and may have gaps. A value that reads as JSON other than text (5, true, ["a"], {"x": 1}) is
that JSON; anything else is text (templates included).
"""

import json
import re

_ROW = re.compile(r"^(cond|step)-(\d+)-(.+)$")
_PARAM = re.compile(r"^param-(\d+)-(key|value)$")
NO_VALUE_OPS = {"exists", "changed"}


def parse_value(text, *, op=None):
    text = (text or "").strip()
    if op == "in" and text and not text.startswith("["):
        return [parse_value(part) for part in text.split(",") if part.strip()]
    if not text:
        return ""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return text if isinstance(value, str) else value


def show_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _rows(post):
    conds, steps = {}, {}
    for key in post:
        match = _ROW.match(key)
        if not match:
            continue
        kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
        target = conds if kind == "cond" else steps
        target.setdefault(index, {})[rest] = post.get(key)
    return [conds[i] for i in sorted(conds)], [steps[i] for i in sorted(steps)]


def _conditions(post, conds):
    if post.get("conditions_json"):
        try:
            return json.loads(post["conditions_json"])
        except ValueError:
            return post["conditions_json"]
    leaves = []
    for row in conds:
        field, op = (row.get("field") or "").strip(), (row.get("op") or "").strip()
        raw = row.get("value") or ""
        if not field and not raw.strip():
            continue  # an empty row the page left
        leaf = {"field": field, "op": op}
        if op not in NO_VALUE_OPS or raw.strip():
            leaf["value"] = parse_value(raw, op=op)
        leaves.append(leaf)
    if not leaves:
        return {}
    return {"or" if post.get("match") == "or" else "and": leaves}


def _params(row):
    pairs = {}
    for key, value in row.items():
        match = _PARAM.match(key)
        if match:
            pairs.setdefault(int(match.group(1)), {})[match.group(2)] = value
    params = {}
    for index in sorted(pairs):
        name = (pairs[index].get("key") or "").strip()
        if name:
            params[name] = parse_value(pairs[index].get("value"))
    return params


def _trigger(post):
    kind = post.get("trigger_type") or ""
    if kind == "event":
        return {"type": kind, "event": (post.get("trigger_event") or "").strip()}
    if kind == "hook":
        return {"type": kind, "hook": post.get("trigger_hook") or None}
    if kind == "rule":
        resource = post.get("trigger_resource") or "conversation"
        if resource == "message":
            return {"type": kind, "resource": resource, "on": ["create"]}  # the only write
        on = post.getlist("trigger_on") if hasattr(post, "getlist") else post.get("trigger_on", [])
        return {"type": kind, "resource": resource, "on": list(on)}
    if kind == "schedule":
        return {
            "type": kind,
            "cron": (post.get("trigger_cron") or "").strip(),
            "timezone": (post.get("trigger_timezone") or "").strip() or "UTC",
        }
    return {"type": kind}


def body_from_form(post):
    """The workflow body the fields describe (the service checks it)."""
    if post.get("use_json"):
        try:
            body = json.loads(post.get("json") or "")
        except ValueError as exc:
            return None, f"The JSON is not valid: {exc}"
        if not isinstance(body, dict):
            return None, "The JSON must be an object with name, trigger, conditions and steps."
        return body, None
    conds, steps = _rows(post)
    return {
        "name": post.get("name") or "",
        "description": post.get("description") or "",
        "enabled": bool(post.get("enabled")),
        "atomic": bool(post.get("atomic")),
        "trigger": _trigger(post),
        "conditions": _conditions(post, conds),
        "steps": [
            {
                "id": (row.get("id") or "").strip(),
                "action": (row.get("action") or "").strip(),
                "params": _params(row),
            }
            for row in steps
        ],
    }, None


def _flat_conditions(conditions):
    """(match, rows) when the conditions are one flat group; None when they nest."""
    if not conditions:
        return "and", []
    if not isinstance(conditions, dict) or len(conditions) != 1:
        return None
    match = next(iter(conditions))
    items = conditions[match]
    if match not in ("and", "or") or not isinstance(items, list):
        return None
    if any(not isinstance(c, dict) or "and" in c or "or" in c for c in items):
        return None
    return match, items


def rows_for(body):
    """What the page draws for a body: trigger fields, condition rows and step blocks."""
    body = body if isinstance(body, dict) else {}
    trigger = body.get("trigger") if isinstance(body.get("trigger"), dict) else {}
    flat = _flat_conditions(body.get("conditions") or {})
    conditions = []
    if flat is not None:
        for item in flat[1]:
            conditions.append(
                {
                    "field": item.get("field", ""),
                    "op": item.get("op", ""),
                    "value": ", ".join(map(show_value, item["value"]))
                    if item.get("op") == "in" and isinstance(item.get("value"), list)
                    else show_value(item.get("value")),
                }
            )
    steps = []
    for step in body.get("steps") if isinstance(body.get("steps"), list) else []:
        step = step if isinstance(step, dict) else {}
        params = step.get("params") if isinstance(step.get("params"), dict) else {}
        steps.append(
            {
                "id": step.get("id", ""),
                "action": step.get("action", ""),
                "params": [{"key": k, "value": show_value(v)} for k, v in params.items()],
            }
        )
    return {
        "name": body.get("name", ""),
        "description": body.get("description", ""),
        "enabled": body.get("enabled", True) is not False,
        "atomic": body.get("atomic") is True,
        "trigger": trigger,
        "match": flat[0] if flat else "and",
        "nested_conditions": None
        if flat is not None
        else json.dumps(body.get("conditions"), indent=2, ensure_ascii=False),
        "conditions": conditions,
        "steps": steps,
        "json": json.dumps(
            {
                k: body[k]
                for k in (
                    "name",
                    "description",
                    "enabled",
                    "atomic",
                    "trigger",
                    "conditions",
                    "steps",
                )
                if k in body
            },  # fmt: skip
            indent=2,
            ensure_ascii=False,
        ),
    }


_TRIGGER_FIELDS = {"type", "event", "hook", "cron", "timezone", "on", "resource"}
# The page's own words where the API's name its fields or list internal names.
_PAGE_WORDS = {
    ("name", "required"): "Give the workflow a name.",
    ("action", "invalid"): "Choose an action.",
    ("op", "invalid"): "Choose a test.",
    ("type", "invalid"): "Choose what starts the workflow.",
}


def field_errors(errors):
    """{field key: [messages]} for errors the form can draw beside a field; the rest under
    `general` with their pointer."""
    out = {}
    for e in errors:
        parts = e.pointer.strip("/").split("/") if e.pointer else []
        key = "general"
        detail = _PAGE_WORDS.get((parts[-1] if parts else "", e.code), e.detail)
        if parts[:1] in (["name"], ["description"], ["enabled"], ["atomic"]) and len(parts) == 1:
            key = parts[0]
        elif parts[:1] == ["trigger"]:
            key = (
                f"trigger_{parts[1]}"
                if len(parts) > 1 and parts[1] in _TRIGGER_FIELDS
                else "trigger_type"
            )
        elif parts[:1] == ["conditions"]:
            if len(parts) == 4 and parts[1] in ("and", "or") and parts[2].isdigit():
                key = f"cond-{parts[2]}-{parts[3]}"
            else:
                key = "conditions"
        elif parts[:1] == ["steps"]:
            if len(parts) >= 3 and parts[1].isdigit():
                if parts[2] == "params" and len(parts) > 3:
                    key = f"step-{parts[1]}-params"
                    detail = f"{'/'.join(parts[3:])}: {e.detail}"
                elif parts[2] in ("id", "action", "params"):
                    key = f"step-{parts[1]}-{parts[2]}"
                else:
                    key = f"step-{parts[1]}-id"
            elif len(parts) == 2 and parts[1].isdigit():
                key = f"step-{parts[1]}-id"
            else:
                key = "steps"
        if key == "general" and e.pointer:
            detail = f"{e.pointer}: {e.detail}"
        out.setdefault(key, []).append(detail)
    return out


def attach_errors(rows, errors):
    """Each condition row and step block gets the errors of its own fields."""
    for i, row in enumerate(rows["conditions"]):
        row["errors"] = {k: errors.get(f"cond-{i}-{k}", []) for k in ("field", "op", "value")}
    for i, step in enumerate(rows["steps"]):
        step["errors"] = {k: errors.get(f"step-{i}-{k}", []) for k in ("id", "action", "params")}
    return rows
