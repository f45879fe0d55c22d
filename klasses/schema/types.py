"""Attribute types: the suffix of a camelCase name decides the type (`orderTotalNum` is a Num).

Each type has a `clean(value) -> cleaned` that raises `Invalid(code, detail)`; constraints
(enum, min/max, lengths, tree nodes) are layered on by the compiler in validator.py.
"""

import math
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

SUFFIXES = ("Str", "Txt", "Num", "At", "Bool", "Url", "Id", "Obj", "Tree")
NAME_RE = re.compile(r"^[a-z][A-Za-z0-9]*?(Str|Txt|Num|At|Bool|Url|Id|Obj|Tree)$")
PLAIN_NAME_RE = re.compile(r"^[a-z][A-Za-z0-9]*$")
STR_MAX = 255
TXT_MAX = 1024
URL_MAX = 2048
ID_MAX = 255
TREE_DEPTH = 6


class Invalid(Exception):  # noqa: N818  (a signal, not an error report)
    def __init__(self, code, detail):
        super().__init__(detail)
        self.code = code
        self.detail = detail


class UnknownAttributeType(ValueError):
    pass


def attribute_type(name):
    """The type suffix of an attribute name, or UnknownAttributeType naming the valid ones."""
    if isinstance(name, str):
        match = NAME_RE.match(name)
        if match:
            return match.group(1)
    raise UnknownAttributeType(
        f'"{name}": unknown type suffix; an attribute name is camelCase and ends in one of '
        f"{', '.join(SUFFIXES)} (e.g. orderTotalNum, tierStr, renewsAt)."
    )


def default_display_name(name):
    """`orderTotalNum` → `Order Total`."""
    base = name[: -len(attribute_type(name))] if NAME_RE.match(name) else name
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", base).split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or name


def _string(value, limit, label):
    if not isinstance(value, str):
        raise Invalid("type", f"must be a string ({label}).")
    if len(value) > limit:
        raise Invalid("max_length", f"must be at most {limit} characters ({len(value)} given).")
    return value


def clean_str(value):
    return _string(value, STR_MAX, "Str")


def clean_txt(value):
    return _string(value, TXT_MAX, "Txt")


def clean_num(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid("type", "must be a number.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Invalid("type", "must be a finite number.")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def clean_bool(value):
    if not isinstance(value, bool):
        raise Invalid("type", "must be true or false.")
    return value


def format_at(dt):
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def clean_at(value):
    """ISO-8601 date-time → UTC `YYYY-MM-DDTHH:MM:SS.mmmZ`; a date alone is midnight UTC and a
    date-time without an offset is taken as UTC."""
    if not isinstance(value, str):
        raise Invalid("type", "must be an ISO-8601 date-time string.")
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
    except ValueError:
        raise Invalid(
            "format", "must be an ISO-8601 date-time, e.g. 2026-01-31T09:30:00Z."
        ) from None
    return format_at(parsed)


def clean_url(value):
    _string(value, URL_MAX, "Url")
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("format", "must be an absolute http or https URL.")
    if any(c.isspace() for c in value):
        raise Invalid("format", "must be an absolute http or https URL without spaces.")
    return value


def clean_id(value):
    if isinstance(value, bool):
        raise Invalid("type", "must be a string or an integer.")
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str) or not value:
        raise Invalid("type", "must be a non-empty string or an integer.")
    if len(value) > ID_MAX:
        raise Invalid("max_length", f"must be at most {ID_MAX} characters.")
    return value


SCALAR_CLEANERS = {
    "Str": clean_str,
    "Txt": clean_txt,
    "Num": clean_num,
    "At": clean_at,
    "Bool": clean_bool,
    "Url": clean_url,
    "Id": clean_id,
}


def clean_obj_plain(value):
    """One level: an object whose values are scalars or lists of scalars."""
    if not isinstance(value, dict):
        raise Invalid("type", "must be an object.")
    for key, item in value.items():
        items = item if isinstance(item, list) else [item]
        for inner in items:
            if isinstance(inner, dict | list):
                raise Invalid("depth", f"'{key}' nests too deep: Obj values hold one level only.")
    return value


def clean_tree_path(value):
    """A Tree value is a dotted path of node ids (`hardware.laptops.mac`) or a list of ids."""
    if isinstance(value, list):
        if not all(isinstance(p, str) and p and "." not in p for p in value):
            raise Invalid("type", "must be a list of node ids.")
        parts = value
    elif isinstance(value, str) and value:
        parts = value.split(".")
    else:
        raise Invalid("type", "must be a dotted path of node ids such as 'a.b.c'.")
    if any(not p for p in parts):
        raise Invalid("format", "has an empty node id.")
    if len(parts) > TREE_DEPTH:
        raise Invalid("depth", f"may be at most {TREE_DEPTH} levels deep.")
    return parts
