"""The org's conversation tags."""

import re

from django.db import transaction

from conversations.models import Tag
from conversations.representations import (
    tag_resource,
)
from kdesk.events import diff, emit
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken, serialize
from kdesk.updates import lock_for_write

from .common import _now, _rev_in

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _tag_fields(p, *, org, current=None, partial=False):
    out = {}
    if p.has("name") or current is None or not partial:
        name = p.string("name", max_length=100, required=True, blank=False)
        if name:
            # names are unique ignoring case, which the constraint cannot see: hold the name
            # until this transaction ends so that a concurrent "VIP" waits for this "vip"
            serialize("tag-name", org.pk, name.lower())
            clash = Tag.objects.filter(org=org, name__iexact=name)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                p.error("name", "taken", f"A tag named {name!r} exists.")
            out["name"] = name
    if p.has("color") or current is None or not partial:
        color = p.string("color", max_length=7, default="#6b7280")
        if color is not None and not COLOR_RE.match(color):
            p.error("color", "invalid", "color must look like #rrggbb.")
        out["color"] = (color or "#6b7280").lower()
    return out


@transaction.atomic
def tag_create(*, org, actor, data):
    p = Payload(data, allowed={"name", "color"})
    fields = _tag_fields(p, org=org)
    raise_invalid_or_taken(p.errors)
    with conflict_on_duplicate("/name", f"A tag named {fields['name']!r} exists."):
        tag = Tag.objects.create(org=org, **fields)
    emit(
        org=org,
        type="tag.create",
        resource="tag",
        resource_id=tag.pk,
        actor=actor,
        rev=tag.rev,
        data=tag_resource(tag),
    )
    return tag


@transaction.atomic
def tag_update(*, org, actor, tag, data, partial=False):
    tag = lock_for_write(
        Tag, org=org, pk=getattr(tag, "pk", tag), rev=_rev_in(data), resource="tag"
    )
    p = Payload(data, allowed={"name", "color", "rev"})
    fields = _tag_fields(p, org=org, current=tag, partial=partial)
    raise_invalid_or_taken(p.errors)
    before = tag_resource(tag)["attributes"]
    for k, v in fields.items():
        setattr(tag, k, v)
    changes = diff(before, tag_resource(tag)["attributes"], ["name", "color"])
    if not changes:
        return tag
    tag.rev += 1
    tag.updated_at = _now()
    with conflict_on_duplicate("/name", f"A tag named {tag.name!r} exists."):
        tag.save()
    emit(
        org=org,
        type="tag.update",
        resource="tag",
        resource_id=tag.pk,
        actor=actor,
        rev=tag.rev,
        data=tag_resource(tag),
        changes=changes,
    )
    return tag


@transaction.atomic
def tag_delete(*, org, actor, tag, rev=None):
    tag = lock_for_write(Tag, org=org, pk=getattr(tag, "pk", tag), rev=rev, resource="tag")
    snapshot = tag_resource(tag)
    pk = tag.pk
    tag.delete()
    emit(
        org=org,
        type="tag.delete",
        resource="tag",
        resource_id=pk,
        actor=actor,
        rev=snapshot["attributes"]["rev"],
        data=snapshot,
    )
