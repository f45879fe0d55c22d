"""Attribute definitions: the metadata an admin sets per attribute, checked and normalised.

A normalised definition (what normalize_definition returns and what compile_validator reads):

    {"name": "sizesStr", "type": "Str", "displayName": "Sizes",
     "array": False, "multi": True, "required": False, "hidden": False, "readOnly": False,
     # only when set:
     "description": str, "icon": str, "color": "#rrggbb",
     "enum": ["S", "M"], "enumLabels": {"S": "Small"},      # Str/Txt/Num/Url; labels by str(value)
     "min": 0, "max": 10,                                   # Num
     "minLength": 1, "maxLength": 40,                       # Str/Txt
     "currency": "EUR",                                     # Num: money in this ISO 4217 code
     "position": 0,                                         # the admin's order
     "tree": {"nodes": [{"id", "displayName", "children": [...]}], "lastNodeRequired": bool},
     "lastNodeRequired": bool,                             # Tree: tree's, at the top as well
     "properties": {"qty": {"type": "Num", "displayName": "Qty", "required": False,
                            "array": False}},               # Obj
     "default": <a stored value that passes the definition itself>}

`name` and `type` may be sent back as they were read (they must match the attribute name).
"""

import math
import re

from klasses.schema.errors import Error, Invalid, Invalids, UnknownAttributeType, escape_pointer
from klasses.schema.types import (
    NODE_ID_MAX,
    STR_MAX,
    TREE_DEPTH,
    TXT_MAX,
    attribute_type,
    default_display_name,
)
from klasses.schema.validator import ENUM_TYPES, compile_attribute

COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")
FLAGS = ("array", "multi", "required", "hidden", "readOnly")
KNOWN_KEYS = frozenset(
    {
        "name",
        "type",
        "displayName",
        "description",
        "default",
        *FLAGS,
        "enum",
        "enumLabels",
        "min",
        "max",
        "minLength",
        "maxLength",
        "icon",
        "color",
        "tree",
        "properties",
        "lastNodeRequired",
        "currency",
        "position",
    }
)
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
# The reference gives these types a multi flag (a list of distinct values, from the enum when
# there is one) and these an enumeration.
MULTI_TYPES = ("Str", "Txt", "Num", "Bool", "Url", "Obj")
TREE_KEYS = frozenset({"nodes", "lastNodeRequired"})
NODE_KEYS = frozenset({"id", "displayName", "children"})
PROPERTY_KEYS = frozenset({"type", "displayName", "required", "array"})
OBJ_PROPERTY_TYPES = ("Str", "Txt", "Num", "At", "Bool", "Url", "Id")
ENUM_MAX = 1000
DISPLAY_NAME_MAX = 255
ICON_MAX = 255
DESCRIPTION_MAX = 1024


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _short_text(value, limit):
    return isinstance(value, str) and 0 < len(value) <= limit and "\x00" not in value


class _Collector:
    def __init__(self, pointer):
        self.pointer = pointer
        self.errors = []

    def __call__(self, at, code, detail):
        self.errors.append(Error(f"{self.pointer}/{at}", code, detail))


def _tree(tree, err):
    if not isinstance(tree, dict):
        err("tree", "invalid", "tree is an object {nodes, lastNodeRequired}.")
        return None
    for key in tree:
        if key not in TREE_KEYS:
            err(f"tree/{escape_pointer(key)}", "unknown", f"Unknown tree key '{key}'.")
    last = tree.get("lastNodeRequired", False)
    if last is None:
        last = False
    if not isinstance(last, bool):
        err("tree/lastNodeRequired", "invalid", "tree lastNodeRequired is true or false.")
    nodes = tree.get("nodes")
    return {
        "nodes": _tree_nodes([] if nodes is None else nodes, "tree/nodes", 1, err),
        "lastNodeRequired": last is True,
    }


