"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from django.urls import path

from kdesk.api.routing import api_path
from timeline import api, kview_editor, views

KV = "settings/kviews"
urlpatterns = [
    path(f"{KV}/", kview_editor.kview_list, name="settings-kviews"),
    path(f"{KV}/_new/", kview_editor.kview_new, name="settings-kview-new"),
    path(f"{KV}/_preview/", kview_editor.kview_preview, name="settings-kview-preview"),
    path(f"{KV}/_samples/", kview_editor.kview_samples_options),
    path(f"{KV}/_variables/", kview_editor.kview_variables),
    path(f"{KV}/<int:pk>/", kview_editor.kview_edit, name="settings-kview"),
    path(f"{KV}/<int:pk>/delete/", kview_editor.kview_delete),
    path("inbox/", views.inbox, name="inbox"),
    path("customers/", views.customers, name="customers"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/<int:pk>/", views.customer_page, name="customer"),
    path("customers/<int:pk>/timeline/", views.customer_timeline, name="customer-timeline"),
    path("customers/<int:pk>/compose/", views.compose, name="customer-compose"),
    path(
        "customers/<int:pk>/conversation/",
        views.conversation_panel,
        name="customer-conversation",
    ),
    path("customers/<int:pk>/insights/", views.insights_panel, name="customer-insights"),
    path("customers/<int:pk>/cards/", views.insight_cards, name="customer-cards"),
    path(
        "customers/<int:pk>/attributes/<str:name>/",
        views.attribute,
        name="customer-attribute",
    ),
    path("customers/<int:pk>/tags/", views.customer_tags, name="customer-tags"),
    path(
        "customers/<int:pk>/identities/<str:field>/",
        views.identities,
        name="customer-identities",
    ),
    path(
        "customers/<int:pk>/shortcuts.json",
        views.shortcut_suggestions,
        name="customer-shortcuts",
    ),
    path("desk/mentions.json", views.mention_suggestions, name="desk-mentions"),
    path("desk/entries/<int:event_id>/kview/", views.entry_kview, name="desk-entry-kview"),
    path("desk/demo/loyalty/", views.demo_loyalty, name="desk-demo-loyalty"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("shortcuts/", views.shortcuts, name="shortcuts"),
    path("shortcuts/<int:pk>/edit/", views.shortcut_edit, name="shortcut-edit"),
    path("shortcuts/<int:pk>/delete/", views.shortcut_delete, name="shortcut-delete"),
    path("shortcuts/<int:pk>/copy/", views.shortcut_copy, name="shortcut-copy"),
]
api_urlpatterns = [
    *api_path(
        "customers/<int:pk>/timeline", api.CustomerTimelineView.as_view(), name="api-timeline"
    ),
]
