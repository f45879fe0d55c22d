"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from conversations import api
from kdesk.api.routing import api_path

urlpatterns = []
api_urlpatterns = [
    *api_path("conversations", api.ConversationListView.as_view(), name="api-conversations"),
    *api_path(
        "conversations/<int:pk>", api.ConversationDetailView.as_view(), name="api-conversation"
    ),
    *api_path(
        "conversations/<int:pk>/history",
        api.ConversationHistoryView.as_view(),
        name="api-conversation-history",
    ),
    *api_path(
        "conversations/<int:pk>/messages",
        api.ConversationMessageListView.as_view(),
        name="api-conversation-messages",
    ),
    *api_path(
        "conversations/<int:pk>/messages/<int:message_pk>",
        api.ConversationMessageDetailView.as_view(),
        name="api-conversation-message",
    ),
    *api_path(
        "conversations/<int:pk>/notes",
        api.ConversationNoteListView.as_view(),
        name="api-conversation-notes",
    ),
    *api_path(
        "conversations/<int:pk>/notes/<int:note_pk>",
        api.ConversationNoteDetailView.as_view(),
        name="api-conversation-note",
    ),
    *api_path(
        "customers/<int:pk>/conversations",
        api.CustomerConversationListView.as_view(),
        name="api-customer-conversations",
    ),
    *api_path(
        "customers/<int:pk>/messages",
        api.CustomerMessageCreateView.as_view(),
        name="api-customer-messages",
    ),
    *api_path("tags", api.TagListView.as_view(), name="api-tags"),
    *api_path("tags/<int:pk>", api.TagDetailView.as_view(), name="api-tag"),
    *api_path("shortcuts", api.ShortcutListView.as_view(), name="api-shortcuts"),
    *api_path("shortcuts/<int:pk>", api.ShortcutDetailView.as_view(), name="api-shortcut"),
    *api_path("shortcuts/<int:pk>/copy", api.ShortcutCopyView.as_view(), name="api-shortcut-copy"),
]
