"""`/v1/klasses/{name}…`: KObjects one at a time, by externalId, in bulk, and a customer's."""

import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from kdesk import resources
from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter, filter_parameters
from kdesk.api.openapi import (
    errors,
)
from kdesk.api.pagination import paginate
from kdesk.api.params import flag_param, rev_param, with_rev
from kdesk.api.permissions import allows, require, require_upsert
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.payload import as_id
from klasses import relationships, selectors, services
from klasses.api.schemas import (
    BULK_RESULT,
    KOBJECT,
    LIST,
    PAGE,
    READ,
    REV,
    WRITE,
    responses_with,
)
from klasses.models import KObject
from klasses.openapi.bodies import (
    KOBJECT_BODY,
    KOBJECT_BULK_BODY,
    KOBJECT_CREATE_BODY,
)
from klasses.representations import (
    KOBJECT_FIELDS,
    kobject_resource,
)


class KObjectFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    company = IdFilter(field_name="company_id")
    externalId = django_filters.CharFilter(field_name="external_id")  # noqa: N815
    updatedSince = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")  # noqa: N815
    sort = django_filters.OrderingFilter(
        fields=(("created_at", "createdAt"), ("updated_at", "updatedAt"), ("title", "title"))
    )

    class Meta:
        model = KObject
        fields = []


KOBJECT_FILTERS = [
    *PAGE,
    *filter_parameters(
        KObjectFilter,
        customer="Only objects of this customer id.",
        company="Only objects of this company id.",
        updatedSince="updatedAt ≥ this.",
    ),
]


def filtered_kobjects(request, org, klass, customer_id=None):
    qs = selectors.kobjects(org=org, klass=klass, customer_id=customer_id)
    filterset = KObjectFilter(request.query_params, queryset=qs)
    if not filterset.is_valid():
        raise ValidationFailed(
            [
                FieldError(f"/{field}", "invalid", " ".join(messages))
                for field, messages in filterset.errors.items()
            ]
        )
    qs = filterset.qs
    order = list(qs.query.order_by) or ["-created_at"]
    # id breaks ties so pages never overlap
    qs = qs.order_by(*order, "-id" if order[0].startswith("-") else "id")
    return qs.values(*KOBJECT_FIELDS)


def _kobjects(org, rows, name):
    """KObject resources with their links (one query for the page)."""
    links = relationships.linkage(org=org, resource=f"kobject.{name}", ids=[r["id"] for r in rows])
    return [kobject_resource(r, name, links.get(str(r["id"]))) for r in rows]


def _kobject(org, obj, name):
    links = relationships.linkage(org=org, resource=f"kobject.{name}", ids=[obj.pk])
    return kobject_resource(obj, name, links[str(obj.pk)])


