"""`/v1/workflows`: CRUD, the run log (with re-run) and the dry run."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps_directory.webhooks.api import only_params
from kdesk.api.openapi import errors, obj, resource_schemas, text, timestamps
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from workflows import selectors, services
from workflows.models import Run
from workflows.openapi import WORKFLOW_BODY, WORKFLOW_CREATE_BODY, WORKFLOW_TEST_BODY
from workflows.representations import run_resource, workflow_resource

WORKFLOW = resource_schemas(
    "Workflow",
    {
        "name": serializers.CharField(),
        "description": text(),
        "enabled": serializers.BooleanField(),
        "trigger": obj(),
        "conditions": obj(),
        "steps": serializers.ListField(child=serializers.DictField()),
        "atomic": serializers.BooleanField(),
        "position": serializers.IntegerField(
            min_value=1,
            help_text="Place in the org's order (1 is first). Business rules apply in this order; "
            "setting it moves the workflow there and renumbers the others.",
        ),
        "nextRunAt": serializers.DateTimeField(allow_null=True),
        **timestamps(),
    },
)
RUN = resource_schemas(
    "WorkflowRun",
    {
        "status": serializers.ChoiceField(Run.Status.values),
        "trigger": serializers.CharField(),
        "triggerKey": serializers.CharField(),
        "eventId": serializers.CharField(allow_null=True),
        "depth": serializers.IntegerField(),
        "payload": obj(),
        "steps": serializers.ListField(child=serializers.DictField()),
        "error": text(),
        "failedStep": text(),
        "durationMs": serializers.IntegerField(allow_null=True),
        "createdAt": serializers.DateTimeField(),
        "startedAt": serializers.DateTimeField(allow_null=True),
        "finishedAt": serializers.DateTimeField(allow_null=True),
    },
)
# a dry run's result is no stored resource: {data: {type, attributes}}, no id or links
TEST_DOCUMENT = inline_serializer(
    "WorkflowTestDocument",
    {
        "data": inline_serializer(
            "WorkflowTestResult",
            {
                "type": serializers.ChoiceField(["workflow_test"]),
                "attributes": inline_serializer(
                    "WorkflowTestAttributes",
                    {
                        "status": serializers.ChoiceField(Run.Status.values),
                        "steps": serializers.ListField(child=serializers.DictField()),
                        "error": text(),
                        "failedStep": text(),
                        "durationMs": serializers.IntegerField(),
                    },
                ),
            },
        )
    },
)


def _workflow(view, pk):
    found = selectors.workflow(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No workflow with this id.")
    return found


class WorkflowListView(ApiView):
    scope_resource = "workflow"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: WORKFLOW.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        only_params(request, {"page", "pageSize"})
        qs = selectors.workflows(org=self.org)
        return Response(paginate(request, qs, lambda rows: [workflow_resource(w) for w in rows]))

    @extend_schema(
        request={"application/json": WORKFLOW_CREATE_BODY},
        responses={201: WORKFLOW.document, **errors(400, 401, 403)},
    )
    def post(self, request):
        workflow = services.workflow_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": workflow_resource(workflow)}, status=201)


class WorkflowDetailView(ApiView):
    scope_resource = "workflow"

    @extend_schema(responses={200: WORKFLOW.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": workflow_resource(_workflow(self, pk))})

    @extend_schema(
        request={"application/json": WORKFLOW_BODY},
        responses={200: WORKFLOW.document, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request, pk):
        workflow = _workflow(self, pk)
        data = with_rev(request.data, rev_param(request))
        workflow = services.workflow_update(
            org=self.org, actor=self.actor, workflow=workflow, data=data
        )
        return Response({"data": workflow_resource(workflow)})

    patch = put

    @extend_schema(responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, pk):
        services.workflow_delete(org=self.org, actor=self.actor, workflow=_workflow(self, pk))
        return Response(status=204)


class WorkflowTestView(ApiView):
    scope_map = {"POST": ("workflow", "update")}

    @extend_schema(
        request={"application/json": WORKFLOW_TEST_BODY},
        responses={200: TEST_DOCUMENT, **errors(400, 401, 403, 404)},
    )
    def post(self, request, pk):
        workflow = _workflow(self, pk)
        result = services.workflow_test(org=self.org, workflow=workflow, data=request.data)
        return Response({"data": {"type": "workflow_test", "attributes": result}})


class RunListView(ApiView):
    scope_resource = "workflow"

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Run.Status.values),
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
        ],
        responses={200: RUN.page, **errors(400, 401, 403, 404)},
    )
    def get(self, request, pk):
        only_params(request, {"page", "pageSize", "status"})
        workflow = _workflow(self, pk)
        # `status=` reads as no filter, as every list's filters do
        status = request.query_params.get("status") or None
        if status is not None and status not in Run.Status.values:
            raise ValidationFailed(
                [
                    FieldError(
                        "/status",
                        "invalid",
                        f"status is one of {', '.join(Run.Status.values)}.",
                        parameter="status",
                    )
                ]
            )
        qs = selectors.runs(org=self.org, workflow_id=workflow.pk, status=status)
        return Response(paginate(request, qs, lambda rows: [run_resource(r) for r in rows]))


class RunDetailView(ApiView):
    scope_resource = "workflow"

    @extend_schema(responses={200: RUN.document, **errors(401, 403, 404)})
    def get(self, request, pk, run_pk):
        run = selectors.run(org=self.org, pk=run_pk, workflow_id=_workflow(self, pk).pk)
        if run is None:
            raise NotFound("No run with this id.")
        return Response({"data": run_resource(run)})


class RunRerunView(ApiView):
    scope_map = {"POST": ("workflow", "update")}

    @extend_schema(request=None, responses={202: RUN.document, **errors(400, 401, 403, 404)})
    def post(self, request, pk, run_pk):
        run = selectors.run(org=self.org, pk=run_pk, workflow_id=_workflow(self, pk).pk)
        if run is None:
            raise NotFound("No run with this id.")
        new = services.run_rerun(org=self.org, actor=self.actor, run=run)
        new.refresh_from_db()
        return Response({"data": run_resource(new)}, status=202)
