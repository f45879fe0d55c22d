"""Attribute types: the suffix of a name decides the type (`orderTotalNum` is a Num). Before
the suffix a name is camelCase or snake_case (`preferred_contact_methodStr`).

Every type has a `clean(value) -> stored value` that raises `Invalid`; per-attribute
constraints (enum, min/max, lengths, tree nodes, Obj properties) are layered on in validator.py.

Stored forms:
  Str, Txt  the string as given (≤255 / ≤1024 characters)
  Num       the int or float as given (finite; booleans are not numbers); a string holding a
            JSON number ("8.5", "-3", "1e3") is stored as that number
  At        `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC. A date alone means midnight UTC; a date-time
            without an offset is taken as UTC; precision below a millisecond is dropped.
  Bool      true / false; the strings "true" and "false" are stored as booleans
  Url       the string as given: absolute http(s) with a host, ≤2048 characters
  Id        a string (≤255 characters); integers are stored as their decimal string
  Obj       a copy of the object: values are scalars or lists of scalars, never objects
  Tree      the dotted path of node ids, `hardware.laptops.mac` (≤6 levels); a list of ids
            is accepted and joined

No string may hold NUL or unpaired surrogates: PostgreSQL's jsonb refuses both, and a value
that validates must also store.
"""

import re
from datetime import UTC, datetime
from typing import NamedTuple

from klasses.schema.errors import Invalid, Invalids, UnknownAttributeType, escape_pointer

SUFFIXES = ("Str", "Txt", "Num", "At", "Bool", "Url", "Id", "Obj", "Tree")
STR_MAX = 255
TXT_MAX = 1024
URL_MAX = 2048
ID_MAX = 255
TREE_DEPTH = 6
NODE_ID_MAX = 255

# Lazy `*?` is not needed: the suffix group is anchored at the end, and the alternation is
# tried in order only at positions where the rest of the name matched.
# Each `_` starts a new word, so no `__`, and none right before the suffix. The segments
# cannot overlap (each starts with `_`), so a long name costs linear time.
NAME_RE = re.compile(r"[a-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(Str|Txt|Num|At|Bool|Url|Id|Obj|Tree)\Z")
_ANY_SUFFIX_RE = re.compile(r"(Str|Txt|Num|At|Bool|Url|Id|Obj|Tree)\Z")
_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def attribute_type(name):
    """The type suffix of an attribute name; UnknownAttributeType (naming every valid suffix)
    when the name is not camelCase ending in one of them."""
    if isinstance(name, str):
        match = NAME_RE.match(name)
        if match:
            return match.group(1)
        if _ANY_SUFFIX_RE.search(name):
            raise UnknownAttributeType(
                f'"{name}": not a valid attribute name; an attribute name starts with a '
                "lower-case letter, has only letters, digits and single underscores between "
                f"words, and ends in one of {', '.join(SUFFIXES)} (e.g. orderTotalNum, "
                "order_totalNum)"
            )
    raise UnknownAttributeType(
        f'"{name}": unknown type suffix; an attribute name must end in one of '
        f"{', '.join(SUFFIXES)} (e.g. orderTotalNum, tierStr, renewsAt)"
    )


def default_display_name(name):
    """`orderTotalNum` → `Order Total`, `vipBool` → `Vip`, `externalURLStr` → `External URL`."""
    match = NAME_RE.match(name) if isinstance(name, str) else None
    base = name[: -len(match.group(1))] if match else str(name)
    words = _WORD_RE.findall(base)
    return " ".join(w[:1].upper() + w[1:] for w in words) or str(name)


def _bad_text(value):
    if "\x00" in value:
        return True
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


BAD_TEXT = "must not contain NUL characters or unpaired surrogates."


def _text_cleaner(limit):
    def clean(value):
        if not isinstance(value, str):
            raise Invalid("type", "must be a string.")
        if len(value) > limit:
            raise Invalid("max_length", f"must be at most {limit} characters ({len(value)} given).")
        if _bad_text(value):
            raise Invalid("format", BAD_TEXT)
        return value

    return clean


clean_str = _text_cleaner(STR_MAX)
clean_txt = _text_cleaner(TXT_MAX)


