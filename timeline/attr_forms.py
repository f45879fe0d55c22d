"""The insights panel's inline-edit forms: the widget an attribute edits with (a list for array
and multi attributes: checkboxes from an enum or a tree, one value a line otherwise, JSON for
Obj items), the form's value parsed back into what the engine validates, and the engine's
errors worded per field and per item. The display side is timeline.insights."""

import json
from datetime import UTC, datetime

from timeline.insights import (
    enum_label,
    input_step,
    is_list,
    local_input,
    tree_labels,
    type_of,
    zone_info,
)


def _choices(kind, definition):
    """[(form value, label)] when an attribute's values come from a fixed set, else None."""
    if definition.get("enum"):
        return [(str(v), enum_label(v, definition)) for v in definition["enum"]]
    if kind == "Tree":
        tree = definition.get("tree")
        last_required = isinstance(tree, dict) and bool(tree.get("lastNodeRequired"))
        return [(k, v[0]) for k, v in tree_labels(definition).items() if v[1] or not last_required]
    return None


def _item_text(item, kind, tz):
    if item is None:
        return ""
    if kind == "At":
        return local_input(item, tz, sep=" ") or str(item)
    if kind == "Bool" and isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, dict | list):
        return json.dumps(item)
    return str(item)


def _list_widget(kind, value, definition, tz):
    options = _choices(kind, definition)
    if options is not None:
        if isinstance(value, list):
            chosen = [".".join(v) if isinstance(v, list) else str(v) for v in value]
        else:
            chosen = [] if value in (None, "") else [str(value)]
        # A stored value the definition no longer offers stays ticked, so saving the form
        # untouched keeps it (the engine then says what is wrong with it).
        known = {v for v, _ in options}
        options += [(v, f"{v} (not an option)") for v in dict.fromkeys(chosen) if v not in known]
        return {"type": "checkboxes", "value": chosen, "chosen": chosen, "options": options}
    help_text = "One per line."
    if isinstance(value, str):  # what the agent posted, shown back as they typed it
        text = value
    elif not isinstance(value, list):
        text = "" if value is None else _item_text(value, kind, tz)
    else:
        lines = [_item_text(v, kind, tz) for v in value]
        if (
            kind == "Obj"
            or any("\n" in line or line != line.strip() or not line for line in lines)
            or (lines and lines[0].startswith("["))
        ):
            text = json.dumps(value, indent=1)
        else:
            text = "\n".join(lines)
    if kind == "Obj":
        help_text = "A JSON list of objects."
    elif kind == "At":
        help_text = f"One per line, as YYYY-MM-DD HH:MM in your time zone ({tz})."
    rows = max(3, min(10, text.count("\n") + 2))
    return {"type": "lines", "value": text, "help": help_text, "rows": rows}


def widget(name, value, definition, tz="UTC"):
    """{type, value, options} describing the form control for one attribute. `value` is the
    stored value, or what the agent posted when the form comes back with errors."""
    definition = definition or {}
    kind = type_of(name, definition)
    if is_list(definition):
        return _list_widget(kind, value, definition, tz)
    if definition.get("enum"):
        options = _choices(kind, definition)
        return {"type": "select", "value": "" if value is None else str(value), "options": options}
    if kind == "Bool":
        options = [("true", "Yes"), ("false", "No")]
        if isinstance(value, str):
            chosen = value
        else:
            chosen = "" if value is None else ("true" if value else "false")
        return {"type": "select", "value": chosen, "options": options}
    if kind == "Tree":
        chosen = (
            ".".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        )
        return {"type": "select", "value": chosen, "options": _choices(kind, definition)}
    if kind == "At":
        if isinstance(value, str) and _is_local_text(value):
            text = value  # posted back: already in the agent's zone
        else:
            text = local_input(value, tz)
        return {"type": "datetime-local", "value": text, "tz": tz, "step": input_step(text)}
    if kind == "Num":
        return {"type": "number", "value": "" if value is None else value}
    if kind == "Url":
        return {"type": "url", "value": value or ""}
    if kind == "Txt":
        return {"type": "textarea", "value": value or ""}
    if kind == "Obj":
        if isinstance(value, str):
            return {"type": "textarea", "value": value}
        return {"type": "textarea", "value": json.dumps(value, indent=1) if value else ""}
    return {"type": "text", "value": "" if value is None else value}


