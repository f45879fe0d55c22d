"""The insights panel's attributes: type-aware display (the inline-edit forms are
timeline.attr_forms).

An attribute's type comes from its definition (or its name's suffix, as the engine does). The
display is built here as small safe HTML so that every page and partial formats values alike:
Tree as a path of displayNames, Bool as a check, At in the agent's zone (with the year when it
is not this year), Url as a link opened in a new tab with rel=noopener, Num with separators,
enums with their labels.
"""

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


def zone_info(tz):
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
    local = at.astimezone(zone_info(tz))
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
    zone = zone_info(tz)
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
    zone = zone_info(tz)
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
