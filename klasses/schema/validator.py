"""Compiled validators: each definition becomes one closure, built once per (org, resource).

`Validator.validate(values)` checks a whole payload and returns every error with its JSON
pointer, the cleaned values, and the valid attributes that had no definition yet.

Metadata is read only while compiling; a check at run time is the type's cleaner plus the few
comparisons its definition needs, and pointers are only formatted for values that fail.
"""

import copy
import json
import math

from klasses.schema.errors import Error, Invalid, Invalids, UnknownAttributeType, escape_pointer
from klasses.schema.types import (
    ATTRIBUTE_TYPES,
    SCALAR_CLEANERS,
    TREE_DEPTH,
    attribute_type,
    obj_cleaner,
    tree_parts,
)

ENUM_SHOWN = 20


# the types whose definitions may hold an enum (the reference's "enumeration" metadata)
ENUM_TYPES = ("Str", "Num", "Txt", "Url")


def _unique_key(item):
    """Objects (multi Obj) compare by their content."""
    if isinstance(item, dict | list):
        return ("json", json.dumps(item, sort_keys=True))
    return item


def list_checker(one, *, unique=False):
    """A list of values each passing `one`; errors point at the item's index."""

    def check(value):
        if not isinstance(value, list):
            raise Invalid("type", "must be a list.")
        out = []
        found = None
        for i, item in enumerate(value):
            try:
                out.append(one(item))
            except Invalid as exc:
                found = found or []
                found.append((f"/{i}{exc.at}", exc.code, exc.detail))
            except Invalids as exc:
                found = found or []
                found.extend((f"/{i}{at}", code, detail) for at, code, detail in exc.found)
        if unique and found is None:
            keys = [_unique_key(item) for item in out]
            if len(set(keys)) != len(keys):
                seen = set()
                found = []
                for i, (key, item) in enumerate(zip(keys, out, strict=True)):
                    if key in seen:
                        found.append((f"/{i}", "duplicate", f"repeats {item!r}: list each once."))
                    seen.add(key)
        if found:
            raise Invalids(found)
        return out

    return check


def tree_index(tree):
    """`{dotted path: is leaf}` and `{dotted parent path ("" for the root): [child ids]}`."""
    known, children = {}, {}
    nodes = tree.get("nodes") if isinstance(tree, dict) else None

    def walk(level, prefix, depth):
        if not isinstance(level, list) or depth > TREE_DEPTH:
            return
        ids = children.setdefault(prefix, [])
        for node in level:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                continue
            path = f"{prefix}.{node['id']}" if prefix else node["id"]
            kids = node.get("children") or []
            known[path] = not kids
            ids.append(node["id"])
            walk(kids, path, depth + 1)

    walk(nodes, "", 1)
    return known, children


def _tree_checker(tree):
    known, children = tree_index(tree)
    if not known:
        return ATTRIBUTE_TYPES["Tree"].clean
    last_required = isinstance(tree, dict) and tree.get("lastNodeRequired") is True

    def not_a_node(parts):
        for depth in range(1, len(parts) + 1):
            path = ".".join(parts[:depth])
            if path not in known:
                parent = ".".join(parts[: depth - 1])
                choices = children.get(parent) or []
                where = f"under '{parent}'" if parent else "at the top"
                shown = ", ".join(choices[:ENUM_SHOWN]) or "none"
                return Invalid(
                    "enum",
                    f"must be a path through the tree's nodes; '{path}' is not one "
                    f"(choices {where}: {shown}).",
                )
        return None

    def check(value):
        if type(value) is str:
            leaf = known.get(value)
            if leaf is not None:
                if last_required and not leaf:
                    raise Invalid("leaf_required", "must end at a leaf node (lastNodeRequired).")
                return value
        parts = tree_parts(value)
        path = ".".join(parts)
        leaf = known.get(path)
        if leaf is None:
            raise not_a_node(parts)
        if last_required and not leaf:
            raise Invalid("leaf_required", "must end at a leaf node (lastNodeRequired).")
        return path

    return check


def _obj_checker(properties):
    if not isinstance(properties, dict) or not properties:
        return ATTRIBUTE_TYPES["Obj"].clean
    checks, required = {}, []
    for key, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        base = SCALAR_CLEANERS.get(spec.get("type"))
        if base is None:
            continue
        checks[key] = list_checker(base) if spec.get("array") else base
        if spec.get("required"):
            required.append(key)
    return obj_cleaner(checks, tuple(required))


def _enum_message(enum):
    shown = ", ".join(map(str, enum[:ENUM_SHOWN]))
    more = f" (and {len(enum) - ENUM_SHOWN} more)" if len(enum) > ENUM_SHOWN else ""
    return f"must be one of: {shown}{more}."


