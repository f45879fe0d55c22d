"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from django.urls import path, re_path

from apps_directory import views
from apps_directory.catalog import api as apps_api
from apps_directory.catalog import views as apps_views
from apps_directory.hooks import api as hooks_api
from apps_directory.webhooks import api as webhooks_api
from kdesk.api.routing import api_path

urlpatterns = [
    path("settings/webhooks/", views.webhook_list, name="settings-webhooks"),
    path("settings/webhooks/<int:pk>/", views.webhook_detail, name="settings-webhook"),
    path(
        "settings/webhooks/<int:pk>/toggle/", views.webhook_toggle, name="settings-webhook-toggle"
    ),
    path(
        "settings/webhooks/<int:pk>/rotate/", views.webhook_rotate, name="settings-webhook-rotate"
    ),
    path(
        "settings/webhooks/<int:pk>/delete/", views.webhook_delete, name="settings-webhook-delete"
    ),
    path("settings/webhooks/<int:pk>/replay/", views.webhook_replay_failed),
    path("settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/", views.delivery_replay),
    path("settings/apps/", apps_views.app_list, name="settings-apps"),
    path("settings/apps/<slug:app>/install/", apps_views.app_install, name="settings-app-install"),
    path("settings/apps/installations/<int:pk>/<slug:action>/", apps_views.installation_action),
    path("settings/hooks/", views.hook_list, name="settings-hooks"),
    path("settings/hooks/<int:pk>/", views.hook_detail, name="settings-hook"),
    path("settings/hooks/<int:pk>/toggle/", views.hook_toggle, name="settings-hook-toggle"),
    path("settings/hooks/<int:pk>/rotate/", views.hook_rotate, name="settings-hook-rotate"),
    path("settings/hooks/<int:pk>/delete/", views.hook_delete, name="settings-hook-delete"),
]

W = "outbound-webhooks/<int:pk>"
api_urlpatterns = [
    *api_path("outbound-webhooks", webhooks_api.WebhookListView.as_view(), name="api-webhooks"),
    *api_path(W, webhooks_api.WebhookDetailView.as_view(), name="api-webhook"),
    *api_path(f"{W}/rotate", webhooks_api.WebhookRotateView.as_view()),
    *api_path(f"{W}/replay", webhooks_api.WebhookReplayView.as_view()),
    *api_path(f"{W}/deliveries", webhooks_api.DeliveryListView.as_view()),
    *api_path(f"{W}/deliveries/<int:delivery_pk>", webhooks_api.DeliveryDetailView.as_view()),
    *api_path(
        f"{W}/deliveries/<int:delivery_pk>/replay", webhooks_api.DeliveryReplayView.as_view()
    ),
    *api_path("apps", apps_api.AppListView.as_view(), name="api-apps"),
    *api_path("apps/installations", apps_api.InstallationListView.as_view()),
    *api_path("apps/installations/<int:pk>", apps_api.InstallationDetailView.as_view()),
    *api_path("hooks", hooks_api.HookListView.as_view(), name="api-hooks"),
    *api_path("hooks/<int:pk>", hooks_api.HookDetailView.as_view(), name="api-hook"),
    *api_path("hooks/<int:pk>/rotate", hooks_api.HookRotateView.as_view()),
]

# No API key: the token in the path is the secret. Listed first under /v1/ (kdesk/api/urls.py):
# the busiest unauthenticated route should not be matched after every other pattern.
intake_urlpatterns = [
    re_path(
        r"^hooks/(?P<kind>web|email)/(?P<token>[A-Za-z0-9_-]{1,100})/?$",
        hooks_api.receive,
        name="hook-intake",
    ),
]
