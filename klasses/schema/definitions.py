"""Attribute definitions: the metadata an admin sets per attribute, checked and normalised."""

import re
from dataclasses import dataclass

from klasses.schema.types import (
    SCALAR_CLEANERS,
    STR_MAX,
    TREE_DEPTH,
    TXT_MAX,
    Invalid,
    UnknownAttributeType,
    attribute_type,
    default_display_name,
)

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
KNOWN_KEYS = {
    "displayName",
    "default",
    "array",
    "multi",
    "enum",
    "enumLabels",
    "min",
    "max",
    "minLength",
    "maxLength",
    "required",
    "icon",
    "color",
    "tree",
    "properties",
    "hidden",
    "readOnly",
    "description",
    "type",
}
OBJ_PROPERTY_TYPES = ("Str", "Txt", "Num", "At", "Bool", "Url", "Id")


@dataclass(frozen=True)
class Error:
    pointer: str
    code: str
    detail: str


def _is_num(v):
    return isinstance(v, int | float) and not isinstance(v, bool)


def _tree_nodes(nodes, pointer, depth, errors):
    out = []
    if not isinstance(nodes, list):
        errors.append(Error(pointer, "invalid", "Tree nodes must be a list."))
        return out
    if depth > TREE_DEPTH:
        errors.append(Error(pointer, "depth", f"A tree may be at most {TREE_DEPTH} levels deep."))
        return out
    seen = set()
    for i, node in enumerate(nodes):
        p = f"{pointer}/{i}"
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
            errors.append(Error(p, "invalid", "A tree node is {id, displayName, children}."))
            continue
        if "." in node["id"]:
            errors.append(Error(f"{p}/id", "invalid", "A node id may not contain '.'."))
        if node["id"] in seen:
            errors.append(Error(f"{p}/id", "duplicate", f"Node id {node['id']!r} repeats."))
        seen.add(node["id"])
        out.append(
            {
                "id": node["id"],
                "displayName": str(node.get("displayName") or node["id"]),
                "children": _tree_nodes(
                    node.get("children", []), f"{p}/children", depth + 1, errors
                ),
            }
        )
    return out