def _scalar_checker(d, kind):
    if kind == "Obj":
        return _obj_checker(d.get("properties"))
    if kind == "Tree":
        return _tree_checker(d.get("tree"))
    base = SCALAR_CLEANERS[kind]
    enum = d.get("enum")
    if kind in ENUM_TYPES and isinstance(enum, list) and enum:
        # Members were checked against min/max and lengths when the definition was saved, so
        # membership is the whole check.
        allowed = frozenset(v for v in enum if isinstance(v, str | int | float))
        message = _enum_message(enum)

        def check_enum(value):
            value = base(value)
            if value not in allowed:
                raise Invalid("enum", message)
            return value

        return check_enum
    lo = d.get("min") if kind == "Num" else None
    hi = d.get("max") if kind == "Num" else None
    min_len = d.get("minLength") if kind in ("Str", "Txt") else None
    max_len = d.get("maxLength") if kind in ("Str", "Txt") else None
    if lo is None and hi is None and min_len is None and max_len is None:
        return base
    if kind == "Num":
        below, above = f"must be at least {lo}.", f"must be at most {hi}."

        def check_range(value):
            value = base(value)
            if lo is not None and value < lo:
                raise Invalid("min", below)
            if hi is not None and value > hi:
                raise Invalid("max", above)
            return value

        return check_range
    short = f"must be at least {min_len} characters."
    long = f"must be at most {max_len} characters."

    def check_length(value):
        value = base(value)
        if min_len is not None and len(value) < min_len:
            raise Invalid("min_length", short)
        if max_len is not None and len(value) > max_len:
            raise Invalid("max_length", long)
        return value

    return check_length


def compile_attribute(d):
    """`check(value) -> stored value` for one definition; raises Invalid / Invalids.
    None and "" (clearing a value) are the caller's business, not the check's."""
    kind = d.get("type") or attribute_type(d["name"])
    one = _scalar_checker(d, kind)
    if d.get("multi"):
        return list_checker(one, unique=True)
    if d.get("array"):
        return list_checker(one)
    return one


def _not_empty(check):
    def check_required(value):
        if value == []:
            raise Invalid("required", "is required.")
        return check(value)

    return check_required


# How Validator.clean_plain accepts a common value without calling its check: (tag, extra).
_TEXT = "text"  # a string of at most `extra` ASCII characters, no NUL
_INT = "int"  # an int within (lo, hi)
_BOOL = "bool"
_MEMBER = "member"  # a string in `extra`, the enum's members that their type stores as they are
_CHECK = "check"


def _plain_spec(d, kind, check):
    """(tag, extra, check) for one compiled definition; any value the tag does not take as it
    is goes through `check`, exactly as in validate()."""
    if d.get("array") or d.get("multi") or kind in ("Obj", "Tree"):
        return (_CHECK, None, check)
    if kind in ENUM_TYPES and isinstance(d.get("enum"), list) and d["enum"]:
        if kind == "Num":
            return (_CHECK, None, check)
        members = set()
        for member in d["enum"]:
            if type(member) is not str or not member:
                continue  # "" is never stored: validate() reads it as no value
            try:
                if check(member) == member:
                    members.add(member)
            except (Invalid, Invalids):
                continue
        return (_MEMBER, frozenset(members), check)
    if kind in ("Str", "Txt"):
        if d.get("minLength") is not None or d.get("maxLength") is not None:
            return (_CHECK, None, check)
        return (_TEXT, ATTRIBUTE_TYPES[kind].max_length, check)
    if kind == "Num":
        lo, hi = d.get("min"), d.get("max")
        if not all(b is None or type(b) is int for b in (lo, hi)):
            return (_CHECK, None, check)
        return (_INT, (-math.inf if lo is None else lo, math.inf if hi is None else hi), check)
    if kind == "Bool":
        return (_BOOL, None, check)
    return (_CHECK, None, check)


class ValidationResult:
    __slots__ = ("cleaned", "errors", "undefined")

    def __init__(self, cleaned, errors, undefined):
        self.cleaned = cleaned
        self.errors = errors
        self.undefined = undefined

    @property
    def ok(self):
        return not self.errors

    def __repr__(self):
        return f"ValidationResult(cleaned={self.cleaned!r}, errors={self.errors!r})"


Result = ValidationResult


