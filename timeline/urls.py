"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from django.urls import path

from kdesk.api.routing import api_path
from timeline import api, kview_editor
from timeline.views import (
    attributes,
    bulk,
    cards,
    compose,
    conversation,
    customer,
    customers,
    inbox,
    kobjects,
    merge,
    notifications,
    saved_views,
    settings_shortcuts,
    shortcuts,
)

KV = "settings/kviews"
urlpatterns = [
    path(f"{KV}/", kview_editor.kview_list, name="settings-kviews"),
    path(f"{KV}/_new/", kview_editor.kview_new, name="settings-kview-new"),
    path(f"{KV}/_preview/", kview_editor.kview_preview, name="settings-kview-preview"),
    path(f"{KV}/_samples/", kview_editor.kview_samples_options),
    path(f"{KV}/_variables/", kview_editor.kview_variables),
    path(f"{KV}/<int:pk>/", kview_editor.kview_edit, name="settings-kview"),
    path(f"{KV}/<int:pk>/delete/", kview_editor.kview_delete),
    path("settings/shortcuts/", settings_shortcuts.shortcuts_and_tags, name="settings-shortcuts"),
    path("settings/shortcuts/<int:pk>/", settings_shortcuts.shortcut_edit),
    path("settings/shortcuts/<int:pk>/delete/", settings_shortcuts.shortcut_remove),
    path("settings/tags/_new/", settings_shortcuts.tag_new),
    path("settings/tags/<int:pk>/", settings_shortcuts.tag_edit),
    path("settings/tags/<int:pk>/delete/", settings_shortcuts.tag_remove),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bulk/", bulk.bulk, name="inbox-bulk"),
    path("inbox/views/new/", saved_views.view_new, name="inbox-view-new"),
    path("inbox/views/counts/", saved_views.view_counts, name="inbox-view-counts"),
    path("inbox/views/<int:pk>/edit/", saved_views.view_edit, name="inbox-view-edit"),
    path("inbox/views/<int:pk>/delete/", saved_views.view_delete, name="inbox-view-delete"),
    path("customers/", customers.customers, name="customers"),
    path("customers/new/", customers.customer_new, name="customer-new"),
    path("customers/<int:pk>/", customer.customer_page, name="customer"),
    path("customers/<int:pk>/timeline/", customer.customer_timeline, name="customer-timeline"),
    path("customers/<int:pk>/compose/", compose.compose, name="customer-compose"),
    path(
        "customers/<int:pk>/conversation/",
        conversation.conversation_panel,
        name="customer-conversation",
    ),
    path("customers/<int:pk>/insights/", attributes.insights_panel, name="customer-insights"),
    path("customers/<int:pk>/cards/", cards.insight_cards, name="customer-cards"),
    path(
        "customers/<int:pk>/attributes/<str:name>/",
        attributes.attribute,
        name="customer-attribute",
    ),
    path("customers/<int:pk>/objects/new/", kobjects.kobject_new, name="customer-kobject-new"),
    path("customers/<int:pk>/merge/", merge.customer_merge_page, name="customer-merge"),
    path("customers/<int:pk>/tags/", attributes.customer_tags, name="customer-tags"),
    path(
        "customers/<int:pk>/identities/<str:field>/",
        attributes.identities,
        name="customer-identities",
    ),
    path(
        "customers/<int:pk>/shortcuts.json",
        compose.shortcut_suggestions,
        name="customer-shortcuts",
    ),
    path("desk/mentions.json", compose.mention_suggestions, name="desk-mentions"),
    path("desk/entries/<int:event_id>/kview/", cards.entry_kview, name="desk-entry-kview"),
    path("desk/demo/loyalty/", cards.demo_loyalty, name="desk-demo-loyalty"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications-read"),
    path("shortcuts/", shortcuts.shortcuts, name="shortcuts"),
    path("shortcuts/<int:pk>/edit/", shortcuts.shortcut_edit, name="shortcut-edit"),
    path("shortcuts/<int:pk>/delete/", shortcuts.shortcut_delete, name="shortcut-delete"),
    path("shortcuts/<int:pk>/copy/", shortcuts.shortcut_copy, name="shortcut-copy"),
]
api_urlpatterns = [
    *api_path(
        "customers/<int:pk>/timeline", api.CustomerTimelineView.as_view(), name="api-timeline"
    ),
]
