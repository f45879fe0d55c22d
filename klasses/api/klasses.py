"""`/v1/klasses` and `/v1/klasses/{name}/definition`, and `/v1/metadata/{resource}`: Klass
definitions and attribute definitions."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from kdesk import config_cache
from kdesk.api.openapi import (
    errors,
)
from kdesk.api.pagination import paginate
from kdesk.api.params import flag_param, rev_param, with_rev
from kdesk.api.views import ApiView
from klasses import relationships, selectors, services
from klasses.api.schemas import (
    FORCE,
    KLASS,
    KLASS_PUT,
    LIST,
    METADATA,
    METADATA_PUT,
    PAGE,
    READ,
    REV,
    WRITE,
    responses_with,
    violations_meta,
)
from klasses.openapi.bodies import (
    KLASS_BODY,
    KLASS_CREATE_BODY,
    METADATA_BODY,
)
from klasses.representations import (
    klass_resource,
    metadata_resource,
)


def _klasses(org, rows, properties=None):
    """Klass resources with their declared relationships (one query for the page)."""
    rels = relationships.definitions_for(org=org, klass_names=[k.name for k in rows])
    return [klass_resource(k, properties, rels.get(k.name)) for k in rows]


class KlassListView(ApiView):
    scope_resource = "klass"

    @extend_schema(parameters=PAGE, responses=responses_with(KLASS.page, *LIST))
    def get(self, request):
        klasses = selectors.klasses(org=self.org)
        return Response(paginate(request, klasses, lambda rows: _klasses(self.org, rows)))

    @extend_schema(request=KLASS_CREATE_BODY, responses={201: KLASS.document, **errors(*WRITE)})
    def post(self, request):
        klass = services.klass_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": _klasses(self.org, [klass], {})[0]}, status=201)


class KlassDefinitionView(ApiView):
    scope_resource = "klass"

    @extend_schema(responses=responses_with(KLASS.document, *READ))
    def get(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        return Response({"data": _klasses(self.org, [klass], properties)[0]})

    @extend_schema(
        request=KLASS_BODY, parameters=[REV, FORCE], responses=responses_with(KLASS_PUT, *WRITE)
    )
    def put(self, request, name):
        klass = services.klass_get(org=self.org, name=name)
        body = dict(request.data) if isinstance(request.data, dict) else request.data
        metadata = body.pop("metadata", None) if isinstance(body, dict) else None
        rev = rev_param(request)
        force = flag_param(request, "force")  # read whether or not metadata is sent
        broken = []
        # The definition and its attributes change together or not at all.
        with transaction.atomic():
            if metadata is not None:
                # before the Klass's row, as an uninstall takes them (kdesk.config_cache)
                config_cache.lock_config(self.org)
            klass = services.klass_update(
                org=self.org, actor=self.actor, klass=klass, data=body, rev=rev
            )
            if metadata is not None:
                _, broken = services.metadata_update(
                    org=self.org,
                    actor=self.actor,
                    resource=f"kobject.{name}",
                    data=metadata,
                    force=force,
                )
        properties, _, _ = services.metadata_get(org=self.org, resource=f"kobject.{name}")
        doc = {"data": _klasses(self.org, [klass], properties)[0]}
        if broken:
            doc["meta"] = violations_meta(broken)
        return Response(doc)


class MetadataView(ApiView):
    scope_resource = "metadata"

    @extend_schema(responses=responses_with(METADATA.document, *READ))
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
        responses=responses_with(METADATA_PUT, *WRITE),
    )
    def put(self, request, resource):
        meta, broken = services.metadata_update(
            org=self.org,
            actor=self.actor,
            resource=resource,
            data=with_rev(request.data, rev_param(request)),
            force=flag_param(request, "force"),
            replace=flag_param(request, "replace"),
        )
        doc = {"data": metadata_resource(resource, meta.properties, meta.rev, meta.updated_at)}
        if broken:
            doc["meta"] = violations_meta(broken)
        return Response(doc)