class Validator:
    """Checks payloads against one set of normalised definitions ({name: definition})."""

    def __init__(self, definitions):
        self.definitions = definitions
        checks, defaults, required, plain = {}, {}, [], {}
        for name, d in definitions.items():
            try:
                kind = d.get("type") or attribute_type(name)
            except UnknownAttributeType:
                continue
            check = compile_attribute({**d, "type": kind})
            if d.get("required"):
                required.append(name)
                if d.get("array") or d.get("multi"):
                    check = _not_empty(check)
            checks[name] = check
            plain[name] = _plain_spec(d, kind, check)
            if d.get("default") is not None:
                defaults[name] = d["default"]
        self._checks = checks
        self._required = frozenset(required)
        self._required_order = tuple(required)
        self._defaults = tuple(
            (name, value, isinstance(value, list | dict)) for name, value in defaults.items()
        )
        self.read_only = frozenset(n for n, d in definitions.items() if d.get("readOnly"))
        self.hidden = frozenset(n for n, d in definitions.items() if d.get("hidden"))
        self._plain = plain
        self._required_bare = tuple(n for n in required if n not in defaults)

    def validate(self, values, *, pointer="/custom", creating=False, partial=True):
        """Every problem in `values` at once.

        creating: missing attributes get their defaults; missing required ones are errors.
        partial=False: the payload replaces every value, so missing required ones are errors
        (no defaults). Otherwise only the attributes present are checked, and `required` only
        forbids clearing a value (None, "" or, for lists, []).
        """
        if values is None:
            values = {}
        elif not isinstance(values, dict):
            return ValidationResult({}, [Error(pointer, "type", "must be an object.")], {})
        errors = []
        cleaned = {}
        undefined = {}
        checks = self._checks
        required = self._required
        for name, value in values.items():
            check = checks.get(name)
            if check is None:
                self._undefined(name, value, pointer, cleaned, errors, undefined)
                continue
            if value is None or value == "":
                if name in required:
                    errors.append(Error(f"{pointer}/{name}", "required", "is required."))
                cleaned[name] = None
                continue
            try:
                cleaned[name] = check(value)
            except Invalid as exc:
                errors.append(Error(f"{pointer}/{name}{exc.at}", exc.code, exc.detail))
            except Invalids as exc:
                here = f"{pointer}/{name}"
                errors.extend(Error(here + at, code, detail) for at, code, detail in exc.found)
        if creating:
            for name, default, mutable in self._defaults:
                if name not in values:
                    cleaned[name] = copy.deepcopy(default) if mutable else default
        if creating or not partial:
            for name in self._required_order:
                if name not in values and name not in cleaned:
                    errors.append(Error(f"{pointer}/{name}", "required", "is required."))
        return ValidationResult(cleaned, errors, undefined)

    def clean_plain(self, values, *, creating=False):
        """validate(values, creating=creating) for a payload that passes as it is: the cleaned
        dict, or None when anything needs more (an error, an attribute without a definition):
        validate() then says what. A bulk import checks a thousand payloads this way; the most
        common values are accepted by a comparison or two without calling their check."""
        if type(values) is not dict:
            return None
        plain = self._plain
        cleaned = values.copy()
        for name, value in values.items():
            spec = plain.get(name)
            if spec is None:
                return None
            tag, extra, check = spec
            if tag is _TEXT:
                if type(value) is str and value and len(value) <= extra and value.isascii():
                    if "\x00" not in value:
                        continue
            elif tag is _INT:
                if type(value) is int and extra[0] <= value <= extra[1]:
                    continue
            elif tag is _BOOL:
                if value is True or value is False:
                    continue
            elif tag is _MEMBER:
                if type(value) is str and value in extra:
                    continue
            if value is None or value == "":
                if name in self._required:
                    return None
                cleaned[name] = None
                continue
            try:
                cleaned[name] = check(value)
            except (Invalid, Invalids):
                return None
        if creating:
            for name in self._required_bare:
                if name not in values:
                    return None
            for name, default, mutable in self._defaults:
                if name not in values:
                    cleaned[name] = copy.deepcopy(default) if mutable else default
        return cleaned

    @staticmethod
    def _undefined(name, value, pointer, cleaned, errors, undefined):
        """A name without a definition: fine if its suffix is a type and the value fits that
        type (the caller may then record a definition); an error otherwise."""
        try:
            kind = attribute_type(name)
        except UnknownAttributeType as exc:
            errors.append(Error(f"{pointer}/{escape_pointer(name)}", "unknown_type", str(exc)))
            return
        if value is None or value == "":
            cleaned[name] = None
            return
        try:
            cleaned[name] = ATTRIBUTE_TYPES[kind].clean(value)
        except Invalid as exc:
            errors.append(Error(f"{pointer}/{name}{exc.at}", exc.code, exc.detail))
            return
        except Invalids as exc:
            here = f"{pointer}/{name}"
            errors.extend(Error(here + at, code, detail) for at, code, detail in exc.found)
            return
        undefined[name] = kind


def compile_validator(definitions):
    """A Validator for `{name: definition}` (definitions as normalize_definitions returns)."""
    return Validator(definitions or {})