# A JSON number, whole: no sign but '-', no leading zeros, no spaces, no inf/nan words.
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
NUMBER_TEXT_MAX = 64


def _number_from_text(value):
    """The number a string spells in canonical (JSON) form, else Invalid."""
    match = _NUMBER_RE.match(value) if len(value) <= NUMBER_TEXT_MAX else None
    if match is None:
        raise Invalid("type", "must be a number.")
    if match.group(1) is None and match.group(2) is None:
        return int(value)
    number = float(value)
    if number - number != 0:
        raise Invalid("type", "must be a finite number.")
    return number


def clean_num(value):
    kind = type(value)
    if kind is int:
        return value
    if kind is str:
        return _number_from_text(value)
    if kind is float:
        # inf - inf and nan - nan are both nan, which compares unequal to 0
        if value - value == 0:
            return value
        raise Invalid("type", "must be a finite number.")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return clean_num(int(value) if isinstance(value, int) else float(value))
    raise Invalid("type", "must be a number.")


_BOOL_TEXT = {"true": True, "false": False}


def clean_bool(value):
    if value is True or value is False:
        return value
    if type(value) is str and value in _BOOL_TEXT:
        return _BOOL_TEXT[value]
    raise Invalid("type", "must be true or false.")


_AT_CANONICAL_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
_AT_SECONDS_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
AT_FORMAT = "must be an ISO-8601 date-time such as 2026-01-31T09:30:00Z."


