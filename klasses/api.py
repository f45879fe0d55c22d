"""`/v1/klasses…`, `/v1/metadata/…`, `/v1/kviews…`: Klass definitions, KObjects, attributes."""

import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from kdesk import resources
from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter
from kdesk.api.openapi import (
    ErrorSerializer,
    errors,
    maybe_moment,
    obj,
    resource_schemas,
    strings,
    text,
    timestamps,
    to_one,
)
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.permissions import allows, require, require_upsert
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from klasses import relationships, selectors, services
from klasses.models import KObject, KView
from klasses.openapi import (
    KLASS_BODY,
    KOBJECT_BODY,
    KOBJECT_BULK_BODY,
    KVIEW_BODY,
    METADATA_BODY,
    VALIDATION_BODY,
)
from klasses.representations import (
    KOBJECT_FIELDS,
    klass_resource,
    kobject_resource,
    kview_resource,
    metadata_resource,
    rule_resource,
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
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")

# Response models. With an org's credentials /v1/schema also holds `KObject_<klass>_document`
# (and _resource, _page, _bulk) whose `data` is typed from that Klass's attributes
# (klasses.openapi.org_klasses_hook).
KLASS = resource_schemas(
    "Klass",
    {
        "name": serializers.CharField(),
        "displayName": text(),
        "description": text(),
        "icon": text(),
        "color": text(),
        "images": strings(),
        "status": serializers.CharField(),
        "relationships": serializers.ListField(
            child=inline_serializer(
                "KlassRelationship",
                {
                    "name": serializers.CharField(),
                    "target": serializers.CharField(
                        help_text="customer, company, conversation or a Klass name"
                    ),
                    "cardinality": serializers.ChoiceField(
                        choices=["one-to-one", "one-to-many", "many-to-many"]
                    ),
                    "through": serializers.CharField(required=False),
                },
            ),
            help_text="Relationships this Klass declares.",
        ),
        "metadata": inline_serializer(
            "KlassMetadata",
            {"properties": obj(help_text="Attribute definitions by name.")},
            required=False,
        ),
        **timestamps(),
    },
)
KOBJECT = resource_schemas(
    "KObject",
    {
        "externalId": text(),
        "title": text(),
        "description": text(),
        "images": strings(),
        "icon": text(),
        "data": obj(help_text="The Klass's attributes (typed per org: KObject_<klass>_data)."),
        "custom": obj(),
        "tags": strings(),
        **timestamps(),
    },
    {"customer": to_one(), "company": to_one(), "klass": to_one()},
)
KVIEW = resource_schemas(
    "KView",
    {
        "name": text(),
        "resource": serializers.CharField(),
        "context": serializers.CharField(),
        "kind": serializers.CharField(),
        "template": text(),
        "urlTemplate": text(),
        "position": serializers.IntegerField(),
        "active": serializers.BooleanField(),
        **timestamps(),
    },
)
METADATA = resource_schemas(
    "Metadata",
    {
        "properties": obj(help_text="Attribute definitions by name."),
        "rev": serializers.IntegerField(),
        "updatedAt": maybe_moment(),
    },
)
VIOLATIONS = {
    "violatingRows": serializers.IntegerField(help_text="Rows that break the definitions."),
    "violatingIds": serializers.ListField(child=serializers.CharField(), help_text="≤ 100."),
}
FORCED_META = inline_serializer("ForcedDefinitionMeta", VIOLATIONS, required=False)
KLASS_PUT = inline_serializer(
    "KlassDefinitionUpdate", {"data": KLASS.resource(), "meta": FORCED_META}
)
METADATA_PUT = inline_serializer(
    "MetadataUpdate",
    {
        "data": METADATA.resource(),
        "meta": inline_serializer("ForcedMetadataMeta", VIOLATIONS, required=False),
    },
)
BULK_ITEM = inline_serializer(
    "KObjectBulkItem",
    {
        "index": serializers.IntegerField(),
        "status": serializers.CharField(help_text="created, updated or failed"),
        "data": KOBJECT.resource(required=False, allow_null=True),
        "errors": ErrorSerializer(many=True, required=False),
    },
)
BULK_RESULT = inline_serializer(
    "KObjectBulkResult",
    {
        "data": serializers.ListField(
            child=KOBJECT.resource(allow_null=True),
            help_text="The objects in item order (null for a failed item with ?partial=true).",
        ),
        "meta": inline_serializer(
            "KObjectBulkMeta",
            {
                "results": serializers.ListField(child=BULK_ITEM),
                "created": serializers.IntegerField(),
                "updated": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
            },
        ),
    },
)
READ = (401, 403, 404)
LIST = (400, 401, 403, 404)
WRITE = (400, 401, 403, 404, 409)


def _ok(documented, *codes):
    return {200: documented, **errors(*codes)}


FORCE = OpenApiParameter(
    "force", bool, description="Apply metadata even if existing rows break (they are reported)."
)


def _violations(broken):
    """What `?force=true` left broken: the rows that violate the new definitions."""
    return {"violatingRows": len(broken), "violatingIds": [str(i) for i in broken[:100]]}


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


def _klasses(org, rows, properties=None):
    """Klass resources with their declared relationships (one query for the page)."""
    rels = relationships.definitions_for(org=org, klass_names=[k.name for k in rows])
    return [klass_resource(k, properties, rels.get(k.name)) for k in rows]


def _kobjects(org, rows, name):
    """KObject resources with their links (one query for the page)."""
    links = relationships.linkage(org=org, resource=f"kobject.{name}", ids=[r["id"] for r in rows])
    return [kobject_resource(r, name, links.get(str(r["id"]))) for r in rows]


def _kobject(org, obj, name):
    links = relationships.linkage(org=org, resource=f"kobject.{name}", ids=[obj.pk])
    return kobject_resource(obj, name, links[str(obj.pk)])


class KlassListView(ApiView):
    scope_resource = "klass"

    @extend_schema(parameters=PAGE, responses=_ok(KLASS.page, *LIST))
    def get(self, request):
        klasses = selectors.klasses(org=self.org)
        return Response(paginate(request, klasses, lambda rows: _klasses(self.org, rows)))

    @extend_schema(request=KLASS_BODY, responses={201: KLASS.document, **errors(*WRITE)})
    def post(self, request):
        klass = services.klass_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": _klasses(self.org, [klass], {})[0]}, status=201)


class KlassDefinitionView(ApiView):
    scope_resource = "klass"

    @extend_schema(responses=_ok(KLASS.document, *READ))
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        return Response({"data": _klasses(self.org, [klass], properties)[0]})

    @extend_schema(request=KLASS_BODY, parameters=[REV, FORCE], responses=_ok(KLASS_PUT, *WRITE))
    def put(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        body = dict(request.data) if isinstance(request.data, dict) else request.data
        metadata = body.pop("metadata", None) if isinstance(body, dict) else None
        rev = rev_param(request)
        broken = []
        # The definition and its attributes change together or not at all.
        with transaction.atomic():
            klass = services.klass_update(
                org=self.org, actor=self.actor, klass=klass, data=body, rev=rev
            )
            if metadata is not None:
                _, broken = services.metadata_update(
                    org=self.org,
                    actor=self.actor,
                    resource=f"kobject.{name}",
                    data=metadata,
                    force=request.query_params.get("force") == "true",
                )
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        doc = {"data": _klasses(self.org, [klass], properties)[0]}
        if broken:
            doc["meta"] = _violations(broken)
        return Response(doc)


class KObjectListView(ApiView):
    scope_resource = "kobject"

    @extend_schema(parameters=KOBJECT_FILTERS, responses=_ok(KOBJECT.page, *LIST))
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass)
        return Response(paginate(request, qs, lambda rows: _kobjects(self.org, rows, name)))

    @extend_schema(request=KOBJECT_BODY, responses={201: KOBJECT.document, **errors(*WRITE)})
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

    @extend_schema(responses=_ok(KOBJECT.document, *READ))
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

    @extend_schema(request=KOBJECT_BODY, parameters=[REV], responses=_ok(KOBJECT.document, *WRITE))
    def put(self, request, name, pk):
        # PUT and PATCH both change only what the body carries (API.md)
        return self._update(request, name, pk, partial=True)

    @extend_schema(request=KOBJECT_BODY, parameters=[REV], responses=_ok(KOBJECT.document, *WRITE))
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

    @extend_schema(responses=_ok(KOBJECT.document, *READ))
    def get(self, request, name, external_id):
        klass = services.klass_get(org=self.org, name=name)
        obj = services.kobject_get(org=self.org, klass=klass, external_id=external_id)
        return Response({"data": _kobject(self.org, obj, name)})

    @extend_schema(
        request=KOBJECT_BODY,
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
        partial = request.query_params.get("partial") == "true"
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

    @extend_schema(parameters=KOBJECT_FILTERS, responses=_ok(KOBJECT.page, *LIST))
    def get(self, request, pk, name):
        self._customer(pk)
        klass = services.klass_get(org=self.org, name=name)
        qs = filtered_kobjects(request, self.org, klass, customer_id=pk)
        return Response(paginate(request, qs, lambda rows: _kobjects(self.org, rows, name)))

    @extend_schema(request=KOBJECT_BODY, responses={201: KOBJECT.document, **errors(*WRITE)})
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
        return Response({"data": _kobject(self.org, obj, name)}, status=201)


class MetadataView(ApiView):
    scope_resource = "metadata"

    @extend_schema(responses=_ok(METADATA.document, *READ))
    def get(self, request, resource):
        properties, rev, updated = services.metadata_get(org=self.org, resource=resource)
        return Response({"data": metadata_resource(resource, properties, rev, updated)})

    @extend_schema(
        parameters=[
            OpenApiParameter("force", bool, description="Apply even if existing rows break."),
            OpenApiParameter("replace", bool, description="Replace instead of merging."),
            REV,
        ],
        request=METADATA_BODY,
        responses=_ok(METADATA_PUT, *WRITE),
    )
    def put(self, request, resource):
        meta, broken = services.metadata_update(
            org=self.org,
            actor=self.actor,
            resource=resource,
            data=with_rev(request.data, rev_param(request)),
            force=request.query_params.get("force") == "true",
            replace=request.query_params.get("replace") == "true",
        )
        doc = {"data": metadata_resource(resource, meta.properties, meta.rev, meta.updated_at)}
        if broken:
            doc["meta"] = _violations(broken)
        return Response(doc)


class KViewListView(ApiView):
    scope_resource = "kview"

    @extend_schema(parameters=PAGE, responses=_ok(KVIEW.page, *LIST))
    def get(self, request):
        qs = KView.objects.filter(org=self.org).order_by("resource", "position", "id")
        return Response(paginate(request, qs, lambda rows: [kview_resource(k) for k in rows]))

    @extend_schema(request=KVIEW_BODY, responses={201: KVIEW.document, **errors(*WRITE)})
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

    @extend_schema(responses=_ok(KVIEW.document, *READ))
    def get(self, request, pk):
        return Response({"data": kview_resource(self._get(pk))})

    @extend_schema(request=KVIEW_BODY, parameters=[REV], responses=_ok(KVIEW.document, *WRITE))
    def put(self, request, pk):
        kview = services.kview_update(
            org=self.org,
            actor=self.actor,
            kview=self._get(pk),
            data=request.data,
            rev=rev_param(request),
        )
        return Response({"data": kview_resource(kview)})

    @extend_schema(parameters=[REV], responses={204: None, **errors(*WRITE)})
    def delete(self, request, pk):
        services.kview_delete(
            org=self.org, actor=self.actor, kview=self._get(pk), rev=rev_param(request)
        )
        return Response(status=204)


LINKAGE_BODY = inline_serializer(
    "RelationshipLinkage",
    {
        "data": serializers.JSONField(
            help_text="{type, id} (one-to-one), a list of them, or null; a link through a join "
            "Klass carries meta.through (the join object's id)."
        )
    },
)
LINKAGE_DOCUMENT = inline_serializer(
    "RelationshipDocument",
    {
        "data": serializers.JSONField(help_text="The relationship's links after the request."),
        "links": inline_serializer("RelationshipLinks", {"self": serializers.CharField()}),
    },
)


class KObjectRelationshipView(ApiView):
    """JSON:API relationship links: GET reads, POST adds, PATCH replaces, DELETE removes.
    Changing an object's links is updating the object."""

    scope_resource = "kobject"
    scope_map = {
        "POST": ("kobject", "update"),
        "PATCH": ("kobject", "update"),
        "DELETE": ("kobject", "update"),
    }

    def _get(self, name, pk, rel):
        klass = services.klass_get(org=self.org, name=name)
        obj = services.kobject_get(org=self.org, klass=klass, pk=pk)
        declared = relationships.declared(org=self.org, klass=klass)
        if rel not in declared:
            raise NotFound(
                f"{name} declares no relationship '{rel}'"
                + (f" (declared: {', '.join(sorted(declared))})." if declared else ".")
            )
        return obj, declared[rel]

    def _document(self, name, pk, relationship):
        data = relationships.one_linkage(org=self.org, relationship=relationship, from_id=pk)
        link = f"/v1/klasses/{name}/{pk}/relationships/{relationship.name}"
        return Response({"data": data, "links": {"self": link}})

    def _change(self, request, name, pk, rel, mode):
        obj, relationship = self._get(name, pk, rel)
        body = request.data
        if not isinstance(body, dict) or "data" not in body:
            raise ValidationFailed([FieldError("/data", "required", "Send {data: …}.")])
        extra = set(body) - {"data"}
        if extra:
            raise ValidationFailed(
                [FieldError(f"/{k}", "unknown", f"Unknown attribute '{k}'.") for k in extra]
            )
        services.kobject_links_change(
            org=self.org,
            actor=self.actor,
            relationship=relationship,
            kobject=obj,
            data=body["data"],
            mode=mode,
        )
        return self._document(name, pk, relationship)

    @extend_schema(responses=_ok(LINKAGE_DOCUMENT, *READ))
    def get(self, request, name, pk, rel):
        _, relationship = self._get(name, pk, rel)
        return self._document(name, pk, relationship)

    @extend_schema(request=LINKAGE_BODY, responses=_ok(LINKAGE_DOCUMENT, *WRITE))
    def post(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "add")

    @extend_schema(request=LINKAGE_BODY, responses=_ok(LINKAGE_DOCUMENT, *WRITE))
    def patch(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "replace")

    @extend_schema(request=LINKAGE_BODY, responses=_ok(LINKAGE_DOCUMENT, *WRITE))
    def delete(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "remove")


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

    @extend_schema(parameters=PAGE, responses=_ok(VALIDATION.page, *LIST))
    def get(self, request):
        qs = selectors.validation_rules(org=self.org)
        return Response(paginate(request, qs, lambda rows: [rule_resource(r) for r in rows]))

    @extend_schema(request=VALIDATION_BODY, responses={201: VALIDATION.document, **errors(*WRITE)})
    def post(self, request):
        fields, _ = services.rule_payload(request.data, creating=True)
        rule = services.rule_create(org=self.org, actor=self.actor, **fields)
        return Response({"data": rule_resource(rule)}, status=201)


class ValidationDetailView(ApiView):
    scope_resource = "validation"

    @extend_schema(responses=_ok(VALIDATION.document, *READ))
    def get(self, request, pk):
        return Response({"data": rule_resource(services.rule_get(org=self.org, pk=pk))})

    @extend_schema(
        request=VALIDATION_BODY, parameters=[REV], responses=_ok(VALIDATION.document, *WRITE)
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
