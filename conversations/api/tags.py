"""`/v1/tags`: the org's conversation tags."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from conversations import selectors, services
from conversations.representations import (
    tag_resource,
)
from kdesk.api.pagination import (
    paginate,
)
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import NotFound

from .common import body_of
from .schemas import (
    LIST,
    PAGE_PARAMS,
    READ,
    REV,
    TAG,
    TAG_BODY,
    TAG_CREATE_BODY,
    WRITE,
    created,
    deleted,
    ok,
)


class TagListView(ApiView):
    scope_resource = "tag"

    @extend_schema(operation_id="tags_list", parameters=PAGE_PARAMS, responses=ok(TAG.page, *LIST))
    def get(self, request):
        qs = selectors.tags(org=self.org)
        return Response(paginate(request, qs, lambda rows: [tag_resource(r) for r in rows]))

    @extend_schema(
        operation_id="tags_create",
        request=TAG_CREATE_BODY,
        responses=created(TAG.document, *WRITE),
        description="Body: {name (unique), color (#rrggbb)}.",
    )
    def post(self, request):
        tag = services.tag_create(org=self.org, actor=self.actor, data=body_of(request))
        return Response({"data": tag_resource(tag)}, status=201)


class TagDetailView(ApiView):
    scope_resource = "tag"

    def _tag(self, pk):
        tag = selectors.tags(org=self.org).filter(pk=pk).first()
        if tag is None:
            raise NotFound("No tag with this id.")
        return tag

    @extend_schema(operation_id="tags_retrieve", responses=ok(TAG.document, *READ))
    def get(self, request, pk):
        return Response({"data": tag_resource(self._tag(pk))})

    @extend_schema(
        operation_id="tags_update",
        request=TAG_BODY,
        parameters=[REV],
        responses=ok(TAG.document, *WRITE),
    )
    def put(self, request, pk):
        tag = services.tag_update(
            org=self.org,
            actor=self.actor,
            tag=self._tag(pk),
            data=with_rev(body_of(request), rev_param(request)),
            partial=True,
        )
        return Response({"data": tag_resource(tag)})

    @extend_schema(operation_id="tags_destroy", parameters=[REV], responses=deleted(*WRITE))
    def delete(self, request, pk):
        services.tag_delete(
            org=self.org, actor=self.actor, tag=self._tag(pk), rev=rev_param(request)
        )
        return Response(status=204)
