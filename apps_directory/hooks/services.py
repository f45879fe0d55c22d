"""Writes for inbound hooks, and the intake that records `hook.received`."""

import secrets

from django.db import transaction
from django.utils import timezone

from apps_directory.hooks.models import Hook
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import delete_with_event, emit_for, lock_for_write, model_changes, model_update

FIELDS = {"name", "kind", "enabled", "rateLimitPerMinute", "rev"}


def new_token():
    return secrets.token_urlsafe(32)


def snapshot(hook):
    return {"name": hook.name, "kind": hook.kind, "enabled": hook.enabled}


def _clean(p, *, creating):
    out = {}
    name = p.string("name", max_length=100, required=creating, blank=False)
    if name is not None:
        out["name"] = name
    elif not creating and p.has("name") and p.data["name"] is None:
        # null clears an attribute (API.md), and a hook always has a name
        p.error("name", "required", "name is required: a hook's name cannot be cleared.")
    if creating:
        kind = p.choice("kind", Hook.Kind.values, required=True)
        if kind:
            out["kind"] = kind
    elif p.has("kind"):
        p.error("kind", "read_only", "A hook's kind cannot change; create another hook.")
    enabled = p.boolean("enabled")
    if enabled is not None:
        out["enabled"] = enabled
    if p.has("rateLimitPerMinute"):
        out["rate_limit_per_minute"] = p.integer("rateLimitPerMinute", minimum=1, maximum=100_000)
    return out


def _emit(org, actor, hook, type, changes=None):
    emit_for(
        hook, type, org=org, actor=actor, resource="hook", data=snapshot(hook), changes=changes
    )


@transaction.atomic
def hook_create(*, org, actor, data):
    p = Payload(data, allowed=FIELDS - {"rev"})
    fields = _clean(p, creating=True)
    p.raise_if_errors()
    now = timezone.now()
    hook = Hook.objects.create(
        org=org,
        token=new_token(),
        created_by=actor if actor is not None and actor.pk else None,
        created_at=now,
        updated_at=now,
        **fields,
    )
    _emit(org, actor, hook, "hook.create")
    return hook


def _locked(org, hook, rev=None):
    return lock_for_write(
        Hook,
        org=org,
        pk=hook.pk,
        rev=rev,
        resource="hook",
        missing="This hook was deleted meanwhile.",
    )


@transaction.atomic
def hook_update(*, org, actor, hook, data):
    p = Payload(data, allowed=FIELDS)
    fields = _clean(p, creating=False)
    p.raise_if_errors()
    hook = _locked(org, hook, data.get("rev"))
    changes = model_changes(hook, fields)
    if changes:
        _emit(org, actor, hook, "hook.update", changes)
    return hook


@transaction.atomic
def hook_rotate(*, org, actor, hook):
    """A new URL; the old one stops working at once."""
    hook = _locked(org, hook)
    model_update(hook, {"token": new_token()})
    _emit(org, actor, hook, "hook.update", {"url": {"before": "(hidden)", "after": "(rotated)"}})
    return hook


@transaction.atomic
def hook_delete(*, org, actor, hook):
    hook = _locked(org, hook)
    delete_with_event(
        hook, "hook.delete", org=org, actor=actor, resource="hook", data=snapshot(hook)
    )


# One statement's write: inside the view's transaction no savepoint of its own is worth its two
# round trips (an error fails the call whole).
@transaction.atomic(savepoint=False)
def hook_receive(*, hook, payload, content_type, size):
    """Record one call: a `hook.received` event (workflows bound to the hook start from it)."""
    return emit(
        org=hook.org,
        type="hook.received",
        resource="hook",
        resource_id=hook.pk,
        data={
            "hook": {"id": str(hook.pk), "name": hook.name, "kind": hook.kind},
            "contentType": content_type,
            "size": size,
            "payload": payload,
        },
    )
