"""Kustomer's rich text for shortcuts: a Draft.js content document
`{blocks: [{key, text, type, depth, inlineStyleRanges, entityRanges, data}], entityMap: {}}`.

kdesk composes plain text; the document is what the API stores and returns so that a client
written for Kustomer reads back exactly the blocks (styles, entities) it sent.
"""

import secrets
import string

from kdesk.errors import FieldError
from kdesk.payload import integral
from kdesk.text import NOT_BLANK_PATTERN, NUL, nul_detail

MAX_BLOCKS = 500
MAX_TEXT = 20_000
_KEY_ALPHABET = string.ascii_lowercase + string.digits


def new_key():
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(5))


def block(text, key=None):
    return {
        "key": key or new_key(),
        "text": text,
        "type": "unstyled",
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": [],
        "data": {},
    }


def from_text(text):
    """One unstyled block per line."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {"blocks": [block(line) for line in lines], "entityMap": {}}


def to_text(doc):
    return "\n".join(b.get("text", "") for b in (doc or {}).get("blocks", ()))


def _ranges(value, pointer, fields, errors):
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError(pointer, "type", "must be a list."))
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(FieldError(f"{pointer}/{i}", "type", "must be an object."))
            continue
        clean = {}
        for name, kinds in fields.items():
            v = item.get(name)
            if isinstance(v, float) and integral(v) is not None:
                v = integral(v)  # 3.0 is the integer 3, as everywhere in the API
            if isinstance(v, bool) or not isinstance(v, kinds):
                errors.append(
                    FieldError(f"{pointer}/{i}/{name}", "type", f"{name} is required here.")
                )
            elif isinstance(v, int) and v < 0:
                errors.append(FieldError(f"{pointer}/{i}/{name}", "range", "may not be negative."))
            else:
                clean[name] = v
        out.append(clean)
    return out


def clean(value, pointer):
    """A validated document from a plain string or a `{blocks, entityMap}` object; returns
    (doc, errors). Missing optional block fields get Draft.js defaults."""
    errors = []
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            errors.append(FieldError(pointer, "max_length", f"at most {MAX_TEXT} characters."))
        if NUL in value:
            errors.append(FieldError(pointer, "nul_character", nul_detail("This text")))
        return from_text(value), errors
    if not isinstance(value, dict) or not isinstance(value.get("blocks"), list):
        errors.append(
            FieldError(pointer, "type", "must be a string or {blocks: [...], entityMap: {}}.")
        )
        return None, errors
    unknown = sorted(set(value) - {"blocks", "entityMap"})
    for key in unknown:
        errors.append(FieldError(f"{pointer}/{key}", "unknown", f"Unknown attribute '{key}'."))
    entity_map = value.get("entityMap", {})
    if not isinstance(entity_map, dict):
        errors.append(FieldError(f"{pointer}/entityMap", "type", "entityMap must be an object."))
        entity_map = {}
    raw_blocks = value["blocks"]
    if len(raw_blocks) > MAX_BLOCKS:
        errors.append(FieldError(f"{pointer}/blocks", "max_items", f"at most {MAX_BLOCKS}."))
        raw_blocks = raw_blocks[:MAX_BLOCKS]
    blocks, total = [], 0
    for i, raw in enumerate(raw_blocks):
        at = f"{pointer}/blocks/{i}"
        if not isinstance(raw, dict):
            errors.append(FieldError(at, "type", "A block is an object."))
            continue
        text = raw.get("text")
        if not isinstance(text, str):
            errors.append(FieldError(f"{at}/text", "type", "text must be a string."))
            continue
        if NUL in text:
            errors.append(FieldError(f"{at}/text", "nul_character", nul_detail("This text")))
        total += len(text) + 1
        key = raw.get("key") or new_key()
        kind = raw.get("type", "unstyled")
        depth = raw.get("depth", 0)
        if isinstance(depth, float) and integral(depth) is not None:
            depth = integral(depth)  # 3.0 is the integer 3, as everywhere in the API
        data = raw.get("data", {})
        if not isinstance(key, str) or len(key) > 64:
            errors.append(FieldError(f"{at}/key", "type", "key is a string of ≤64 characters."))
        if not isinstance(kind, str) or not kind or len(kind) > 64:
            errors.append(FieldError(f"{at}/type", "type", "type is a block type name."))
        if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= 10:
            errors.append(FieldError(f"{at}/depth", "type", "depth is an integer from 0 to 10."))
        if not isinstance(data, dict):
            errors.append(FieldError(f"{at}/data", "type", "data must be an object."))
        styles = _ranges(
            raw.get("inlineStyleRanges"),
            f"{at}/inlineStyleRanges",
            {"offset": int, "length": int, "style": str},
            errors,
        )
        entities = _ranges(
            raw.get("entityRanges"),
            f"{at}/entityRanges",
            {"offset": int, "length": int, "key": (int, str)},
            errors,
        )
        blocks.append(
            {
                "key": key,
                "text": text,
                "type": kind,
                "depth": depth,
                "inlineStyleRanges": styles,
                "entityRanges": entities,
                "data": data,
            }
        )
    if total > MAX_TEXT:
        errors.append(FieldError(pointer, "max_length", f"at most {MAX_TEXT} characters."))
    if not errors and not to_text({"blocks": blocks}).strip():
        errors.append(FieldError(pointer, "required", "The shortcut text may not be blank."))
    return {"blocks": blocks, "entityMap": entity_map}, errors


def _range_schema(key, key_schema):
    number = {"type": "integer", "minimum": 0}
    return {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "properties": {"offset": number, "length": number, key: key_schema},
            "required": ["offset", "length", key],
            "additionalProperties": True,  # other keys are dropped, not refused
        },
    }


# What `clean` takes, for the OpenAPI document: a plain string, or a Draft.js document whose
# blocks are not all blank (the total length over blocks is checked too, which no schema states).
TEXT_SCHEMA = {"type": "string", "maxLength": MAX_TEXT, "pattern": NOT_BLANK_PATTERN}
DOC_SCHEMA = {
    "type": "object",
    "properties": {
        "blocks": {
            "type": "array",
            "maxItems": MAX_BLOCKS,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": MAX_TEXT},
                    "key": {"type": ["string", "null"], "maxLength": 64},
                    "type": {"type": "string", "minLength": 1, "maxLength": 64},
                    "depth": {"type": "integer", "minimum": 0, "maximum": 10},
                    "data": {"type": "object"},
                    "inlineStyleRanges": _range_schema("style", {"type": "string"}),
                    "entityRanges": _range_schema(
                        "key", {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]}
                    ),
                },
                "required": ["text"],
                "additionalProperties": True,  # other keys are dropped, not refused
            },
            "contains": {"type": "object", "properties": {"text": {"pattern": NOT_BLANK_PATTERN}}},
        },
        "entityMap": {"type": "object"},
    },
    "required": ["blocks"],
    "additionalProperties": False,
}
