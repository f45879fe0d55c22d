"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from kdesk.api.routing import api_path
from workflows import api

urlpatterns = []

W = "workflows/<int:pk>"
api_urlpatterns = [
    *api_path("workflows", api.WorkflowListView.as_view(), name="api-workflows"),
    *api_path(W, api.WorkflowDetailView.as_view(), name="api-workflow"),
    *api_path(f"{W}/test", api.WorkflowTestView.as_view()),
    *api_path(f"{W}/runs", api.RunListView.as_view()),
    *api_path(f"{W}/runs/<int:run_pk>", api.RunDetailView.as_view()),
    *api_path(f"{W}/runs/<int:run_pk>/rerun", api.RunRerunView.as_view()),
]
