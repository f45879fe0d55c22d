"""Every write of the conversations app, by topic: conversations, messages, notes (with
mentions and their notifications), notifications' read state, tags and shortcuts. Each write is
atomic and records its events."""

from .common import html_to_text, make_preview, sanitize_html
from .conversations import (
    conversation_create,
    conversation_create_within,
    conversation_update,
)
from .mentions import parse_mentions
from .messages import (
    message_create,
    message_create_within,
    message_delete,
    message_rule_errors,
    message_update,
    message_update_within,
)
from .notes import note_create, note_delete, note_update
from .notifications import notifications_mark_read, notifications_mark_seen
from .purge import (
    conversation_delete,
    conversations_delete_for_customer,
    conversations_move_customer,
    conversations_unassign_team,
)
from .shortcuts import (
    shortcut_apply,
    shortcut_can_change,
    shortcut_conversation_changes,
    shortcut_copy,
    shortcut_create,
    shortcut_delete,
    shortcut_render,
    shortcut_update,
)
from .snooze import conversation_snooze_end
from .tags import tag_create, tag_delete, tag_update

__all__ = [
    "conversation_create",
    "conversation_create_within",
    "conversation_delete",
    "conversation_snooze_end",
    "conversation_update",
    "conversations_delete_for_customer",
    "conversations_move_customer",
    "conversations_unassign_team",
    "html_to_text",
    "make_preview",
    "message_create",
    "message_create_within",
    "message_delete",
    "message_rule_errors",
    "message_update",
    "message_update_within",
    "note_create",
    "note_delete",
    "note_update",
    "notifications_mark_read",
    "notifications_mark_seen",
    "parse_mentions",
    "sanitize_html",
    "shortcut_apply",
    "shortcut_can_change",
    "shortcut_conversation_changes",
    "shortcut_copy",
    "shortcut_create",
    "shortcut_delete",
    "shortcut_render",
    "shortcut_update",
    "tag_create",
    "tag_delete",
    "tag_update",
]
