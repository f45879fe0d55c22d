"""Metadata: the attribute definitions of a resource."""

from django.db import transaction

from kdesk import config_cache, resources
from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed, check_rev
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import model_update
from klasses import attributes
from klasses.models import (
    Klass,
    KObject,
    Metadata,
)
from klasses.representations import metadata_resource
from klasses.schema import (
    check_existing,
    normalize_definitions,
)

# ---- metadata ---------------------------------------------------------------------------------


def described():
    """The standard resources whose custom attributes metadata describes (from the register)."""
    return [r.name for r in resources.all_resources() if r.custom and "custom" in r.json_columns]


def _valid_resource(org, resource):
    if resource in described():
        return
    if (
        resource.startswith("kobject.")
        and Klass.objects.filter(org=org, name=resource[len("kobject.") :]).exists()
    ):
        return
    raise NotFound(
        f"Unknown resource '{resource}': use {', '.join(described())} or kobject.<klass name>."
    )


def _rows_for(org, resource):
    """(id, values) of every stored row whose custom values a definition change would touch."""
    if resource.startswith("kobject."):
        qs = KObject.objects.filter(org=org, klass__name=resource[len("kobject.") :])
        for row_id, data, custom in qs.values_list("id", "data", "custom").iterator():
            yield row_id, {**(data or {}), **(custom or {})}
        return
    qs = resources.get(resource).get_model().objects.filter(org=org)
    yield from qs.values_list("id", "custom").iterator()


def _announce(org, actor, resource, meta, changes):
    """After a definition change is saved: drop the cached definitions and record the
    metadata.update event with the stored properties."""
    attributes.invalidate(org, resource)
    emit(
        org=org,
        type="metadata.update",
        resource="metadata",
        resource_id=resource,
        actor=actor,
        rev=meta.rev,
        data=metadata_resource(resource, meta.properties, meta.rev, meta.updated_at),
        changes=changes,
    )


@transaction.atomic
def metadata_update(*, org, actor, resource, data, force=False, replace=False):
    """Define attributes for a resource. A change existing rows would violate is refused with
    the number of rows that would break, unless `force` (then those rows are left untouched and
    reported)."""
    _valid_resource(org, resource)
    p = Payload(data, allowed={"properties", "rev"})
    raw = p.obj("properties")
    if raw is None and not p.errors:
        p.error("properties", "required", "properties is required.")
    p.raise_if_errors()
    config_cache.lock_config(org)
    meta, created = Metadata.objects.select_for_update().get_or_create(org=org, resource=resource)
    # a resource nobody defined yet reads as rev 0, so that is the rev a first write may send
    check_rev(0 if created else meta.rev, p.data.get("rev"), resource="metadata")
    if not replace:
        # A PUT changes only what it carries, down to each definition's keys: `{"required":
        # true}` keeps the displayName; a key sent as null goes back to its default.
        raw = {
            name: {**meta.properties[name], **d}
            if isinstance(d, dict) and isinstance(meta.properties.get(name), dict)
            else d
            for name, d in raw.items()
        }
    definitions, errors = normalize_definitions(raw)
    if errors:
        raise ValidationFailed([FieldError(e.pointer, e.code, e.detail) for e in errors])
    merged = dict(definitions) if replace else {**meta.properties, **definitions}
    # Only attributes whose definitions change are re-checked: a row already wrong on an
    # attribute nobody touches must not block this change.
    broken = (
        check_existing(meta.properties, merged, _rows_for(org, resource)) if definitions else []
    )
    if broken and not force:
        conflict = Conflict(
            f"{len(broken)} existing row(s) would violate these definitions (for example id "
            f"{', '.join(map(str, broken[:5]))}). Fix them first, or send ?force=true to apply the "
            "definitions and leave those rows as they are.",
            errors=[
                FieldError(
                    "/properties",
                    "would_break",
                    f"{len(broken)} existing row(s) would violate these definitions.",
                )
            ],
        )
        conflict.broken = broken  # for pages that offer the choice
        raise conflict
    before = meta.properties
    # a first definition is written even when empty: the resource now reads as defined
    if not model_update(meta, {"properties": merged}, extra=("properties",) if created else ()):
        return meta, broken
    changes = {
        name: {"before": before.get(name), "after": merged.get(name)}
        for name in set(before) | set(merged)
        if before.get(name) != merged.get(name)
    }
    _announce(org, actor, resource, meta, changes)
    return meta, broken


@transaction.atomic
def attributes_reorder(*, org, actor, resource, names, rev=None):
    """Set the order of a resource's attributes (each definition's `position`); the insights
    panel and the settings list follow it. `names` lists every defined attribute once."""
    from django.utils import timezone

    _valid_resource(org, resource)
    config_cache.lock_config(org)
    meta = Metadata.objects.select_for_update().filter(org=org, resource=resource).first()
    if meta is None:
        raise NotFound(f"No attributes are defined for {resource}.")
    check_rev(meta.rev, rev, resource="metadata")
    if sorted(names) != sorted(meta.properties) or len(set(names)) != len(names):
        raise ValidationFailed(
            [FieldError("/names", "invalid", "List every attribute of this object once.")]
        )
    before = {n: d.get("position") for n, d in meta.properties.items()}
    changes = {
        name: {"before": before[name], "after": i}
        for i, name in enumerate(names)
        if before[name] != i
    }
    if not changes:
        return meta
    meta.properties = {
        name: {**meta.properties[name], "position": i} for i, name in enumerate(names)
    }
    meta.rev += 1
    meta.updated_at = timezone.now()
    meta.save()
    _announce(org, actor, resource, meta, changes)
    return meta


@transaction.atomic
def attribute_delete(*, org, actor, resource, name, rev=None):
    """Remove one attribute's definition. Refused while a validation rule or a KView names it
    (the rule would block every write; the view would show nothing). Values stored under the
    name stay on their rows: the API still returns them, and defining it again shows them."""
    from klasses import selectors

    _valid_resource(org, resource)
    config_cache.lock_config(org)
    meta = Metadata.objects.select_for_update().filter(org=org, resource=resource).first()
    if meta is None or name not in meta.properties:
        raise NotFound(f"No attribute '{name}' on {resource}.")
    check_rev(meta.rev, rev, resource="metadata")
    rules, kviews = selectors.attribute_dependents(org=org, resource=resource, name=name)
    if rules or kviews:
        raise Conflict(
            f"Attribute '{name}' is used by {len(rules)} validation rule(s) and "
            f"{len(kviews)} KView(s); change or remove them first.",
            errors=[FieldError("/properties", "in_use", f"Attribute '{name}' is in use.")],
        )
    before = meta.properties[name]
    properties = {k: v for k, v in meta.properties.items() if k != name}
    model_update(meta, {"properties": properties}, extra=("properties",))
    _announce(org, actor, resource, meta, {name: {"before": before, "after": None}})
    return meta


def metadata_get(*, org, resource):
    _valid_resource(org, resource)
    meta = Metadata.objects.filter(org=org, resource=resource).first()
    if meta is None:
        return {}, 0, None
    return meta.properties, meta.rev, meta.updated_at