def _is_local_text(text):
    try:
        return datetime.fromisoformat(text.strip()).tzinfo is None
    except ValueError:
        return True  # not a date at all: show it back as typed


def form_input(post, key, name, definition):
    """What the form field `key` sent for attribute `name`: the ticked values for checkboxes
    (the widget adds an empty hidden input, so "none ticked" still arrives), else the string."""
    definition = definition or {}
    if is_list(definition) and _choices(type_of(name, definition), definition) is not None:
        return [v for v in post.getlist(key) if v != ""]
    return post.get(key, "")


def _parse_one(kind, raw, tz):
    raw = raw.strip()
    if kind == "Num":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if kind == "Bool":
        return {"true": True, "false": False, "yes": True, "no": False}.get(raw.lower(), raw)
    if kind == "At":
        try:
            local = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        if local.tzinfo is None:
            local = local.replace(tzinfo=zone_info(tz))
        return local.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if kind == "Obj":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _parse_list(kind, raw, tz):
    if isinstance(raw, list | tuple):
        items = [str(v) for v in raw if str(v).strip() != ""]
        return [_parse_one(kind, v, tz) for v in items] or None
    text = (raw or "").strip()
    if text == "":
        return None
    if text.startswith("["):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return loaded or None
    if kind == "Obj":
        return _parse_one(kind, text, tz)  # not a JSON list: the engine says what is wrong
    lines = [line for line in text.splitlines() if line.strip() != ""]
    return [_parse_one(kind, line, tz) for line in lines]


def parse_input(name, raw, definition, tz="UTC"):
    """The JSON value a form input stands for; ill-typed input is passed on as the string so
    the engine names the problem. Empty means "clear" (None). Array and multi attributes
    become a list (from ticked checkboxes, lines, or a JSON list)."""
    definition = definition or {}
    kind = type_of(name, definition)
    if is_list(definition):
        return _parse_list(kind, raw, tz)
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    raw = (raw or "").strip()
    if raw == "":
        return None
    return _parse_one(kind, raw, tz)


def _item_label(index, items, word="Item", detail=""):
    """ "Item 2 (“x”)": the item's place and, unless the message already quotes it, its value."""
    label = f"{word} {index + 1}"
    if isinstance(items, list) and index < len(items):
        shown = items[index]
        shown = shown if isinstance(shown, str) else json.dumps(shown)
        if shown in detail:
            return label
        if len(shown) > 40:
            shown = shown[:39] + "…"
        label += f" (“{shown}”)"
    return label


def field_errors(fields, key, items=None, label=None, item_word="Item", item_key=None):
    """The engine's messages for one field (`fields` is {dotted pointer: [detail]}, as the
    views build it): its own, then one per failing item, named "Item 2 (“x”): …". With a
    `label`, a message that starts with the attribute's name (`tierStr must …`) starts with
    the label people see instead (`Tier must …`). A list edited one value a line names its
    items "Line 2" (`item_word`), and leaves out the key each item's value sits under
    (`item_key`, "email" in emails.1.email), which only the API knows."""
    own = key.rsplit(".", 1)[-1] + " "
    out = [
        f"{label} {d[len(own) :]}" if label and d.startswith(own) else d
        for d in fields.get(key, [])
    ]
    prefix = key + "."
    found = []
    for pointer, details in fields.items():
        if not pointer.startswith(prefix):
            continue
        head, _, rest = pointer[len(prefix) :].partition(".")
        if not head.isdigit():
            out.extend(details)
            continue
        index = int(head)
        for detail in details:
            # The engine starts a detail with the last pointer token ("1 must be …").
            last = pointer.rsplit(".", 1)[-1]
            text = detail[len(last) + 1 :] if detail.startswith(last + " ") else detail
            shown_rest = rest if rest and rest != item_key else ""
            where = _item_label(index, items, item_word, text)
            where += f" {shown_rest.replace('.', '/')}" if shown_rest else ""
            found.append((index, f"{where}: {text}"))
    out.extend(text for _, text in sorted(found, key=lambda f: f[0]))
    return out


def error_messages(fields, other, key, items=None, label=None, **item_naming):
    """Every message of a failed save, the field's own first (items named), then the rest."""
    own = field_errors(fields, key, items, label, **item_naming)
    rest = [
        d
        for pointer, details in fields.items()
        if pointer != key and not pointer.startswith(key + ".")
        for d in details
    ]
    return own + rest + list(other)
