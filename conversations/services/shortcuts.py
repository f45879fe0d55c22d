"""Shortcuts: saved replies with conversation defaults, shared or private; writes, copies, and what
applying one does."""

import re

from django.db import transaction
from django.db.models import Q

from conversations import richtext
from conversations.models import Conversation, Shortcut
from conversations.representations import (
    shortcut_resource,
)
from kdesk.errors import FieldError, Forbidden, NotFound, check_rev
from kdesk.events import diff, emit
from kdesk.models import User
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken
from kdesk.updates import lock_for_write

from .common import _now
from .conversations import conversation_update

PLACEHOLDER_RE = re.compile(
    r"\{\{\s*([A-Za-z]+)\.([A-Za-z]+)(?:\.([A-Za-z][A-Za-z0-9_-]{0,127}))?\s*\}\}"
)


SHORTCUT_WRITABLE = {"name", "payload", "draft", "isPrivate", "visibility", "conversation"}
# What a client reads back and may send again unchanged (a GET → PUT round trip).
SHORTCUT_READ_ONLY = {"createdBy", "modifiedBy", "createdAt", "updatedAt", "modifiedAt", "deleted"}
TAG_OPERATORS = ("append", "replace", "remove")
NAME_OPERATORS = ("replace",)


def _shortcut_text(p, *, required):
    """(rich text doc, plain text) from `payload` (a string, or {text: string | doc})."""
    if not p.has("payload"):
        if required:
            p.error("payload", "required", "payload is required.")
        return None, None
    if p.data["payload"] is None:  # a shortcut always has a text: null cannot clear it
        p.error("payload", "required", "payload cannot be null: a shortcut needs its text.")
        return None, None
    value, pointer = p.data["payload"], "/payload"
    if isinstance(value, dict):
        extra = sorted(set(value) - {"text"})
        for key in extra:
            p.errors.append(FieldError(f"/payload/{key}", "unknown", f"Unknown attribute '{key}'."))
        if "text" not in value:
            p.error("payload", "required", "payload.text is required.")
            return None, None
        value, pointer = value["text"], "/payload/text"
    if isinstance(value, str) and not value.strip():
        p.errors.append(FieldError(pointer, "required", "The shortcut text may not be blank."))
        return None, None
    doc, errors = richtext.clean(value, pointer)
    p.errors.extend(errors)
    if errors:
        return None, None
    return doc, richtext.to_text(doc)


def _conversation_defaults(p):
    value = p.data.get("conversation")
    if value is None:
        return {}
    if not isinstance(value, dict):
        p.error("conversation", "type", "conversation must be an object: {tags, name}.")
        return {}
    out = {}
    for key in sorted(set(value) - {"tags", "name"}):
        p.errors.append(
            FieldError(f"/conversation/{key}", "unknown", f"Unknown conversation default '{key}'.")
        )
    for key, operators in (("tags", TAG_OPERATORS), ("name", NAME_OPERATORS)):
        item = value.get(key)
        if item is None:
            continue
        at = f"/conversation/{key}"
        if not isinstance(item, dict):
            p.errors.append(FieldError(at, "type", f"{key} must be {{operator, value}}."))
            continue
        for extra in sorted(set(item) - {"operator", "value"}):
            p.errors.append(FieldError(f"{at}/{extra}", "unknown", f"Unknown attribute '{extra}'."))
        operator = item.get("operator", operators[0])
        if operator not in operators:
            p.errors.append(
                FieldError(
                    f"{at}/operator", "invalid", f"operator must be one of: {', '.join(operators)}."
                )
            )
            continue
        sub = Payload({"value": item.get("value")}, allowed={"value"}, pointer=at)
        if key == "tags":
            tags = sub.strings("value", max_items=50, max_length=100)
            if tags is None and not sub.errors:
                sub.error("value", "required", "value is a list of tag names.")
            if not sub.errors:
                out["tags"] = {"operator": operator, "value": tags}
        else:
            name = sub.string("value", max_length=255, required=True, blank=False)
            if not sub.errors:
                out["name"] = {"operator": operator, "value": name}
        p.errors.extend(sub.errors)
    return out