def _tree_nodes(nodes, at, depth, err):
    if not isinstance(nodes, list):
        err(at, "invalid", "tree nodes are a list of {id, displayName, children}.")
        return []
    if nodes and depth > TREE_DEPTH:
        err(at, "depth", f"tree nodes may be at most {TREE_DEPTH} levels deep.")
        return []
    out, seen = [], set()
    for i, node in enumerate(nodes):
        here = f"{at}/{i}"
        if not isinstance(node, dict):
            err(here, "invalid", "a tree node is an object {id, displayName, children}.")
            continue
        for key in node:
            if key not in NODE_KEYS:
                err(f"{here}/{escape_pointer(key)}", "unknown", f"Unknown tree node key '{key}'.")
        node_id = node.get("id")
        if not _short_text(node_id, NODE_ID_MAX) or "." in node_id:
            err(
                f"{here}/id",
                "invalid",
                f"a tree node id is a non-empty string of at most {NODE_ID_MAX} characters "
                "without '.'.",
            )
            continue
        if node_id in seen:
            err(f"{here}/id", "duplicate", f"tree node id '{node_id}' repeats at this level.")
        seen.add(node_id)
        label = node.get("displayName")
        if label is None or label == "":
            label = node_id
        elif not _short_text(label, DISPLAY_NAME_MAX):
            err(f"{here}/displayName", "invalid", "a tree node displayName is a short string.")
            label = node_id
        children = node.get("children")
        out.append(
            {
                "id": node_id,
                "displayName": label,
                "children": _tree_nodes(
                    [] if children is None else children, f"{here}/children", depth + 1, err
                ),
            }
        )
    return out


def _properties(props, err):
    if not isinstance(props, dict):
        err("properties", "invalid", "properties is an object {name: {type, ...}}.")
        return None
    out = {}
    for prop, spec in props.items():
        here = f"properties/{escape_pointer(prop)}"
        if not _short_text(prop, STR_MAX):
            err(here, "invalid", "a property name is a non-empty string.")
            continue
        if not isinstance(spec, dict):
            err(here, "invalid", "a property is an object {type, displayName, required, array}.")
            continue
        for key in spec:
            if key not in PROPERTY_KEYS:
                err(f"{here}/{escape_pointer(key)}", "unknown", f"Unknown property key '{key}'.")
        kind = spec.get("type")
        if kind is None:
            try:
                kind = attribute_type(prop)
            except UnknownAttributeType:
                kind = None
        if kind not in OBJ_PROPERTY_TYPES:
            err(
                f"{here}/type",
                "invalid",
                f"a property type is one of {', '.join(OBJ_PROPERTY_TYPES)}.",
            )
            continue
        flags = {}
        for flag in ("required", "array"):
            value = spec.get(flag)
            if value is not None and not isinstance(value, bool):
                err(f"{here}/{flag}", "invalid", f"property {flag} is true or false.")
            flags[flag] = value is True
        label = spec.get("displayName")
        if label is None or label == "":
            label = default_display_name(prop)
        elif not _short_text(label, DISPLAY_NAME_MAX):
            err(f"{here}/displayName", "invalid", "a property displayName is a short string.")
        out[prop] = {"type": kind, "displayName": label, **flags}
    return out


