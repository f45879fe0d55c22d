"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from django.urls import path

from kdesk.api.routing import api_path
from workflows import api, views

S = "settings/workflows"
urlpatterns = [
    path(f"{S}/", views.workflow_list, name="settings-workflows"),
    path(f"{S}/new/", views.workflow_new, name="settings-workflow-new"),
    path(f"{S}/fields/", views.workflow_fields, name="settings-workflow-fields"),
    path(f"{S}/test/", views.workflow_test, name="settings-workflow-test-new"),
    path(f"{S}/<int:pk>/", views.workflow_detail, name="settings-workflow"),
    path(f"{S}/<int:pk>/test/", views.workflow_test, name="settings-workflow-test"),
    path(f"{S}/<int:pk>/delete/", views.workflow_delete, name="settings-workflow-delete"),
    path(f"{S}/<int:pk>/move/", views.workflow_move, name="settings-workflow-move"),
    path(f"{S}/<int:pk>/runs/", views.workflow_runs, name="settings-workflow-runs"),
    path(f"{S}/<int:pk>/runs/<int:run_pk>/", views.workflow_run, name="settings-workflow-run"),
    path(f"{S}/<int:pk>/runs/<int:run_pk>/rerun/", views.run_rerun, name="settings-run-rerun"),
]

W = "workflows/<int:pk>"
api_urlpatterns = [
    *api_path("workflows", api.WorkflowListView.as_view(), name="api-workflows"),
    *api_path(W, api.WorkflowDetailView.as_view(), name="api-workflow"),
    *api_path(f"{W}/test", api.WorkflowTestView.as_view()),
    *api_path(f"{W}/runs", api.RunListView.as_view()),
    *api_path(f"{W}/runs/<int:run_pk>", api.RunDetailView.as_view()),
    *api_path(f"{W}/runs/<int:run_pk>/rerun", api.RunRerunView.as_view()),
]
