"""Plain serializers shared by the API (responses) and the services (event snapshots).

Each takes a model instance or a `.values()` dict with the model's field names and makes no
queries. Event snapshots add a resource-level `meta` with display names (author, assignee,
conversation name, mentioned usernames/slugs) so the timeline renders without lookups.
"""

from kdesk.representations import iso


def _getter(row):
    if isinstance(row, dict):
        return row.get
    return lambda f: getattr(row, f, None)


def _rel(kind, pk):
    return {"data": {"type": kind, "id": str(pk)}}


CONVERSATION_FIELDS = (
    "id",
    "customer_id",
    "name",
    "status",
    "snooze_until",
    "priority",
    "channels",
    "assigned_user_id",
    "assigned_team_id",
    "tags",
    "custom",
    "rev",
    "created_at",
    "updated_at",
    "first_message_at",
    "last_message_at",
    "last_activity_at",
    "last_message_preview",
    "message_count",
)


def conversation_attributes(row):
    get = _getter(row)
    return {
        "name": get("name"),
        "status": get("status"),
        "snoozeUntil": iso(get("snooze_until")),
        "priority": get("priority"),
        "channels": list(get("channels") or []),
        "tags": list(get("tags") or []),
        # Kustomer models assignment as lists; kdesk keeps one owner, so at most one id each.
        "assignedUsers": [str(get("assigned_user_id"))] if get("assigned_user_id") else [],
        "assignedTeams": [str(get("assigned_team_id"))] if get("assigned_team_id") else [],
        "custom": dict(get("custom") or {}),
        "firstMessageAt": iso(get("first_message_at")),
        "lastMessageAt": iso(get("last_message_at")),
        "lastActivityAt": iso(get("last_activity_at")),
        "preview": get("last_message_preview"),
        "messageCount": get("message_count"),
        "rev": get("rev"),
        "createdAt": iso(get("created_at")),
        "updatedAt": iso(get("updated_at")),
    }


def conversation_resource(row):
    get = _getter(row)
    relationships = {"customer": _rel("customer", get("customer_id"))}
    if get("assigned_user_id"):
        relationships["assignedUser"] = _rel("user", get("assigned_user_id"))
    if get("assigned_team_id"):
        relationships["assignedTeam"] = _rel("team", get("assigned_team_id"))
    return {
        "type": "conversation",
        "id": str(get("id")),
        "attributes": conversation_attributes(row),
        "relationships": relationships,
        "links": {"self": f"/v1/conversations/{get('id')}"},
    }


def conversation_flat(conversation):
    """Flat attribute dict used for `changes` and validation rules (ids as strings)."""
    out = conversation_attributes(conversation)
    out["assignedUser"] = (
        str(conversation.assigned_user_id) if conversation.assigned_user_id else None
    )
    out["assignedTeam"] = (
        str(conversation.assigned_team_id) if conversation.assigned_team_id else None
    )
    out["customer"] = str(conversation.customer_id)
    return out


MESSAGE_FIELDS = (
    "id",
    "conversation_id",
    "customer_id",
    "direction",
    "channel",
    "body",
    "body_html",
    "preview",
    "author_id",
    "sent_at",
    "status",
    "status_detail",
    "custom",
    "cc",
    "attachments",
    "rev",
    "created_at",
    "updated_at",
)


def message_attachment(a):
    """One file of a message, with where to download it (org members, keys with message read
    scope)."""
    return {
        **a,
        "links": {
            "self": f"/v1/attachments/{a['id']}",
            "download": f"/v1/attachments/{a['id']}/content",
        },
    }


def message_status(direction, status):
    return status or ("received" if direction == "in" else "sent")


def message_resource(row):
    get = _getter(row)
    relationships = {
        "conversation": _rel("conversation", get("conversation_id")),
        "customer": _rel("customer", get("customer_id")),
    }
    if get("author_id"):
        relationships["author"] = _rel("user", get("author_id"))
    return {
        "type": "message",
        "id": str(get("id")),
        "attributes": {
            "direction": get("direction"),
            "channel": get("channel"),
            "body": get("body"),
            "bodyHtml": get("body_html") or None,
            "preview": get("preview"),
            "sentAt": iso(get("sent_at")),
            "status": message_status(get("direction"), get("status")),
            "statusDetail": get("status_detail") or "",
            "custom": dict(get("custom") or {}),
            "cc": list(get("cc") or []),
            "attachments": [message_attachment(a) for a in get("attachments") or []],
            "rev": get("rev"),
            "createdAt": iso(get("created_at")),
            "updatedAt": iso(get("updated_at")),
        },
        "relationships": relationships,
        "links": {"self": f"/v1/conversations/{get('conversation_id')}/messages/{get('id')}"},
    }


NOTE_FIELDS = (
    "id",
    "conversation_id",
    "customer_id",
    "author_id",
    "body",
    "mentioned_user_ids",
    "mentioned_team_ids",
    "rev",
    "created_at",
    "updated_at",
)


