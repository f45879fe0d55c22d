"""Every `/v1/` route: the core's own plus each app's `api_urlpatterns`."""

from django.urls import re_path

import apps_directory.urls
import conversations.urls
import customers.urls
import klasses.urls
import mail.urls
import timeline.urls
import workflows.urls
from kdesk.api import feed, people, search
from kdesk.api.errors import api_not_found
from kdesk.api.routing import api_path

urlpatterns = [
    *apps_directory.urls.intake_urlpatterns,
    *api_path("events", feed.EventFeedView.as_view(), name="api-events"),
    *api_path("users", people.UserListView.as_view(), name="api-users"),
    *api_path("users/current", people.CurrentUserView.as_view(), name="api-users-current"),
    *api_path("users/<int:pk>", people.UserDetailView.as_view(), name="api-user"),
    *api_path("teams", people.TeamListView.as_view(), name="api-teams"),
    *api_path("teams/<int:pk>", people.TeamDetailView.as_view(), name="api-team"),
    *api_path("customers/search", search.SearchView.as_view(), name="api-search"),
    *customers.urls.api_urlpatterns,
    *conversations.urls.api_urlpatterns,
    *klasses.urls.api_urlpatterns,
    *timeline.urls.api_urlpatterns,
    *mail.urls.api_urlpatterns,
    *apps_directory.urls.api_urlpatterns,
    *workflows.urls.api_urlpatterns,
    re_path(r"^.*$", api_not_found),
]
