"""Klasses: the definitions of custom objects."""

import re

from django.db import transaction

from kdesk import resources
from kdesk.errors import NotFound
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken
from kdesk.updates import lock_for_write, model_update
from klasses import relationships
from klasses.models import (
    Klass,
)
from klasses.services.changes import changes_of
from klasses.services.images import _images

KLASS_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
KLASS_FIELDS = {
    "name",
    "displayName",
    "description",
    "icon",
    "color",
    "images",
    "status",
    "rev",
    "relationships",
}


KLASS_API_NAMES = {"display_name": "displayName"}
# A Klass may not take a standard resource's name (the register's) nor one of these.
RESERVED_NAMES = {"kobject", "klass", "metadata", "kview", "event"}


def reserved(name):
    return name.lower() in RESERVED_NAMES or resources.find(name.lower()) is not None


# ---- Klasses ----------------------------------------------------------------------------------


def _klass_payload(data, *, creating):
    p = Payload(data, allowed=KLASS_FIELDS)
    name = p.string("name", max_length=64, required=creating)
    if creating and name is not None:
        if not KLASS_NAME_RE.match(name):
            p.error(
                "name",
                "invalid",
                "A Klass name starts with a letter and has letters, digits, '_' or '-' "
                "(at most 64), e.g. Purchase_History.",
            )
        elif reserved(name):
            p.error("name", "reserved", f"'{name}' is a standard object's name.")
    fields = {
        "display_name": p.string("displayName", max_length=120),
        "description": p.string("description", max_length=5000),
        "icon": p.string("icon", max_length=64),
        "color": _color(p),
        "images": _images(p),
        "status": p.choice("status", Klass.Status.values),
    }
    # An attribute sent as null is cleared; displayName and status cannot be.
    for attribute, field, cleared in KLASS_CLEARED:
        if attribute in p.data and p.data[attribute] is None:
            if cleared is None:
                p.error(attribute, "required", f"{attribute} is required: it cannot be cleared.")
            else:
                fields[field] = cleared
    return p, name, {k: v for k, v in fields.items() if v is not None}


# (attribute, field, the cleared value, None where it cannot be cleared)
KLASS_CLEARED = (
    ("displayName", "display_name", None),
    ("description", "description", ""),
    ("icon", "icon", ""),
    ("color", "color", ""),
    ("images", "images", []),
    ("status", "status", None),
)
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")


def _color(p):
    """A Klass colour is `#rrggbb`, as a tag's (it is written into a style attribute)."""
    value = p.string("color", max_length=7)
    if value and len(value) <= 7 and not COLOR_RE.match(value):
        p.error("color", "invalid", "color must look like #rrggbb.")
        return None
    return value.lower() if value else value


@transaction.atomic
def klass_create(*, org, actor, data, app=""):
    """`app`: the installed app whose install creates the Klass (the settings list shows it);
    empty for an admin's or an API client's."""
    p, name, fields = _klass_payload(data, creating=True)
    taken = f"A Klass named '{name}' exists (names ignore case)."
    if name and not p.errors:
        existing = Klass.objects.filter(org=org, name__iexact=name).values_list("name", flat=True)
        for other in existing[:1]:
            p.error("name", "taken", f"A Klass named '{other}' exists (names ignore case).")
    rels = p.data.get("relationships")
    if rels is not None and name:
        p.errors += relationships.validate_definitions(org=org, klass_name=name, items=rels)
    raise_invalid_or_taken(p.errors)
    fields.setdefault("display_name", name.replace("_", " ").replace("-", " ").title())
    with conflict_on_duplicate("/name", taken):  # a concurrent create of the same name
        klass = Klass.objects.create(org=org, name=name, app=app or "", **fields)
    if rels:
        relationships.definitions_set(org=org, actor=actor, klass=klass, items=rels)
    emit(
        org=org,
        type="klass.create",
        resource="klass",
        resource_id=klass.name,
        actor=actor,
        rev=1,
        data={"name": name, "displayName": klass.display_name, **({"app": app} if app else {})},
    )
    return klass


@transaction.atomic
def klass_update(*, org, actor, klass, data, rev=None):
    p, _, fields = _klass_payload(data, creating=False)
    if "name" in p.data and p.data["name"] != klass.name:
        p.error("name", "read_only", "A Klass cannot be renamed.")
    rels = p.data.get("relationships")
    if rels is not None:
        p.errors += relationships.validate_definitions(org=org, klass_name=klass.name, items=rels)
    p.raise_if_errors()
    klass = lock_for_write(
        Klass,
        org=org,
        pk=klass.pk,
        rev=rev if rev is not None else p.data.get("rev"),
        resource="Klass",
        missing=f"No Klass named '{klass.name}'.",
    )
    changes = changes_of(klass, fields, KLASS_API_NAMES)
    if rels is not None:
        before = relationships.definitions_for(org=org, klass_names=[klass.name])[klass.name]
        relationships.definitions_set(org=org, actor=actor, klass=klass, items=rels)
        after = relationships.definitions_for(org=org, klass_names=[klass.name])[klass.name]
        if before != after:
            changes["relationships"] = {"before": before, "after": after}
    # relationships live in their own rows: changing only them still moves the Klass's rev
    if not model_update(klass, fields, extra=("updated_at",) if changes else ()):
        return klass
    emit(
        org=org,
        type="klass.update",
        resource="klass",
        resource_id=klass.name,
        actor=actor,
        rev=klass.rev,
        data={"name": klass.name},
        changes=changes,
    )
    return klass


def klass_get(*, org, name):
    klass = Klass.objects.filter(org=org, name=name).first()
    if klass is None:
        raise NotFound(f"No Klass named '{name}'.")
    return klass