def _enum(raw, kind, d, err):
    """(values, labels) from `[value, ...]` or `[{value, displayName}, ...]` plus enumLabels."""
    enum = raw.get("enum")
    if kind not in ENUM_TYPES:
        err("enum", "invalid", f"enum applies to {', '.join(ENUM_TYPES)} attributes only.")
        return None, None
    if not isinstance(enum, list) or not enum or len(enum) > ENUM_MAX:
        err("enum", "invalid", f"enum is a non-empty list of at most {ENUM_MAX} values.")
        return None, None
    # Members must also pass min/max and lengths, or they could never be chosen.
    member = compile_attribute({k: v for k, v in d.items() if k not in ("array", "multi")})
    values, labels, seen = [], {}, set()
    for i, item in enumerate(enum):
        label = None
        if isinstance(item, dict):
            extra = set(item) - {"value", "displayName"}
            if extra:
                err(f"enum/{i}", "unknown", f"enum items are {{value, displayName}}: {extra}.")
            label = item.get("displayName")
            item = item.get("value")
        if item is None or item == "":
            err(f"enum/{i}", "invalid", "enum values may not be empty.")
            continue
        try:
            value = member(item)
        except (Invalid, Invalids) as exc:
            detail = exc.detail if isinstance(exc, Invalid) else exc.found[0][2]
            err(f"enum/{i}", "invalid", f"enum value {item!r} {detail}")
            continue
        if value in seen:
            err(f"enum/{i}", "duplicate", f"enum value {value!r} repeats.")
            continue
        seen.add(value)
        values.append(value)
        if label is not None and label != "":
            if not _short_text(label, DISPLAY_NAME_MAX):
                err(f"enum/{i}/displayName", "invalid", "an enum displayName is a short string.")
            else:
                labels[str(value)] = label
    given = raw.get("enumLabels")
    if given is not None:
        if not isinstance(given, dict):
            err("enumLabels", "invalid", "enumLabels is an object {value: label}.")
        else:
            keys = {str(v) for v in values}
            for key, label in given.items():
                here = f"enumLabels/{escape_pointer(key)}"
                if key not in keys:
                    err(here, "invalid", f"enumLabels names {key!r}, which is not in enum.")
                elif not _short_text(label, DISPLAY_NAME_MAX):
                    err(here, "invalid", "an enum label is a short string.")
                else:
                    labels.setdefault(key, label)
    return values, labels


