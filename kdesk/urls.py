from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from kdesk import settings_activity, settings_people, settings_profile, settings_teams, views

handler403 = "kdesk.views.permission_denied"
handler404 = "kdesk.views.page_not_found"
handler500 = "kdesk.views.server_error"

urlpatterns = [
    # The API first: no page route starts with v1/, and API requests then skip every page
    # pattern (the schema, v1/schema, before the API's catch-all 404).
    path("", include("kdesk.api.docs_urls")),
    path("v1/", include("kdesk.api.urls")),
    path("", RedirectView.as_view(url="/inbox/", permanent=False)),
    # browsers ask for /favicon.ico whatever the page links; the icon is an SVG
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg")),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("settings/", settings_profile.settings_entry, name="settings"),
    path("settings/profile/", settings_profile.profile, name="settings-profile"),
    path("settings/activity/", settings_activity.activity, name="settings-activity"),
    path("settings/api-keys/", views.api_keys, name="settings-api-keys"),
    path(
        "settings/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="settings-api-key-revoke"
    ),
    path("settings/people/", settings_people.people_list, name="settings-people"),
    path("settings/people/<int:pk>/role/", settings_people.person_role),
    path("settings/people/<int:pk>/access/", settings_people.person_access),
    path("invite/<str:uidb64>/<str:token>/", settings_people.accept_invite, name="invite"),
    path("settings/teams/", settings_teams.team_list, name="settings-teams"),
    path("settings/teams/_new/", settings_teams.team_new, name="settings-team-new"),
    path("settings/teams/<int:pk>/", settings_teams.team_edit, name="settings-team"),
    path("settings/teams/<int:pk>/delete/", settings_teams.team_remove),
    path("admin/", admin.site.urls),
    path("", include("customers.urls")),
    path("", include("conversations.urls")),
    path("", include("klasses.urls")),
    path("", include("timeline.urls")),
    path("", include("mail.urls")),
    path("", include("apps_directory.urls")),
    path("", include("workflows.urls")),
]