def _shortcut_fields(p, *, org, owner, current=None, partial=False):
    out = {}
    creating = current is None
    if p.has("name") or creating or not partial:
        name = p.string("name", max_length=100, required=True, blank=False)
        if name:
            clash = Shortcut.objects.filter(org=org, owner=owner, name=name)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                p.error("name", "taken", f"You already have a shortcut named {name!r}.")
            out["name"] = name
    if p.has("payload") or creating or not partial:
        doc, text = _shortcut_text(p, required=True)
        if doc is not None:
            out["rich_text"], out["payload"] = doc, text
    if p.has("draft") and p.data["draft"] is not None:
        draft = p.obj("draft")
        if draft is not None:
            sub = Payload(draft, allowed={"text"}, pointer="/draft")
            out["draft_text"] = sub.string("text", max_length=20_000, default="") or ""
            p.errors.extend(sub.errors)
    elif "payload" in out and (creating or current.draft_text in ("", current.payload)):
        out["draft_text"] = out["payload"]  # the draft follows the text unless set apart
    if p.has("conversation") or creating or not partial:
        out["conversation_defaults"] = _conversation_defaults(p)
    if p.has("isPrivate"):
        # null: the default (shared), as visibility's null is
        private = p.boolean("isPrivate", default=False if p.data["isPrivate"] is None else None)
        if private is not None:
            out["visibility"] = "private" if private else "shared"
        visibility = p.data.get("visibility")
        visibility = Shortcut.Visibility.SHARED if visibility is None else visibility
        if p.has("visibility") and visibility != out.get("visibility"):
            p.error("visibility", "invalid", "visibility and isPrivate disagree.")
    elif p.has("visibility") or creating or not partial:
        out["visibility"] = p.choice(
            "visibility", Shortcut.Visibility.values, default=Shortcut.Visibility.SHARED
        )
    if p.data.get("deleted") not in (None, False):
        p.error("deleted", "read_only", "Delete a shortcut with DELETE /v1/shortcuts/{id}.")
    return out


def _visible(org, user):
    return Shortcut.objects.filter(org=org).filter(
        Q(visibility=Shortcut.Visibility.SHARED) | Q(owner=user)
    )


def shortcut_can_change(shortcut, user):
    """A shared shortcut is everyone's to use, but only its owner's (and admins') to change."""
    return user is not None and (shortcut.owner_id == user.pk or user.role == User.Role.ADMIN)


def _check_can_change(shortcut, actor, verb):
    if not shortcut_can_change(shortcut, actor):
        raise Forbidden(
            f"Only its owner or an admin can {verb} the shared shortcut #{shortcut.name}; "
            "copy it to make one of your own."
        )


def _shortcut_event(org, actor, shortcut, type, changes=None, snapshot=None):
    emit(
        org=org,
        type=type,
        resource="shortcut",
        resource_id=shortcut.pk,
        actor=actor,
        rev=shortcut.rev,
        data=snapshot or shortcut_resource(shortcut),
        changes=changes,
    )


@transaction.atomic
def shortcut_create(*, org, actor, data):
    p = Payload(data, allowed=SHORTCUT_WRITABLE | SHORTCUT_READ_ONLY)
    fields = _shortcut_fields(p, org=org, owner=actor)
    raise_invalid_or_taken(p.errors)
    author = actor if actor is not None and actor.pk else None
    with conflict_on_duplicate("/name", f"You already have a shortcut named {fields['name']!r}."):
        shortcut = Shortcut.objects.create(org=org, owner=actor, modified_by=author, **fields)
    _shortcut_event(org, actor, shortcut, "shortcut.create")
    return shortcut


SHORTCUT_CHANGES = ("name", "payload", "draft", "isPrivate", "conversation")


@transaction.atomic
def shortcut_update(*, org, actor, shortcut, data, partial=False):
    # the owner (or an admin) check comes before the revision's: a 403 tells more than a 409
    shortcut = lock_for_write(
        _visible(org, actor), org=org, pk=getattr(shortcut, "pk", shortcut), resource="shortcut"
    )
    _check_can_change(shortcut, actor, "change")
    p = Payload(data, allowed=SHORTCUT_WRITABLE | SHORTCUT_READ_ONLY | {"rev"})
    check_rev(shortcut.rev, p.data.get("rev"), resource="shortcut")
    fields = _shortcut_fields(p, org=org, owner=shortcut.owner, current=shortcut, partial=partial)
    raise_invalid_or_taken(p.errors)
    before = shortcut_resource(shortcut)["attributes"]
    for k, v in fields.items():
        setattr(shortcut, k, v)
    changes = diff(before, shortcut_resource(shortcut)["attributes"], SHORTCUT_CHANGES)
    if not changes:
        return shortcut
    shortcut.rev += 1
    shortcut.updated_at = _now()
    shortcut.modified_by = actor if actor is not None and actor.pk else None
    with conflict_on_duplicate("/name", f"A shortcut named {shortcut.name!r} exists."):
        shortcut.save()
    _shortcut_event(org, actor, shortcut, "shortcut.update", changes=changes)
    return shortcut


@transaction.atomic
def shortcut_delete(*, org, actor, shortcut, rev=None):
    # the owner (or an admin) check comes before the revision's: a 403 tells more than a 409
    shortcut = lock_for_write(
        _visible(org, actor), org=org, pk=getattr(shortcut, "pk", shortcut), resource="shortcut"
    )
    _check_can_change(shortcut, actor, "delete")
    check_rev(shortcut.rev, rev, resource="shortcut")
    snapshot = shortcut_resource(shortcut, deleted=True)
    snapshot["attributes"]["modifiedBy"] = str(actor.pk) if actor is not None else None
    deleted = Shortcut(pk=shortcut.pk, rev=shortcut.rev)
    shortcut.delete()
    _shortcut_event(org, actor, deleted, "shortcut.delete", snapshot=snapshot)