def normalize_definition(name, raw, *, pointer=None):
    """(definition, errors) for one attribute's metadata; each error's pointer ends in the key
    at fault. The definition is None when there are errors."""
    pointer = pointer if pointer is not None else f"/properties/{escape_pointer(name)}"
    try:
        kind = attribute_type(name)
    except UnknownAttributeType as exc:
        return None, [Error(pointer, "unknown_type", str(exc))]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, [Error(pointer, "invalid", "A definition is an object of metadata.")]
    err = _Collector(pointer)
    for key in raw:
        if key not in KNOWN_KEYS:
            err(
                escape_pointer(key),
                "unknown",
                f"Unknown metadata '{key}'. Known: {', '.join(sorted(KNOWN_KEYS))}.",
            )
    if raw.get("name") is not None and raw["name"] != name:
        err("name", "invalid", f"name is the attribute's own name, '{name}'.")
    if raw.get("type") is not None and raw["type"] != kind:
        err("type", "invalid", f"type comes from the name's suffix: '{kind}' for {name}.")

    d = {"name": name, "type": kind}
    label = raw.get("displayName")
    if label is None or label == "":
        label = default_display_name(name)
    elif not _short_text(label, DISPLAY_NAME_MAX):
        err("displayName", "invalid", f"displayName is a string of 1-{DISPLAY_NAME_MAX} chars.")
    d["displayName"] = label
    for flag in FLAGS:
        value = raw.get(flag)
        if value is not None and not isinstance(value, bool):
            err(flag, "invalid", f"{flag} is true or false.")
        d[flag] = value is True
    for key, limit in (("icon", ICON_MAX), ("description", DESCRIPTION_MAX)):
        value = raw.get(key)
        if value is not None and value != "":
            if not _short_text(value, limit):
                err(key, "invalid", f"{key} is a string of at most {limit} characters.")
            else:
                d[key] = value
    color = raw.get("color")
    if color is not None and color != "":
        if not isinstance(color, str) or not COLOR_RE.match(color):
            err("color", "invalid", "color is a hex colour #rrggbb.")
        else:
            d["color"] = color.lower()

    for bound in ("min", "max"):
        value = raw.get(bound)
        if value is None:
            continue
        if kind != "Num":
            err(bound, "invalid", f"{bound} applies to Num attributes only.")
        elif not _is_number(value):
            err(bound, "invalid", f"{bound} is a finite number.")
        else:
            d[bound] = value
    if "min" in d and "max" in d and d["min"] > d["max"]:
        err("min", "invalid", f"min ({d['min']}) is greater than max ({d['max']}).")
    position = raw.get("position")
    if position is not None:
        # the admin's order (settings, insights panel); jsonb keeps no key order
        if type(position) is not int or position < 0:
            err("position", "invalid", "position is a whole number from 0.")
        else:
            d["position"] = position
    currency = raw.get("currency")
    if currency is not None and currency != "":
        if kind != "Num":
            err("currency", "invalid", "currency applies to Num attributes only.")
        elif not isinstance(currency, str) or not CURRENCY_RE.match(currency):
            err("currency", "invalid", "currency is an ISO 4217 code such as USD or EUR.")
        else:
            d["currency"] = currency
    cap = {"Str": STR_MAX, "Txt": TXT_MAX}.get(kind)
    for bound in ("minLength", "maxLength"):
        value = raw.get(bound)
        if value is None:
            continue
        if cap is None:
            err(bound, "invalid", f"{bound} applies to Str and Txt attributes only.")
        elif type(value) is not int or not 0 <= value <= cap:
            err(bound, "invalid", f"{bound} is an integer from 0 to {cap} for {kind}.")
        else:
            d[bound] = value
    if "minLength" in d and "maxLength" in d and d["minLength"] > d["maxLength"]:
        err(
            "minLength",
            "invalid",
            f"minLength ({d['minLength']}) is greater than maxLength ({d['maxLength']}).",
        )

    if raw.get("enum") is not None:
        values, labels = _enum(raw, kind, d, err)
        if values:
            d["enum"] = values
        if labels:
            d["enumLabels"] = labels
    elif raw.get("enumLabels") is not None:
        err("enumLabels", "invalid", "enumLabels needs an enum.")
    if d["multi"] and kind not in MULTI_TYPES:
        err("multi", "invalid", f"multi applies to {', '.join(MULTI_TYPES)} attributes only.")

    last = raw.get("lastNodeRequired")
    if last is not None:
        # the reference writes it at the definition's top level; it is stored in `tree`
        if kind != "Tree":
            err("lastNodeRequired", "invalid", "lastNodeRequired applies to Tree attributes.")
        elif not isinstance(last, bool):
            err("lastNodeRequired", "invalid", "lastNodeRequired is true or false.")
        elif isinstance(raw.get("tree"), dict) and raw["tree"].get("lastNodeRequired") not in (
            None,
            last,
        ):
            err("lastNodeRequired", "invalid", "lastNodeRequired differs from tree's.")
    if raw.get("tree") is not None or (kind == "Tree" and isinstance(last, bool)):
        if kind != "Tree":
            err("tree", "invalid", "tree applies to Tree attributes only.")
        else:
            given = raw.get("tree")
            if isinstance(given, dict) and isinstance(last, bool):
                given = {**given, "lastNodeRequired": last}
            elif given is None:
                given = {"nodes": [], "lastNodeRequired": last}
            tree = _tree(given, err)
            if tree is not None:
                d["tree"] = tree
                d["lastNodeRequired"] = tree["lastNodeRequired"]
    if raw.get("properties") is not None:
        if kind != "Obj":
            err("properties", "invalid", "properties apply to Obj attributes only.")
        else:
            props = _properties(raw["properties"], err)
            if props:
                d["properties"] = props

    default = raw.get("default")
    if default is not None and default != "" and not err.errors:
        try:
            d["default"] = compile_attribute(d)(default)
        except Invalid as exc:
            err(f"default{exc.at}", exc.code, f"default {exc.detail}")
        except Invalids as exc:
            for at, code, detail in exc.found:
                err(f"default{at}", code, f"default {detail}")
    if err.errors:
        return None, err.errors
    return d, []


def normalize_definitions(raw_properties, *, pointer="/properties"):
    """Normalise a `{name: metadata}` map; returns (definitions, errors). Definitions with
    errors are left out of the map."""
    if not isinstance(raw_properties, dict):
        return {}, [Error(pointer, "invalid", "properties is an object of attribute definitions.")]
    out, errors = {}, []
    for name, raw in raw_properties.items():
        d, errs = normalize_definition(name, raw, pointer=f"{pointer}/{escape_pointer(name)}")
        errors.extend(errs)
        if d is not None:
            out[name] = d
    return out, errors
