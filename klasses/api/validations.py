"""`/v1/validations…`: validation rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from kdesk.api.openapi import (
    errors,
    obj,
    resource_schemas,
    text,
    timestamps,
)
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView
from klasses import selectors, services
from klasses.api.schemas import (
    LIST,
    PAGE,
    READ,
    REV,
    WRITE,
    responses_with,
)
from klasses.openapi.bodies import (
    VALIDATION_BODY,
    VALIDATION_CREATE_BODY,
)
from klasses.representations import (
    rule_resource,
)

VALIDATION = resource_schemas(
    "Validation",
    {
        "resource": serializers.CharField(
            help_text="customer, company, conversation, message or kobject.<klass>"
        ),
        "attribute": serializers.CharField(help_text="name, or custom.<name> / data.<name>"),
        "when": serializers.ChoiceField(choices=["create", "update", "always", "status"]),
        "status": text(help_text="The conversation status a `status` rule guards."),
        "condition": obj(help_text="{op, value}; {} means the attribute must be present."),
        "message": text(),
        "active": serializers.BooleanField(),
        **timestamps(),
    },
)


class ValidationListView(ApiView):
    scope_resource = "validation"

    @extend_schema(parameters=PAGE, responses=responses_with(VALIDATION.page, *LIST))
    def get(self, request):
        qs = selectors.validation_rules(org=self.org)
        return Response(paginate(request, qs, lambda rows: [rule_resource(r) for r in rows]))

    @extend_schema(
        request=VALIDATION_CREATE_BODY, responses={201: VALIDATION.document, **errors(*WRITE)}
    )
    def post(self, request):
        fields, _ = services.rule_payload(request.data, creating=True)
        rule = services.rule_create(org=self.org, actor=self.actor, **fields)
        return Response({"data": rule_resource(rule)}, status=201)


class ValidationDetailView(ApiView):
    scope_resource = "validation"

    @extend_schema(responses=responses_with(VALIDATION.document, *READ))
    def get(self, request, pk):
        return Response({"data": rule_resource(services.rule_get(org=self.org, pk=pk))})

    @extend_schema(
        request=VALIDATION_BODY,
        parameters=[REV],
        responses=responses_with(VALIDATION.document, *WRITE),
    )
    def put(self, request, pk):
        rule = services.rule_update(
            org=self.org,
            actor=self.actor,
            rule=services.rule_get(org=self.org, pk=pk),
            data=request.data,
            rev=rev_param(request),
        )
        return Response({"data": rule_resource(rule)})

    @extend_schema(parameters=[REV], responses={204: None, **errors(*WRITE)})
    def delete(self, request, pk):
        services.rule_delete(
            org=self.org,
            actor=self.actor,
            rule=services.rule_get(org=self.org, pk=pk),
            rev=rev_param(request),
        )
        return Response(status=204)