def _copy_name(org, owner, name):
    base = f"{name[:93]}-copy"
    taken = set(
        Shortcut.objects.filter(org=org, owner=owner, name__startswith=base).values_list(
            "name", flat=True
        )
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def shortcut_copy(*, org, actor, shortcut, data=None):
    """A new shortcut owned by `actor` with the text and defaults of one they can see; the body
    may rename it (`name`) or share it (`isPrivate: false`). Private unless told otherwise."""
    source = _visible(org, actor).filter(pk=getattr(shortcut, "pk", shortcut)).first()
    if source is None:
        raise NotFound("No shortcut with this id.")
    p = Payload(data or {}, allowed={"name", "isPrivate"})
    name = p.string("name", max_length=100, blank=False) or _copy_name(org, actor, source.name)
    private = p.boolean("isPrivate", default=True)
    p.raise_if_errors()
    return shortcut_create(
        org=org,
        actor=actor,
        data={
            "name": name,
            "payload": {"text": source.rich_text or richtext.from_text(source.payload)},
            "draft": {"text": source.draft_text or source.payload},
            "conversation": source.conversation_defaults,
            "isPrivate": private,
        },
    )


def shortcut_conversation_changes(shortcut, conversation):
    """The conversation update (`tags`, `name`) that applying the shortcut makes, or {}."""
    defaults = shortcut.conversation_defaults or {}
    out = {}
    tags = defaults.get("tags")
    if tags:
        current = list(conversation.tags or [])
        value = tags["value"]
        if tags["operator"] == "replace":
            new = list(value)
        elif tags["operator"] == "remove":
            new = [t for t in current if t not in value]
        else:
            new = current + [t for t in value if t not in current]
        if new != current:
            out["tags"] = new
    name = defaults.get("name")
    if name and name["value"] != conversation.name:
        out["name"] = name["value"]
    return out


def shortcut_apply(*, org, actor, shortcut, conversation):
    """Apply the shortcut's conversation defaults (tags, name) to the conversation."""
    conversation = Conversation.objects.filter(
        org=org, pk=getattr(conversation, "pk", conversation)
    ).first()
    if conversation is None:
        raise NotFound("No conversation with this id.")
    changes = shortcut_conversation_changes(shortcut, conversation)
    if not changes:
        return conversation
    return conversation_update(
        org=org, actor=actor, conversation=conversation, data=changes, partial=True
    )


def _first_last(name):
    parts = (name or "").split()
    return (parts[0] if parts else ""), (" ".join(parts[1:]) if len(parts) > 1 else "")


def shortcut_render(shortcut, *, customer=None, agent=None, conversation=None):
    """Substitute `{{customer.firstName}}`-style placeholders and custom attributes
    (`{{customer.custom.tierStr}}`, `{{conversation.custom.reasonStr}}`); unknown ones stay as
    written, so a typo shows in the reply rather than vanishing."""
    payload = shortcut.payload if hasattr(shortcut, "payload") else str(shortcut)
    values = {}
    if customer is not None:
        first, last = _first_last(customer.name)
        emails = getattr(customer, "emails", None) or []
        values.update(
            {
                ("customer", "name"): customer.name or "",
                ("customer", "firstName"): first,
                ("customer", "lastName"): last,
                ("customer", "email"): (emails[0].get("email", "") if emails else ""),
            }
        )
    if agent is not None:
        name = agent.display_name or agent.username
        first, last = _first_last(name)
        values.update(
            {
                ("agent", "name"): name,
                ("agent", "displayName"): name,
                ("agent", "firstName"): first,
                ("agent", "lastName"): last,
                ("agent", "email"): agent.email,
            }
        )

    customs = {"customer": getattr(customer, "custom", None) or {}}
    if conversation is not None:
        customs["conversation"] = conversation.custom or {}
        values[("conversation", "name")] = conversation.name or ""

    def sub(match):
        owner, field, attribute = match.groups()
        if attribute is not None:
            if field != "custom" or attribute not in customs.get(owner, {}):
                return match.group(0)
            return _placeholder_text(customs[owner][attribute])
        key = (owner, field)
        return values[key] if key in values else match.group(0)

    return PLACEHOLDER_RE.sub(sub, payload)


def _placeholder_text(value):
    """A custom attribute as an agent would write it in a reply."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):  # a Tree node or an Obj: its label, else its values
        if "displayName" in value:
            return str(value["displayName"])
        return ", ".join(_placeholder_text(v) for v in value.values())
    if isinstance(value, list):
        return ", ".join(_placeholder_text(v) for v in value)
    return str(value)
