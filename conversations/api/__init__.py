"""`/v1/` endpoints for conversations, messages, notes, tags and shortcuts, by topic."""

from .conversations import (
    ConversationDetailView,
    ConversationFilter,
    ConversationHistoryView,
    ConversationListView,
    CustomerConversationListView,
)
from .entries import (
    ConversationMessageDetailView,
    ConversationMessageListView,
    ConversationNoteDetailView,
    ConversationNoteListView,
    CustomerMessageCreateView,
)
from .shortcuts import ShortcutCopyView, ShortcutDetailView, ShortcutListView
from .tags import TagDetailView, TagListView

__all__ = [
    "ConversationDetailView",
    "ConversationFilter",
    "ConversationHistoryView",
    "ConversationListView",
    "ConversationMessageDetailView",
    "ConversationMessageListView",
    "ConversationNoteDetailView",
    "ConversationNoteListView",
    "CustomerConversationListView",
    "CustomerMessageCreateView",
    "ShortcutCopyView",
    "ShortcutDetailView",
    "ShortcutListView",
    "TagDetailView",
    "TagListView",
]