class KObjectListView(ApiView):
    scope_resource = "kobject"

    @extend_schema(parameters=KOBJECT_FILTERS, responses=responses_with(KOBJECT.page, *LIST))
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass)
        return Response(paginate(request, qs, lambda rows: _kobjects(self.org, rows, name)))

    @extend_schema(request=KOBJECT_CREATE_BODY, responses={201: KOBJECT.document, **errors(*WRITE)})
    def post(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        obj = services.kobject_create(
            org=self.org, actor=self.actor, klass=klass, data=request.data
        )
        return Response({"data": _kobject(self.org, obj, name)}, status=201)


class KObjectDetailView(ApiView):
    scope_resource = "kobject"

    def _get(self, name, pk):
        klass = services.klass_get(org=self.org, name=name)
        return klass, services.kobject_get(org=self.org, klass=klass, pk=pk)

    @extend_schema(responses=responses_with(KOBJECT.document, *READ))
    def get(self, request, name, pk):
        _, obj = self._get(name, pk)
        return Response({"data": _kobject(self.org, obj, name)})

    def _update(self, request, name, pk, partial):
        klass, obj = self._get(name, pk)
        obj = services.kobject_update(
            org=self.org,
            actor=self.actor,
            klass=klass,
            kobject=obj,
            data=request.data,
            rev=rev_param(request),
            partial=partial,
        )
        return Response({"data": _kobject(self.org, obj, name)})

    @extend_schema(
        request=KOBJECT_BODY, parameters=[REV], responses=responses_with(KOBJECT.document, *WRITE)
    )
    def put(self, request, name, pk):
        # PUT and PATCH both change only what the body carries (API.md)
        return self._update(request, name, pk, partial=True)

    @extend_schema(
        request=KOBJECT_BODY, parameters=[REV], responses=responses_with(KOBJECT.document, *WRITE)
    )
    def patch(self, request, name, pk):
        return self._update(request, name, pk, partial=True)

    @extend_schema(parameters=[REV], responses={204: None, **errors(*WRITE)})
    def delete(self, request, name, pk):
        klass, obj = self._get(name, pk)
        services.kobject_delete(
            org=self.org, actor=self.actor, klass=klass, kobject=obj, rev=rev_param(request)
        )
        return Response(status=204)


class KObjectByExternalIdView(ApiView):
    scope_resource = "kobject"
    # PUT creates or updates: the view checks the scope once it knows which (require_upsert)
    scope_map = {"PUT": None}

    @extend_schema(responses=responses_with(KOBJECT.document, *READ))
    def get(self, request, name, external_id):
        row = selectors.kobject_by_external_id(org=self.org, name=name, external_id=external_id)
        if row is None:
            # the services say what is missing, the Klass or the object (or find one that was
            # created meanwhile)
            klass = services.klass_get(org=self.org, name=name)
            obj = services.kobject_get(org=self.org, klass=klass, external_id=external_id)
            return Response({"data": _kobject(self.org, obj, name)})
        links = {}
        if row["linked"]:
            links = relationships.linkage(org=self.org, resource=f"kobject.{name}", ids=[row["id"]])
            links = links[str(row["id"])]
        return Response({"data": kobject_resource(row, name, links)})

    @extend_schema(
        request=KOBJECT_CREATE_BODY,
        parameters=[REV],
        responses={200: KOBJECT.document, 201: KOBJECT.document, **errors(*WRITE)},
    )
    def put(self, request, name, external_id):
        klass = services.klass_get(org=self.org, name=name)
        rev = rev_param(request)
        exists = selectors.kobjects(org=self.org, klass=klass, external_id=external_id).exists()
        require_upsert(request, "kobject", exists=exists, rev=rev)
        with transaction.atomic():
            obj, created = services.kobject_upsert(
                org=self.org,
                actor=self.actor,
                klass=klass,
                external_id=external_id,
                data=with_rev(request.data, rev),
            )
            # a concurrent request may have created or deleted it since the check above
            require_upsert(request, "kobject", exists=not created, rev=rev)
        return Response({"data": _kobject(self.org, obj, name)}, status=201 if created else 200)


class KObjectBulkView(ApiView):
    # Creating items needs kobject.create, updating existing ones kobject.update: the service
    # sorts the items, so the view only needs one of the two to let the call in.
    scope_resource = None

    @extend_schema(
        parameters=[OpenApiParameter("partial", bool, description="Write the valid items.")],
        request=KOBJECT_BULK_BODY,
        responses={200: BULK_RESULT, **errors(400, 401, 403, 404, 409, 413)},
    )
    def post(self, request, name):
        may_create = allows(request, "kobject", "create")
        may_update = allows(request, "kobject", "update")
        if not (may_create or may_update):
            require(request, "kobject", "create")
        klass = services.klass_get(org=self.org, name=name)
        partial = flag_param(request, "partial")
        results = services.kobject_bulk(
            org=self.org,
            actor=self.actor,
            klass=klass,
            items=request.data,
            partial=partial,
            may_create=may_create,
            may_update=may_update,
        )
        for r in results:
            if "errors" in r:
                r["errors"] = [
                    {
                        "status": "400",
                        "code": e.code,
                        "title": "Validation failed",
                        "detail": e.detail,
                        "source": {"pointer": e.pointer},
                    }
                    for e in r["errors"]
                ]
        created = sum(r["status"] == "created" for r in results)
        updated = sum(r["status"] == "updated" for r in results)
        failed = sum(r["status"] == "failed" for r in results)
        return Response(
            {
                "data": [r.get("data") for r in results],
                "meta": {
                    "results": results
                    if partial
                    else [{"index": r["index"], "status": r["status"]} for r in results],
                    "created": created,
                    "updated": updated,
                    "failed": failed,
                },
            },
            status=200,
        )


class CustomerKObjectsView(ApiView):
    scope_resource = "kobject"

    def _customer(self, pk):
        Customer = resources.get("customer").get_model()
        if not Customer.objects.filter(org=self.org, pk=pk).exists():
            raise NotFound("No customer with this id.")

    @extend_schema(parameters=KOBJECT_FILTERS, responses=responses_with(KOBJECT.page, *LIST))
    def get(self, request, pk, name):
        self._customer(pk)
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass, customer_id=pk)
        return Response(paginate(request, qs, lambda rows: _kobjects(self.org, rows, name)))

    @extend_schema(request=KOBJECT_CREATE_BODY, responses={201: KOBJECT.document, **errors(*WRITE)})
    def post(self, request, pk, name):
        self._customer(pk)
        klass = services.klass_get(org=self.org, name=name)
        body = dict(request.data) if isinstance(request.data, dict) else request.data
        if isinstance(body, dict):
            # "" or null: the path's; `true` is not the id 1
            if body.get("customer") not in (None, "") and as_id(body["customer"]) != pk:
                raise ValidationFailed(
                    [FieldError("/customer", "mismatch", "customer differs from the path.")]
                )
            body["customer"] = pk
        obj = services.kobject_create(org=self.org, actor=self.actor, klass=klass, data=body)
        return Response({"data": _kobject(self.org, obj, name)}, status=201)
