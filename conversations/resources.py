"""Conversations, their messages and internal notes as the core sees them (kdesk.resources):
what a list returns, how a row is represented, what can be searched and what validation rules
may name."""

from conversations.models import Conversation, Message
from conversations.representations import (
    CONVERSATION_FIELDS,
    MESSAGE_FIELDS,
    NOTE_FIELDS,
    conversation_resource,
    message_resource,
    note_resource,
)
from conversations.services import conversations_delete_for_customer, conversations_move_customer
from kdesk.resources import Resource, RuleField
from kdesk.search.fields import Field, foreign_key, standard_fields
from klasses.schema.search import attribute_type, attribute_value


def _text(label, **kw):
    return RuleField(kind="text", label=label, **kw)


CONVERSATION = Resource(
    name="conversation",
    model="conversations.Conversation",
    label="Conversation",
    plural="conversations",
    fields=CONVERSATION_FIELDS,
    represent=conversation_resource,
    search=standard_fields(
        name=Field("text", "name"),
        status=Field("text", "status"),
        snooze_until=Field("datetime", "snooze_until", nullable=True),
        priority=Field("int", "priority"),
        channels=Field("array", "channels", sortable=False),
        tags=Field("array", "tags", sortable=False),
        first_message_at=Field("datetime", "first_message_at", nullable=True),
        last_message_at=Field("datetime", "last_message_at", nullable=True),
        last_activity_at=Field("datetime", "last_activity_at"),
        preview=Field("text", "last_message_preview"),
        last_message_preview=Field("text", "last_message_preview"),
        message_count=Field("int", "message_count"),
        **foreign_key("customer_id"),
        **foreign_key("assigned_user_id"),
        **foreign_key("assigned_team_id"),
    ),
    attribute_type=attribute_type,
    attribute_value=attribute_value,
    rule_fields={
        "name": _text("Subject"),
        "status": _text("Status", choices=tuple(Conversation.Status.values)),
        "snoozeUntil": RuleField(kind="datetime", label="Snoozed until"),
        "priority": RuleField(kind="int", label="Priority"),
        "assignedUser": RuleField(kind="int", label="Assigned user"),
        "assignedTeam": RuleField(kind="int", label="Assigned team"),
        "tags": RuleField(kind="array", label="Tags"),
    },
    events=("conversation.create", "conversation.update", "conversation.delete"),
    # A customer's conversations (with their messages, notes and notifications) go with it,
    # or move with it when it is merged, through this app's services and their events.
    on_customer_delete=conversations_delete_for_customer,
    on_customer_merge=conversations_move_customer,
)

MESSAGE = Resource(
    name="message",
    model="conversations.Message",
    label="Message",
    plural="messages",
    fields=MESSAGE_FIELDS,
    represent=message_resource,
    search=standard_fields(
        direction=Field("text", "direction"),
        channel=Field("text", "channel"),
        body=Field("text", "body", sortable=False),
        preview=Field("text", "preview"),
        sent_at=Field("datetime", "sent_at"),
        **foreign_key("conversation_id"),
        **foreign_key("customer_id"),
        **foreign_key("author_id"),
    ),
    attribute_type=attribute_type,
    attribute_value=attribute_value,
    rule_fields={
        "body": _text("Body"),
        "direction": _text("Direction", choices=tuple(Message.Direction.values)),
        "channel": _text("Channel"),
        "sentAt": RuleField(kind="datetime", label="Sent at"),
        "subject": _text("Subject"),
    },
    events=(
        "conversation.message.create",
        "conversation.message.update",
        "conversation.message.delete",
    ),
)

NOTE = Resource(
    name="note",
    model="conversations.Note",
    label="Note",
    plural="notes",
    fields=NOTE_FIELDS,
    represent=note_resource,
    search=standard_fields(
        body=Field("text", "body", sortable=False),
        mentioned_user_ids=Field("array", "mentioned_user_ids", sortable=False, element="int"),
        mentioned_team_ids=Field("array", "mentioned_team_ids", sortable=False, element="int"),
        **foreign_key("conversation_id"),
        **foreign_key("customer_id"),
        **foreign_key("author_id"),
    ),
    json_columns=(),  # notes have no custom attributes (yet)
    custom=False,
    events=(
        "conversation.note.create",
        "conversation.note.update",
        "conversation.note.delete",
    ),
)

RESOURCES = (CONVERSATION, MESSAGE, NOTE)