def normalize_definition(name, raw, *, pointer=None):
    """(definition, errors) for one attribute's metadata; every problem named by its key."""
    pointer = pointer if pointer is not None else f"/properties/{name}"
    errors = []
    try:
        kind = attribute_type(name)
    except UnknownAttributeType as exc:
        return None, [Error(pointer, "unknown_type", str(exc))]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return None, [Error(pointer, "invalid", "A definition is an object of metadata.")]
    for key in raw:
        if key not in KNOWN_KEYS:
            errors.append(
                Error(
                    f"{pointer}/{key}",
                    "unknown",
                    f"Unknown metadata '{key}'. Known: {', '.join(sorted(KNOWN_KEYS - {'type'}))}.",
                )
            )
    d = {"name": name, "type": kind}
    d["displayName"] = raw.get("displayName") or default_display_name(name)
    if not isinstance(d["displayName"], str) or len(d["displayName"]) > 255:
        errors.append(Error(f"{pointer}/displayName", "invalid", "displayName is a short string."))
    for flag in ("array", "multi", "required", "hidden", "readOnly"):
        value = raw.get(flag, False)
        if not isinstance(value, bool):
            errors.append(Error(f"{pointer}/{flag}", "invalid", f"{flag} is true or false."))
        d[flag] = bool(value) if isinstance(value, bool) else False
    for text_key in ("icon", "description"):
        if raw.get(text_key) is not None:
            if not isinstance(raw[text_key], str) or len(raw[text_key]) > 1024:
                errors.append(Error(f"{pointer}/{text_key}", "invalid", f"{text_key} is a string."))
            else:
                d[text_key] = raw[text_key]
    if raw.get("color") is not None:
        if not isinstance(raw["color"], str) or not COLOR_RE.match(raw["color"]):
            errors.append(Error(f"{pointer}/color", "invalid", "color is #rrggbb."))
        else:
            d["color"] = raw["color"].lower()

    if "enum" in raw and raw["enum"] is not None:
        enum = raw["enum"]
        labels = {}
        if kind not in ("Str", "Num"):
            errors.append(Error(f"{pointer}/enum", "invalid", "enum applies to Str and Num only."))
        elif not isinstance(enum, list) or not enum:
            errors.append(Error(f"{pointer}/enum", "invalid", "enum is a non-empty list."))
        else:
            values = []
            for i, item in enumerate(enum):
                if isinstance(item, dict):
                    labels[str(item.get("value"))] = str(item.get("displayName", item.get("value")))
                    item = item.get("value")
                try:
                    values.append(SCALAR_CLEANERS[kind](item))
                except Invalid as exc:
                    errors.append(
                        Error(f"{pointer}/enum/{i}", exc.code, f"enum value {exc.detail}")
                    )
            if len(set(map(repr, values))) != len(values):
                errors.append(Error(f"{pointer}/enum", "duplicate", "enum values repeat."))
            d["enum"] = values
            if labels:
                d["enumLabels"] = labels
    if d["multi"] and "enum" not in d:
        errors.append(Error(f"{pointer}/multi", "invalid", "multi needs an enum to choose from."))

    for bound in ("min", "max"):
        if raw.get(bound) is not None:
            if kind != "Num":
                errors.append(Error(f"{pointer}/{bound}", "invalid", f"{bound} applies to Num."))
            elif not _is_num(raw[bound]):
                errors.append(Error(f"{pointer}/{bound}", "invalid", f"{bound} is a number."))
            else:
                d[bound] = raw[bound]
    if "min" in d and "max" in d and d["min"] > d["max"]:
        errors.append(Error(f"{pointer}/min", "invalid", "min is greater than max."))
    cap = {"Str": STR_MAX, "Txt": TXT_MAX}.get(kind)
    for bound in ("minLength", "maxLength"):
        if raw.get(bound) is not None:
            value = raw[bound]
            if cap is None:
                errors.append(
                    Error(f"{pointer}/{bound}", "invalid", f"{bound} applies to Str and Txt.")
                )
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= cap:
                errors.append(
                    Error(
                        f"{pointer}/{bound}", "invalid", f"{bound} is an integer from 0 to {cap}."
                    )
                )
            else:
                d[bound] = value
    if d.get("minLength", 0) > d.get("maxLength", cap or 0) and "maxLength" in d:
        errors.append(
            Error(f"{pointer}/minLength", "invalid", "minLength is greater than maxLength.")
        )

    if raw.get("tree") is not None:
        tree = raw["tree"]
        if kind != "Tree":
            errors.append(Error(f"{pointer}/tree", "invalid", "tree applies to Tree attributes."))
        elif not isinstance(tree, dict):
            errors.append(Error(f"{pointer}/tree", "invalid", "tree is {nodes, lastNodeRequired}."))
        else:
            last = tree.get("lastNodeRequired", False)
            if not isinstance(last, bool):
                errors.append(
                    Error(f"{pointer}/tree/lastNodeRequired", "invalid", "true or false.")
                )
            d["tree"] = {
                "nodes": _tree_nodes(tree.get("nodes", []), f"{pointer}/tree/nodes", 1, errors),
                "lastNodeRequired": bool(last) if isinstance(last, bool) else False,
            }
    if raw.get("properties") is not None:
        props = raw["properties"]
        if kind != "Obj":
            errors.append(Error(f"{pointer}/properties", "invalid", "properties apply to Obj."))
        elif not isinstance(props, dict):
            errors.append(Error(f"{pointer}/properties", "invalid", "properties is an object."))
        else:
            out = {}
            for prop, spec in props.items():
                ptype = spec.get("type") if isinstance(spec, dict) else None
                if ptype not in OBJ_PROPERTY_TYPES:
                    errors.append(
                        Error(
                            f"{pointer}/properties/{prop}",
                            "invalid",
                            f"A property type is one of {', '.join(OBJ_PROPERTY_TYPES)}.",
                        )
                    )
                    continue
                out[prop] = {"type": ptype, "required": bool(spec.get("required", False))}
            d["properties"] = out

    if "default" in raw and raw["default"] is not None and not errors:
        from klasses.schema.validator import compile_attribute

        check = compile_attribute(d)
        sink = []
        cleaned = check(raw["default"], f"{pointer}/default", sink)
        if sink:
            errors.extend(Error(e.pointer, e.code, f"default {e.detail}") for e in sink)
        else:
            d["default"] = cleaned
    return (d if not errors else None), errors


def normalize_definitions(raw_properties, *, pointer="/properties"):
    """Normalise a `{name: metadata}` map; returns (definitions, errors)."""
    if not isinstance(raw_properties, dict):
        return {}, [Error(pointer, "invalid", "properties is an object of attribute definitions.")]
    out, errors = {}, []
    for name, raw in raw_properties.items():
        d, errs = normalize_definition(name, raw, pointer=f"{pointer}/{name}")
        errors.extend(errs)
        if d is not None:
            out[name] = d
    return out, errors
