"""Compiled validators: each definition becomes one closure, built once per (org, resource).

`Validator.validate(values)` checks a whole payload and returns every error with its JSON
pointer, the cleaned values, and the valid attributes that had no definition yet.
"""

import threading
from dataclasses import dataclass, field

from klasses.schema.definitions import Error
from klasses.schema.types import (
    SCALAR_CLEANERS,
    Invalid,
    UnknownAttributeType,
    attribute_type,
    clean_obj_plain,
    clean_tree_path,
)


def _tree_checker(tree):
    nodes = tree["nodes"] if tree else []
    last_required = bool(tree and tree.get("lastNodeRequired"))
    # id path tuple → has children; built once so a check is a few dict lookups
    known = {}

    def walk(level, prefix):
        for node in level:
            path = (*prefix, node["id"])
            known[path] = bool(node["children"])
            walk(node["children"], path)

    walk(nodes, ())

    def check(parts):
        if not known:
            return
        for depth in range(1, len(parts) + 1):
            if tuple(parts[:depth]) not in known:
                raise Invalid("enum", f"'{'.'.join(parts[:depth])}' is not a node of this tree.")
        if last_required and known[tuple(parts)]:
            raise Invalid("leaf_required", "must end at a leaf node (lastNodeRequired).")

    return check


def _scalar_checker(d):
    kind = d["type"]
    base = SCALAR_CLEANERS.get(kind)
    enum = d.get("enum")
    enum_set = frozenset(enum) if enum else None
    lo, hi = d.get("min"), d.get("max")
    min_len, max_len = d.get("minLength"), d.get("maxLength")
    if kind == "Obj":
        props = d.get("properties") or {}
        prop_checks = {k: SCALAR_CLEANERS[v["type"]] for k, v in props.items()}
        required_props = [k for k, v in props.items() if v.get("required")]

        def check_obj(value, pointer, errors):
            value = clean_obj_plain(value)
            out = dict(value)
            for key in required_props:
                if value.get(key) is None:
                    errors.append(Error(f"{pointer}/{key}", "required", "is required."))
            for key, fn in prop_checks.items():
                if value.get(key) is not None:
                    try:
                        out[key] = fn(value[key])
                    except Invalid as exc:
                        errors.append(Error(f"{pointer}/{key}", exc.code, exc.detail))
            return out

        return check_obj
    if kind == "Tree":
        tree_check = _tree_checker(d.get("tree"))

        def check_tree(value, pointer, errors):
            parts = clean_tree_path(value)
            tree_check(parts)
            return ".".join(parts)

        return check_tree

    def check(value, pointer, errors):
        value = base(value)
        if enum_set is not None and value not in enum_set:
            shown = ", ".join(map(str, enum[:20]))
            raise Invalid("enum", f"must be one of: {shown}.")
        if lo is not None and value < lo:
            raise Invalid("min", f"must be at least {lo}.")
        if hi is not None and value > hi:
            raise Invalid("max", f"must be at most {hi}.")
        if min_len is not None and len(value) < min_len:
            raise Invalid("min_length", f"must be at least {min_len} characters.")
        if max_len is not None and len(value) > max_len:
            raise Invalid("max_length", f"must be at most {max_len} characters.")
        return value

    return check


def compile_attribute(d):
    """`check(value, pointer, errors) -> cleaned` for one definition (None is handled outside)."""
    one = _scalar_checker(d)
    many = d.get("array") or d.get("multi")

    def single(value, pointer, errors):
        try:
            return one(value, pointer, errors)
        except Invalid as exc:
            errors.append(Error(pointer, exc.code, exc.detail))
            return None

    if not many:
        return single
    unique = bool(d.get("multi"))

    def check_list(value, pointer, errors):
        if not isinstance(value, list):
            errors.append(Error(pointer, "type", "must be a list."))
            return None
        out = [single(item, f"{pointer}/{i}", errors) for i, item in enumerate(value)]
        if unique and len({repr(v) for v in out}) != len(out):
            errors.append(Error(pointer, "duplicate", "lists a value more than once."))
        return out

    return check_list


@dataclass
class Result:
    cleaned: dict
    errors: list = field(default_factory=list)
    undefined: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


class Validator:
    def __init__(self, definitions):
        self.definitions = definitions
        self.checks = {name: compile_attribute(d) for name, d in definitions.items()}
        self.required = tuple(n for n, d in definitions.items() if d.get("required"))
        self.defaults = {
            n: d["default"] for n, d in definitions.items() if d.get("default") is not None
        }
        self.read_only = frozenset(n for n, d in definitions.items() if d.get("readOnly"))
        self._inferred = {}

    def _undefined_check(self, name):
        check = self._inferred.get(name)
        if check is None:
            kind = attribute_type(name)
            check = compile_attribute({"type": kind, "name": name})
            self._inferred[name] = check
        return check

    def validate(self, values, *, pointer="/custom", creating=False):
        errors = []
        if values is None:
            values = {}
        if not isinstance(values, dict):
            return Result({}, [Error(pointer, "type", "must be an object of attributes.")])
        cleaned = {}
        undefined = {}
        checks = self.checks
        for name, value in values.items():
            p = f"{pointer}/{name}"
            check = checks.get(name)
            if check is None:
                try:
                    check = self._undefined_check(name)
                except UnknownAttributeType as exc:
                    errors.append(Error(p, "unknown_type", str(exc)))
                    continue
            if value is None or value == "":
                if name in self.required:
                    errors.append(Error(p, "required", "is required."))
                cleaned[name] = None
                continue
            before = len(errors)
            cleaned[name] = check(value, p, errors)
            if name not in checks and len(errors) == before:
                undefined[name] = attribute_type(name)
        if creating:
            for name, default in self.defaults.items():
                if cleaned.get(name) is None:
                    cleaned[name] = default
            for name in self.required:
                if cleaned.get(name) is None and name not in values:
                    errors.append(Error(f"{pointer}/{name}", "required", "is required."))
        return Result(cleaned, errors, undefined)


def compile_validator(definitions):
    return Validator(definitions)


class ValidatorCache:
    """Process-local compiled validators keyed by (org id, resource), stale when the stored
    definitions' version moves on."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}

    def get(self, key, version, loader):
        entry = self._entries.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        validator = compile_validator(loader())
        with self._lock:
            self._entries[key] = (version, validator)
        return validator

    def invalidate(self, key=None):
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


def violations(validator, rows, *, pointer="/custom"):
    """Ids of `(id, values)` rows the validator would reject."""
    return [row_id for row_id, values in rows if validator.validate(values, pointer=pointer).errors]