def note_resource(row):
    get = _getter(row)
    mentions = [{"user": str(i)} for i in get("mentioned_user_ids") or []] + [
        {"team": str(i)} for i in get("mentioned_team_ids") or []
    ]
    relationships = {
        "conversation": _rel("conversation", get("conversation_id")),
        "customer": _rel("customer", get("customer_id")),
    }
    if get("author_id"):
        relationships["author"] = _rel("user", get("author_id"))
    return {
        "type": "note",
        "id": str(get("id")),
        "attributes": {
            "body": get("body"),
            "isInternal": True,
            "userMentions": mentions,
            "rev": get("rev"),
            "createdAt": iso(get("created_at")),
            "updatedAt": iso(get("updated_at")),
        },
        "relationships": relationships,
        "links": {"self": f"/v1/conversations/{get('conversation_id')}/notes/{get('id')}"},
    }


TAG_FIELDS = ("id", "name", "color", "rev", "created_at", "updated_at")


def tag_resource(row):
    get = _getter(row)
    return {
        "type": "tag",
        "id": str(get("id")),
        "attributes": {
            "name": get("name"),
            "color": get("color"),
            "rev": get("rev"),
            "createdAt": iso(get("created_at")),
            "updatedAt": iso(get("updated_at")),
        },
        "relationships": {},
        "links": {"self": f"/v1/tags/{get('id')}"},
    }


SHORTCUT_FIELDS = (
    "id",
    "name",
    "payload",
    "rich_text",
    "draft_text",
    "conversation_defaults",
    "visibility",
    "owner_id",
    "modified_by_id",
    "rev",
    "created_at",
    "updated_at",
)


def shortcut_resource(row, *, deleted=False):
    """Kustomer's shortcut record. `payload.text` is the stored rich text (or, for a row written
    before it existed, the plain text one block per line with keys stable across reads)."""
    get = _getter(row)
    doc = get("rich_text") or {
        "blocks": [
            {
                "key": f"l{i:04d}",
                "text": line,
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
                "data": {},
            }
            for i, line in enumerate((get("payload") or "").split("\n"))
        ],
        "entityMap": {},
    }
    owner = get("owner_id")
    modifier = get("modified_by_id") or owner
    private = get("visibility") == "private"
    return {
        "type": "shortcut",
        "id": str(get("id")),
        "attributes": {
            "name": get("name"),
            "payload": {"text": doc},
            "draft": {"text": get("draft_text") or get("payload") or ""},
            "isPrivate": private,
            "visibility": get("visibility"),
            "conversation": dict(get("conversation_defaults") or {}),
            "createdBy": str(owner) if owner else None,
            "modifiedBy": str(modifier) if modifier else None,
            "deleted": deleted,
            "rev": get("rev"),
            "createdAt": iso(get("created_at")),
            "updatedAt": iso(get("updated_at")),
            "modifiedAt": iso(get("updated_at")),
        },
        "relationships": {
            "owner": _rel("user", owner),
            "createdBy": _rel("user", owner),
            "modifiedBy": _rel("user", modifier),
        },
        "links": {"self": f"/v1/shortcuts/{get('id')}"},
    }


# What a conversation's creation sets, reported as changes from nothing in its history.
HISTORY_INITIAL = ("name", "status", "priority", "tags", "snoozeUntil")


def _owners(attributes, relationships, single, plural):
    if plural in attributes:
        return list(attributes[plural])
    ref = (relationships.get(single) or {}).get("data") or {}
    return [ref["id"]] if ref.get("id") else []


def history_resource(row, conversation_id):
    """One step of a conversation's history (a `conversation.*` event): what changed, and the
    status and assignment it left the conversation in."""
    data = row["data"] or {}
    attributes = data.get("attributes") or {}
    relationships = data.get("relationships") or {}
    users = _owners(attributes, relationships, "assignedUser", "assignedUsers")
    teams = _owners(attributes, relationships, "assignedTeam", "assignedTeams")
    changes = dict(row["changes"] or {})
    if row["type"] == "conversation.create":
        initial = {name: attributes.get(name) for name in HISTORY_INITIAL}
        initial["assignedUser"] = users[0] if users else None
        initial["assignedTeam"] = teams[0] if teams else None
        initial.update({f"custom.{k}": v for k, v in (attributes.get("custom") or {}).items()})
        changes = {
            name: {"before": None, "after": value}
            for name, value in initial.items()
            if value not in (None, "", [], {})
        }
    return {
        "type": "conversation_history",
        "id": str(row["id"]),
        "attributes": {
            "event": row["type"],
            "rev": row["rev"],
            "changes": changes,
            "status": attributes.get("status"),
            "assignedUsers": users,
            "assignedTeams": teams,
            "createdAt": iso(row["created_at"]),
        },
        "relationships": {
            "conversation": _rel("conversation", conversation_id),
            **({"actor": _rel("user", row["actor_id"])} if row["actor_id"] else {}),
        },
        "links": {"self": f"/v1/events?after={row['id'] - 1}&limit=1"},
    }
