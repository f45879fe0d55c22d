"""Checking stored rows against definitions before a change is saved."""

from klasses.schema.validator import compile_validator


def violations(validator, rows, *, pointer="/custom"):
    """Ids of the `(id, values)` rows whose values `validator` rejects. Missing attributes are
    not violations: rows may predate an attribute becoming required."""
    return [
        row_id
        for row_id, values in rows
        if validator.validate(values if isinstance(values, dict) else {}, pointer=pointer).errors
    ]


def changed_definitions(definitions_old, definitions_new):
    """The new definitions that differ from (or are missing in) the old ones. Removing a
    definition can break nothing: the name's suffix still gives the type."""
    old = definitions_old or {}
    return {name: d for name, d in (definitions_new or {}).items() if old.get(name) != d}


def check_existing(definitions_old, definitions_new, rows, *, pointer="/custom"):
    """Ids of `(id, values)` rows that the new definitions would reject.

    Only attributes whose definitions change are re-checked, so a row already off on some
    untouched attribute does not block an unrelated change."""
    changed = changed_definitions(definitions_old, definitions_new)
    if not changed:
        return []
    validator = compile_validator(changed)
    names = tuple(changed)
    broken = []
    for row_id, values in rows:
        if not isinstance(values, dict):
            continue
        subset = {name: values[name] for name in names if name in values}
        if subset and validator.validate(subset, pointer=pointer).errors:
            broken.append(row_id)
    return broken
