"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from kdesk.api.routing import api_path
from timeline import api

urlpatterns = []
api_urlpatterns = [
    *api_path(
        "customers/<int:pk>/timeline", api.CustomerTimelineView.as_view(), name="api-timeline"
    ),
]