def format_at(dt):
    """An aware (or UTC-naive) datetime in the stored form."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="milliseconds") + "Z"


def clean_at(value):
    if isinstance(value, str):
        # The stored form is by far the most common input (it is what we hand out), so it
        # only needs the calendar check.
        if len(value) == 24 and _AT_CANONICAL_RE.match(value):
            try:
                datetime.fromisoformat(value[:23])
            except ValueError:
                raise Invalid("format", AT_FORMAT) from None
            return value
        # The same to the second, as most systems write it: only the milliseconds are added.
        if len(value) == 20 and _AT_SECONDS_RE.match(value):
            try:
                datetime.fromisoformat(value[:19])
            except ValueError:
                raise Invalid("format", AT_FORMAT) from None
            return value[:19] + ".000Z"
        # fromisoformat (3.11) takes the ISO-8601 forms people send: date only, basic and
        # extended, week dates, any offset, Z. It also takes any character between date and
        # time, which ISO does not.
        if len(value) > 10 and value[4] == "-" and value[10] not in "Tt ":
            raise Invalid("format", AT_FORMAT)
        try:
            return format_at(datetime.fromisoformat(value))
        except (ValueError, OverflowError):
            raise Invalid("format", AT_FORMAT) from None
    if isinstance(value, datetime):
        # Python callers (imports, workflows) may hand over datetimes directly.
        try:
            return format_at(value)
        except OverflowError:
            raise Invalid("format", AT_FORMAT) from None
    raise Invalid("type", "must be an ISO-8601 date-time string.")


_URL_RE = re.compile(
    r"(?i:https?)://"
    r"(?:[^\s\x00-\x1f\x7f/?#@]*@)?"
    r"(?:\[[0-9A-Fa-f:.]+\]|[^\s\x00-\x1f\x7f/?#@:\[\]]+)"
    r"(?::\d{1,5})?"
    r"(?:[/?#][^\s\x00-\x1f\x7f]*)?\Z"
)


def clean_url(value):
    if not isinstance(value, str):
        raise Invalid("type", "must be a string.")
    if len(value) > URL_MAX:
        raise Invalid("max_length", f"must be at most {URL_MAX} characters ({len(value)} given).")
    if _URL_RE.match(value) is None or _bad_text(value):
        raise Invalid("format", "must be an absolute http or https URL with a host.")
    return value


def clean_id(value):
    if type(value) is int:
        return str(value)
    if isinstance(value, str):
        if len(value) > ID_MAX:
            raise Invalid(
                "max_length", f"must be at most {ID_MAX} characters ({len(value)} given)."
            )
        if _bad_text(value):
            raise Invalid("format", BAD_TEXT)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    raise Invalid("type", "must be a string or an integer.")


def clean_obj_value(value):
    """One Obj entry: a scalar, or a list of scalars. Returns the stored copy."""
    if isinstance(value, list):
        return [clean_obj_scalar(item, f"/{i}") for i, item in enumerate(value)]
    return clean_obj_scalar(value, "")


def clean_obj_scalar(value, at):
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is str:
        if _bad_text(value):
            raise Invalid("format", BAD_TEXT, at)
        return value
    if kind is int:
        return value
    if kind is float:
        if value - value == 0:
            return value
        raise Invalid("type", "must be a finite number.", at)
    if isinstance(value, dict | list):
        raise Invalid("depth", "must be a scalar or a list of scalars: an Obj is one level.", at)
    raise Invalid("type", "must be a string, number, boolean or null.", at)


def obj_cleaner(prop_checks=None, required=()):
    """An Obj check. `prop_checks` types some properties (`{"qty": clean_num}`); every other
    key only has to keep to one level. Reports every bad key, not just the first."""
    prop_checks = prop_checks or {}

    def clean(value):
        if not isinstance(value, dict):
            raise Invalid("type", "must be an object.")
        out = {}
        found = None
        for key, item in value.items():
            if not isinstance(key, str) or _bad_text(key):
                found = found or []
                found.append(("", "format", f"key {key!r}: {BAD_TEXT}"))
                continue
            check = prop_checks.get(key)
            try:
                if check is None or item is None:
                    out[key] = clean_obj_value(item)
                else:
                    out[key] = check(item)
            except Invalid as exc:
                found = found or []
                found.append((f"/{escape_pointer(key)}{exc.at}", exc.code, exc.detail))
            except Invalids as exc:
                found = found or []
                here = f"/{escape_pointer(key)}"
                found.extend((here + at, code, detail) for at, code, detail in exc.found)
        for key in required:
            if key not in value or value[key] is None or value[key] == "":
                found = found or []
                found.append((f"/{escape_pointer(key)}", "required", "is required."))
        if found:
            raise Invalids(found)
        return out

    return clean


clean_obj = obj_cleaner()


def tree_parts(value):
    """A Tree value as its list of node ids (no knowledge of the nodes themselves)."""
    if isinstance(value, str):
        parts = value.split(".")
    elif isinstance(value, list):
        if not value or not all(isinstance(p, str) for p in value):
            raise Invalid("type", "must be a dotted path of node ids, or a list of node ids.")
        if any("." in p for p in value):
            raise Invalid("format", "a node id may not contain '.'.")
        parts = value
    else:
        raise Invalid("type", "must be a dotted path of node ids, or a list of node ids.")
    if "" in parts:
        raise Invalid("format", "has an empty node id.")
    if len(parts) > TREE_DEPTH:
        raise Invalid("depth", f"may be at most {TREE_DEPTH} levels deep ({len(parts)} given).")
    for part in parts:
        if len(part) > NODE_ID_MAX or _bad_text(part):
            raise Invalid("format", f"node id {part[:40]!r} is too long or holds NUL characters.")
    return parts


def clean_tree(value):
    return ".".join(tree_parts(value))


class AttributeType(NamedTuple):
    suffix: str
    description: str
    max_length: int | None
    clean: object  # value -> stored value; raises Invalid


ATTRIBUTE_TYPES = {
    t.suffix: t
    for t in (
        AttributeType("Str", f"string of at most {STR_MAX} characters", STR_MAX, clean_str),
        AttributeType("Txt", f"string of at most {TXT_MAX} characters", TXT_MAX, clean_txt),
        AttributeType("Num", "finite number (integer or decimal)", None, clean_num),
        AttributeType("At", "ISO-8601 date-time, stored in UTC", None, clean_at),
        AttributeType("Bool", "true or false", None, clean_bool),
        AttributeType("Url", "absolute http(s) URL", URL_MAX, clean_url),
        AttributeType("Id", "identifier: string or integer, stored as a string", ID_MAX, clean_id),
        AttributeType("Obj", "object one level deep", None, clean_obj),
        AttributeType("Tree", f"dotted path of up to {TREE_DEPTH} node ids", None, clean_tree),
    )
}
SCALAR_CLEANERS = {
    s: ATTRIBUTE_TYPES[s].clean for s in ("Str", "Txt", "Num", "At", "Bool", "Url", "Id")
}
