"""The insights panel's attributes: type-aware display and inline-edit widgets.

An attribute's type comes from its definition (or its name's suffix, as the engine does). The
display is built here as small safe HTML so that every page and partial formats values alike:
Tree as a path of displayNames, Bool as a check, At in the agent's zone (with the year when it
is not this year), Url as a link opened in a new tab with rel=noopener, Num with separators,
enums with their labels.

Array and multi attributes edit as a list: checkboxes when the values come from an enum or a
tree, one value per line otherwise (JSON for Obj items); the form's value is parsed into a list
before the engine sees it, and the engine's errors per item are named by item.
"""

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from klasses.schema.types import UnknownAttributeType, attribute_type, default_display_name

EMPTY = mark_safe('<span class="muted">—</span>')

# Feather-style icon names an admin may put in metadata → our inline SVG icon (never a font
# glyph: symbols like ⌗ or ◷ are missing from many fonts and render as empty boxes).
ICON_SVGS = {
    "hash": "hash",
    "star": "star",
    "award": "star",
    "dollar-sign": "dollar",
    "calendar": "calendar",
    "clock": "clock",
    "link": "link",
    "check": "check",
    "tag": "tag",
    "user": "user",
    "mail": "email",
    "phone": "voice",
    "globe": "globe",
    "map-pin": "pin",
    "shopping-bag": "bag",
    "repeat": "repeat",
    "heart": "heart",
    "flag": "flag",
}
# Per type: short text (every font has these letters) or an SVG icon name (prefixed "svg:").
TYPE_GLYPHS = {
    "Str": "Aa",
    "Txt": "Aa",
    "Num": "#",
    "At": "svg:clock",
    "Bool": "svg:check",
    "Url": "svg:link",
    "Id": "id",
    "Obj": "{}",
    "Tree": "svg:tree",
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


def _zone(tz):
    try:
        return ZoneInfo(tz or "UTC")
    except Exception:  # noqa: BLE001  (an unknown or malformed zone name reads as UTC)
        return UTC


def local_input(value, tz="UTC", sep="T"):
    """A datetime as the agent types it back: `YYYY-MM-DDTHH:MM` in their zone (a
    datetime-local value), with seconds and milliseconds only when set, so a form saved
    without touching it parses back to the same instant. "" for no value."""
    at = _parse_at(value) if value else None
    if at is None:
        return ""
    local = at.astimezone(_zone(tz))
    text = local.strftime(f"%Y-%m-%d{sep}%H:%M")
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
        if local.microsecond:
            text += f".{local.microsecond // 1000:03d}"
    return text


def input_step(text):
    """The step a datetime-local input needs so that its value (with seconds or milliseconds,
    see local_input) is a valid one the browser keeps and submits; None for whole minutes."""
    if "." in text:
        return "0.001"
    return "1" if len(text) > 16 else None


def local_display(at, tz):
    """(text, title) of an instant in the agent's zone: "Mar 4, 09:30" this year,
    "Mar 4, 2031, 09:30" otherwise; the title adds the weekday, seconds and zone."""
    zone = _zone(tz)
    local = at.astimezone(zone)
    day = f"{local:%b} {local.day}"
    if local.year != timezone.now().astimezone(zone).year:
        day += f", {local.year}"
    text = f"{day}, {local:%H:%M}"
    title = f"{local:%a} {day}, {local:%H:%M:%S} {local.tzname() or tz}"
    return text, title


def wake_text(at, tz):
    """A snooze's wake time as agents read it: "Mon 15 Jan, 09:00" in their zone `tz` (with
    the year when it is not this one: "Mon 15 Jan 2031, 09:00"); "" for no time."""
    at = _parse_at(at) if at else None
    if at is None:
        return ""
    zone = _zone(tz)
    local = at.astimezone(zone)
    day = f"{local:%a} {local.day} {local:%b}"
    if local.year != timezone.now().astimezone(zone).year:
        day += f" {local.year}"
    return f"{day}, {local:%H:%M}"


def wake_html(at, tz=None):
    """`until Mon 15 Jan, 09:00` as a <time>: in `tz` when the renderer knows the agent; a
    fragment pushed to every agent alike (tz None) is written in UTC and the page script
    rewrites it in the zone the page names (data-wake, see kdesk.js)."""
    parsed = _parse_at(at) if at else None
    if parsed is None:
        return ""
    text = wake_text(parsed, tz or "UTC") + ("" if tz else " UTC")
    return format_html(
        '<time class="wake" datetime="{}" data-absolute data-wake>until {}</time>',
        parsed.astimezone(UTC).isoformat(),
        text,
    )


def is_list(definition):
    definition = definition or {}
    return bool(definition.get("array") or definition.get("multi"))


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


def format_number(value):
    """1234567 → "1,234,567"; 1234.5 → "1,234.5"; 0.0025 → "0.0025" (no rounding away)."""
    if isinstance(value, int):
        return f"{value:,}"
    try:
        number = Decimal(repr(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,f}"


def format_value(value, kind, definition=None, tz=None):
    """Safe HTML for one attribute value. `tz` is the agent's zone: At values are then written
    in it; without one (fragments pushed to every agent alike) they are a <time> the browser
    localises."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list) and (kind != "Tree" or is_list(definition)):
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
        if tz is None:
            local = at.astimezone(UTC)
            return format_html(
                '<time datetime="{}" data-absolute>{}</time>',
                at.isoformat(),
                f"{local:%b} {local.day}, {local:%Y %H:%M}",
            )
        # Not a <time datetime>: the page script would rewrite that in the browser's zone.
        text, title = local_display(at, tz)
        return format_html(
            '<span class="at" data-at="{}" title="{}">{}</span>', at.isoformat(), title, text
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
            if definition and definition.get("currency"):
                return format_html('<span class="num money">{}</span>', money(value, definition))
            return format_html('<span class="num">{}</span>', format_number(value))
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


ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF"})


def money(value, definition):
    """A Num attribute whose metadata names a `currency` (ISO 4217) reads as money: "$1,234.50",
    "€0.99", "¥1,200", or "1,234.50 CHF" where there is no common symbol; always the
    currency's decimals (two, none for yen and the like), rounded half away from zero."""
    from decimal import ROUND_HALF_UP

    from klasses.kviews import CURRENCY_SYMBOLS

    code = definition["currency"]
    places = 0 if code in ZERO_DECIMAL else 2
    amount = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    number = f"{abs(amount):,.{places}f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"


def icon_for(definition, kind):
    """Safe HTML of an attribute's icon: its metadata icon, else its type's."""
    from timeline.templatetags.desk import icon

    name = ICON_SVGS.get((definition or {}).get("icon") or "")
    glyph = TYPE_GLYPHS.get(kind, "Aa")
    if name is None and glyph.startswith("svg:"):
        name = glyph[4:]
    if name:
        return icon(name)
    return format_html("{}", glyph)


def attribute_rows(custom, properties, tz=None):
    """[{name, label, kind, icon, color, html, value}] for the defined attributes (in the admin's
    order, then definition order), then any values without a definition."""
    custom = custom or {}
    out = []
    names = [n for n, d in properties.items() if not (d or {}).get("hidden")]
    # the admin's order (settings → attributes); jsonb keeps no key order
    names.sort(key=lambda n: _position(properties[n]))
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


def _position(definition):
    position = (definition or {}).get("position") if isinstance(definition, dict) else None
    return (0, position) if isinstance(position, int) else (1, 0)


def default_display_name_safe(name):
    try:
        return default_display_name(name)
    except Exception:  # noqa: BLE001
        return name


# ---- inline edit --------------------------------------------------------------------------


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
            local = local.replace(tzinfo=_zone(tz))
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


def _item_label(index, items):
    label = f"Item {index + 1}"
    if isinstance(items, list) and index < len(items):
        shown = items[index]
        shown = shown if isinstance(shown, str) else json.dumps(shown)
        if len(shown) > 40:
            shown = shown[:39] + "…"
        label += f" (“{shown}”)"
    return label


def field_errors(fields, key, items=None, label=None):
    """The engine's messages for one field (`fields` is {dotted pointer: [detail]}, as the
    views build it): its own, then one per failing item, named "Item 2 (“x”): …". With a
    `label`, a message that starts with the attribute's name (`tierStr must …`) starts with
    the label people see instead (`Tier must …`)."""
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
            where = _item_label(index, items) + (f" {rest.replace('.', '/')}" if rest else "")
            found.append((index, f"{where}: {text}"))
    out.extend(text for _, text in sorted(found, key=lambda f: f[0]))
    return out


def error_messages(fields, other, key, items=None, label=None):
    """Every message of a failed save, the field's own first (items named), then the rest."""
    own = field_errors(fields, key, items, label)
    rest = [
        d
        for pointer, details in fields.items()
        if pointer != key and not pointer.startswith(key + ".")
        for d in details
    ]
    return own + rest + list(other)
