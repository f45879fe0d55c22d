"""The insights panel's attributes: type-aware display and inline-edit widgets.

An attribute's type comes from its definition (or its name's suffix, as the engine does). The
display is built here as small safe HTML so that every page and partial formats values alike:
Tree as a path of displayNames, Bool as a check, At as a <time> the page shows in the agent's
zone, Url as a link with rel=noopener, Num with separators, enums with their labels.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from klasses.schema.types import UnknownAttributeType, attribute_type, default_display_name

EMPTY = mark_safe('<span class="muted">—</span>')

# Feather-style icon names an admin may put in metadata → a one-glyph fallback we can show.
ICON_GLYPHS = {
    "hash": "#",
    "star": "★",
    "award": "★",
    "dollar-sign": "$",
    "calendar": "◷",
    "clock": "◷",
    "link": "↗",
    "check": "✓",
    "tag": "⌗",
    "user": "●",
    "mail": "✉",
    "phone": "☎",
    "globe": "◍",
    "map-pin": "⌖",
    "shopping-bag": "▣",
    "repeat": "↻",
    "heart": "♥",
    "flag": "⚑",
}
TYPE_GLYPHS = {
    "Str": "Aa",
    "Txt": "¶",
    "Num": "#",
    "At": "◷",
    "Bool": "✓",
    "Url": "↗",
    "Id": "id",
    "Obj": "{}",
    "Tree": "⌥",
}


def type_of(name, definition=None):
    if definition and definition.get("type"):
        return definition["type"]
    try:
        return attribute_type(name)
    except UnknownAttributeType:
        return "Str"


def _parse_at(value):
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def tree_labels(definition):
    """{dotted id path: "Label › Label"} for every node of a Tree definition."""
    tree = (definition or {}).get("tree") or {}
    nodes = tree.get("nodes") if isinstance(tree, dict) else tree
    out = {}

    def walk(items, ids, labels):
        for node in items or []:
            if not isinstance(node, dict) or "id" not in node:
                continue
            path_ids = [*ids, str(node["id"])]
            path_labels = [*labels, str(node.get("displayName") or node["id"])]
            children = node.get("children") or []
            out[".".join(path_ids)] = (" › ".join(path_labels), not children)
            walk(children, path_ids, path_labels)

    walk(nodes, [], [])
    return out


def tree_path(value, definition):
    key = ".".join(value) if isinstance(value, list) else str(value)
    found = tree_labels(definition).get(key)
    if found:
        return found[0]
    return " › ".join(key.split("."))


def enum_label(value, definition):
    labels = (definition or {}).get("enumLabels") or {}
    return labels.get(str(value), str(value))


def format_value(value, kind, definition=None, tz="UTC"):
    """Safe HTML for one attribute value."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list) and kind != "Tree":
        return format_html_join(
            ", ", "{}", ((format_value(v, kind, definition, tz),) for v in value)
        )
    if kind == "Bool":
        if value:
            return mark_safe('<span class="check" aria-label="Yes">✓ Yes</span>')
        return mark_safe('<span class="cross" aria-label="No">✗ No</span>')
    if kind == "At":
        at = _parse_at(value)
        if at is None:
            return format_html("{}", value)
        try:
            local = at.astimezone(ZoneInfo(tz or "UTC"))
        except Exception:  # noqa: BLE001
            local = at
        return format_html(
            '<time datetime="{}" data-absolute>{}</time>',
            at.isoformat(),
            local.strftime("%b %-d, %Y %H:%M"),
        )
    if kind == "Url":
        text = str(value)
        if not text.startswith(("http://", "https://")):
            return format_html("{}", text)
        short = text.split("://", 1)[1]
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
            text,
            short if len(short) < 40 else short[:38] + "…",
        )
    if kind == "Tree":
        return format_html('<span class="tree-path">{}</span>', tree_path(value, definition))
    if kind == "Num":
        if definition and definition.get("enumLabels"):
            return format_html('<span class="num">{}</span>', enum_label(value, definition))
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, int):
                text = f"{value:,}"
            else:
                text = f"{value:,.2f}".rstrip("0").rstrip(".")
            return format_html('<span class="num">{}</span>', text)
        return format_html("{}", value)
    if kind == "Obj" and isinstance(value, dict):
        return format_html(
            '<span class="obj">{}</span>',
            format_html_join(
                "",
                '<span class="obj-item"><span class="muted">{}:</span> {}</span>',
                (
                    (k, v if not isinstance(v, list) else ", ".join(map(str, v)))
                    for k, v in value.items()
                ),
            ),
        )
    if definition and definition.get("enum"):
        return format_html('<span class="enum">{}</span>', enum_label(value, definition))
    return format_html("{}", value)


