"""`/v1/klasses…`, `/v1/metadata/…`, `/v1/kviews…`: Klass definitions, KObjects, attributes."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.response import Response

from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter
from kdesk.api.pagination import paginate
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from klasses import selectors, services
from klasses.models import KObject, KView
from klasses.openapi import KLASS_BODY, KOBJECT_BODY, KOBJECT_BULK_BODY, KVIEW_BODY, METADATA_BODY
from klasses.representations import (
    KOBJECT_FIELDS,
    klass_resource,
    kobject_resource,
    kview_resource,
    metadata_resource,
)

PAGE = [OpenApiParameter("page", int), OpenApiParameter("pageSize", int)]
KOBJECT_FILTERS = [
    *PAGE,
    OpenApiParameter("customer", str, description="Only objects of this customer id."),
    OpenApiParameter("company", str, description="Only objects of this company id."),
    OpenApiParameter("externalId", str),
    OpenApiParameter("updatedSince", OpenApiTypes.DATETIME, description="updatedAt ≥ this."),
    OpenApiParameter("sort", str, description="createdAt, -createdAt, updatedAt, -updatedAt"),
]
OBJECT = OpenApiTypes.OBJECT


def _rev(request):
    raw = request.query_params.get("rev")
    return raw if raw not in (None, "") else None


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


class KlassListView(ApiView):
    scope_resource = "klass"

    @extend_schema(parameters=PAGE, responses={200: OBJECT})
    def get(self, request):
        klasses = selectors.klasses(org=self.org)
        return Response(paginate(request, klasses, lambda rows: [klass_resource(k) for k in rows]))

    @extend_schema(request=KLASS_BODY, responses={201: OBJECT})
    def post(self, request):
        klass = services.klass_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": klass_resource(klass, {})}, status=201)


class KlassDefinitionView(ApiView):
    scope_resource = "klass"

    @extend_schema(responses={200: OBJECT})
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        return Response({"data": klass_resource(klass, properties)})

    @extend_schema(request=KLASS_BODY, responses={200: OBJECT})
    def put(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        body = dict(request.data) if isinstance(request.data, dict) else request.data
        metadata = body.pop("metadata", None) if isinstance(body, dict) else None
        klass = services.klass_update(
            org=self.org, actor=self.actor, klass=klass, data=body, rev=_rev(request)
        )
        if metadata is not None:
            services.metadata_update(
                org=self.org,
                actor=self.actor,
                resource=f"kobject.{name}",
                data=metadata,
                force=request.query_params.get("force") == "true",
            )
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        return Response({"data": klass_resource(klass, properties)})


class KObjectListView(ApiView):
    scope_resource = "kobject"

    @extend_schema(parameters=KOBJECT_FILTERS, responses={200: OBJECT})
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass)
        return Response(
            paginate(request, qs, lambda rows: [kobject_resource(r, name) for r in rows])
        )

    @extend_schema(request=KOBJECT_BODY, responses={201: OBJECT})
    def post(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        obj = services.kobject_create(
            org=self.org, actor=self.actor, klass=klass, data=request.data
        )
        return Response({"data": kobject_resource(obj, name)}, status=201)


class KObjectDetailView(ApiView):
    scope_resource = "kobject"

    def _get(self, name, pk):
        klass = services.klass_get(org=self.org, name=name)
        return klass, services.kobject_get(org=self.org, klass=klass, pk=pk)

    @extend_schema(responses={200: OBJECT})
    def get(self, request, name, pk):
        _, obj = self._get(name, pk)
        return Response({"data": kobject_resource(obj, name)})

    def _update(self, request, name, pk, partial):
        klass, obj = self._get(name, pk)
        obj = services.kobject_update(
            org=self.org,
            actor=self.actor,
            klass=klass,
            kobject=obj,
            data=request.data,
            rev=_rev(request),
            partial=partial,
        )
        return Response({"data": kobject_resource(obj, name)})

    @extend_schema(request=KOBJECT_BODY, responses={200: OBJECT})
    def put(self, request, name, pk):
        return self._update(request, name, pk, partial=False)

    @extend_schema(request=KOBJECT_BODY, responses={200: OBJECT})
    def patch(self, request, name, pk):
        return self._update(request, name, pk, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request, name, pk):
        klass, obj = self._get(name, pk)
        services.kobject_delete(org=self.org, actor=self.actor, klass=klass, kobject=obj)
        return Response(status=204)


class KObjectByExternalIdView(ApiView):
    scope_resource = "kobject"

    @extend_schema(responses={200: OBJECT})
    def get(self, request, name, external_id):
        klass = services.klass_get(org=self.org, name=name)
        obj = services.kobject_get(org=self.org, klass=klass, external_id=external_id)
        return Response({"data": kobject_resource(obj, name)})

    @extend_schema(request=KOBJECT_BODY, responses={200: OBJECT, 201: OBJECT})
    def put(self, request, name, external_id):
        klass = services.klass_get(org=self.org, name=name)
        obj, created = services.kobject_upsert(
            org=self.org, actor=self.actor, klass=klass, external_id=external_id, data=request.data
        )
        return Response({"data": kobject_resource(obj, name)}, status=201 if created else 200)


class KObjectBulkView(ApiView):
    scope_resource = "kobject"

    @extend_schema(
        parameters=[OpenApiParameter("partial", bool, description="Write the valid items.")],
        request=KOBJECT_BULK_BODY,
        responses={200: OBJECT},
    )
    def post(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        partial = request.query_params.get("partial") == "true"
        results = services.kobject_bulk(
            org=self.org, actor=self.actor, klass=klass, items=request.data, partial=partial
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
        from customers.models import Customer

        if not Customer.objects.filter(org=self.org, pk=pk).exists():
            raise NotFound("No customer with this id.")

    @extend_schema(parameters=KOBJECT_FILTERS, responses={200: OBJECT})
    def get(self, request, pk, name):
        self._customer(pk)
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass, customer_id=pk)
        return Response(
            paginate(request, qs, lambda rows: [kobject_resource(r, name) for r in rows])
        )

    @extend_schema(request=KOBJECT_BODY, responses={201: OBJECT})
    def post(self, request, pk, name):
        self._customer(pk)
        klass = services.klass_get(org=self.org, name=name)
        body = dict(request.data) if isinstance(request.data, dict) else request.data
        if isinstance(body, dict):
            if body.get("customer") not in (None, pk, str(pk)):
                raise ValidationFailed(
                    [FieldError("/customer", "mismatch", "customer differs from the path.")]
                )
            body["customer"] = pk
        obj = services.kobject_create(org=self.org, actor=self.actor, klass=klass, data=body)
        return Response({"data": kobject_resource(obj, name)}, status=201)


class MetadataView(ApiView):
    scope_resource = "metadata"

    @extend_schema(responses={200: OBJECT})
    def get(self, request, resource):
        properties, rev, updated = services.metadata_get(org=self.org, resource=resource)
        return Response({"data": metadata_resource(resource, properties, rev, updated)})

    @extend_schema(
        parameters=[
            OpenApiParameter("force", bool, description="Apply even if existing rows break."),
            OpenApiParameter("replace", bool, description="Replace instead of merging."),
        ],
        request=METADATA_BODY,
        responses={200: OBJECT},
    )
    def put(self, request, resource):
        meta, broken = services.metadata_update(
            org=self.org,
            actor=self.actor,
            resource=resource,
            data=request.data,
            force=request.query_params.get("force") == "true",
            replace=request.query_params.get("replace") == "true",
        )
        doc = {"data": metadata_resource(resource, meta.properties, meta.rev, meta.updated_at)}
        if broken:
            doc["meta"] = {
                "violatingRows": len(broken),
                "violatingIds": [str(i) for i in broken[:100]],
            }
        return Response(doc)


class KViewListView(ApiView):
    scope_resource = "kview"

    @extend_schema(parameters=PAGE, responses={200: OBJECT})
    def get(self, request):
        qs = KView.objects.filter(org=self.org).order_by("resource", "position", "id")
        return Response(paginate(request, qs, lambda rows: [kview_resource(k) for k in rows]))

    @extend_schema(request=KVIEW_BODY, responses={201: OBJECT})
    def post(self, request):
        kview = services.kview_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": kview_resource(kview)}, status=201)


class KViewDetailView(ApiView):
    scope_resource = "kview"

    def _get(self, pk):
        kview = KView.objects.filter(org=self.org, pk=pk).first()
        if kview is None:
            raise NotFound("No KView with this id.")
        return kview

    @extend_schema(responses={200: OBJECT})
    def get(self, request, pk):
        return Response({"data": kview_resource(self._get(pk))})

    @extend_schema(request=KVIEW_BODY, responses={200: OBJECT})
    def put(self, request, pk):
        kview = services.kview_update(
            org=self.org,
            actor=self.actor,
            kview=self._get(pk),
            data=request.data,
            rev=_rev(request),
        )
        return Response({"data": kview_resource(kview)})

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        services.kview_delete(org=self.org, actor=self.actor, kview=self._get(pk))
        return Response(status=204)