def icon_for(definition, kind):
    icon = (definition or {}).get("icon") or ""
    return ICON_GLYPHS.get(icon, TYPE_GLYPHS.get(kind, "•"))


def attribute_rows(custom, properties, tz="UTC"):
    """[{name, label, kind, icon, color, html, value}] for the defined attributes (in definition
    order), then any values without a definition."""
    custom = custom or {}
    out = []
    names = [n for n, d in properties.items() if not (d or {}).get("hidden")]
    names += [n for n in custom if n not in properties]
    for name in names:
        definition = properties.get(name) or {}
        kind = type_of(name, definition)
        value = custom.get(name)
        out.append(
            {
                "name": name,
                "label": definition.get("displayName") or default_display_name_safe(name),
                "kind": kind,
                "icon": icon_for(definition, kind),
                "color": definition.get("color") or "",
                "html": format_value(value, kind, definition, tz),
                "value": value,
                "readonly": bool(definition.get("readOnly")),
            }
        )
    return out


def default_display_name_safe(name):
    try:
        return default_display_name(name)
    except Exception:  # noqa: BLE001
        return name


# ---- inline edit --------------------------------------------------------------------------


def widget(name, value, definition, tz="UTC"):
    """{type, value, options} describing the form control for one attribute."""
    kind = type_of(name, definition)
    if definition.get("enum"):
        options = [(str(v), enum_label(v, definition)) for v in definition["enum"]]
        return {"type": "select", "value": "" if value is None else str(value), "options": options}
    if kind == "Bool":
        options = [("true", "Yes"), ("false", "No")]
        chosen = "" if value is None else ("true" if value else "false")
        return {"type": "select", "value": chosen, "options": options}
    if kind == "Tree":
        labels = tree_labels(definition)
        tree = definition.get("tree")
        last_required = isinstance(tree, dict) and bool(tree.get("lastNodeRequired"))
        options = [(k, v[0]) for k, v in labels.items() if v[1] or not last_required]
        chosen = (
            ".".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        )
        return {"type": "select", "value": chosen, "options": options}
    if kind == "At":
        at = _parse_at(value) if value else None
        text = ""
        if at is not None:
            try:
                text = at.astimezone(ZoneInfo(tz or "UTC")).strftime("%Y-%m-%dT%H:%M")
            except Exception:  # noqa: BLE001
                text = at.strftime("%Y-%m-%dT%H:%M")
        return {"type": "datetime-local", "value": text, "tz": tz}
    if kind == "Num":
        return {"type": "number", "value": "" if value is None else value}
    if kind == "Url":
        return {"type": "url", "value": value or ""}
    if kind == "Txt":
        return {"type": "textarea", "value": value or ""}
    if kind == "Obj":
        return {"type": "textarea", "value": json.dumps(value, indent=1) if value else ""}
    return {"type": "text", "value": "" if value is None else value}


def parse_input(name, raw, definition, tz="UTC"):
    """The JSON value a form string stands for; ill-typed input is passed on as the string so
    the engine names the problem. Empty means "clear" (None)."""
    kind = type_of(name, definition)
    raw = (raw or "").strip()
    if raw == "":
        return None
    if kind == "Num":
        try:
            number = float(raw)
        except ValueError:
            return raw
        return int(number) if number.is_integer() and "." not in raw else number
    if kind == "Bool":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    if kind == "At":
        try:
            local = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        if local.tzinfo is None:
            try:
                local = local.replace(tzinfo=ZoneInfo(tz or "UTC"))
            except Exception:  # noqa: BLE001
                local = local.replace(tzinfo=UTC)
        return local.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if kind == "Obj":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw
