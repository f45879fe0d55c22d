"""`/v1/shortcuts`: saved replies, their edits and copies."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from conversations import selectors, services
from conversations.representations import (
    shortcut_resource,
)
from kdesk.api.pagination import (
    paginate,
)
from kdesk.api.params import rev_param, with_rev
from kdesk.api.schema import optional_body
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

from .common import body_of
from .schemas import (
    LIST,
    PAGE_PARAMS,
    READ,
    REV,
    SHORTCUT,
    SHORTCUT_BODY,
    SHORTCUT_COPY_BODY,
    SHORTCUT_CREATE_BODY,
    WRITE,
    created,
    deleted,
    ok,
)


class ShortcutListView(ApiView):
    scope_resource = "shortcut"

    @extend_schema(
        operation_id="shortcuts_list", parameters=PAGE_PARAMS, responses=ok(SHORTCUT.page, *LIST)
    )
    def get(self, request):
        qs = selectors.shortcuts_visible(org=self.org, user=self.actor)
        return Response(paginate(request, qs, lambda rows: [shortcut_resource(r) for r in rows]))

    @extend_schema(
        operation_id="shortcuts_create",
        request=SHORTCUT_CREATE_BODY,
        responses=created(SHORTCUT.document, *WRITE),
        description="Body: {name, payload (a string, one block per line, or {text: {blocks, "
        "entityMap}}; {{customer.firstName}} and {{customer.custom.<attribute>}} placeholders), "
        "draft: {text}, isPrivate, conversation: {tags: {operator, value}, name: {operator, "
        "value}}}.",
    )
    def post(self, request):
        shortcut = services.shortcut_create(org=self.org, actor=self.actor, data=body_of(request))
        return Response({"data": shortcut_resource(shortcut)}, status=201)


class ShortcutDetailView(ApiView):
    scope_resource = "shortcut"

    def _shortcut(self, pk):
        shortcut = selectors.shortcuts_visible(org=self.org, user=self.actor).filter(pk=pk).first()
        if shortcut is None:
            raise NotFound("No shortcut with this id.")
        return shortcut

    @extend_schema(operation_id="shortcuts_retrieve", responses=ok(SHORTCUT.document, *READ))
    def get(self, request, pk):
        return Response({"data": shortcut_resource(self._shortcut(pk))})

    @extend_schema(
        operation_id="shortcuts_update",
        request=SHORTCUT_BODY,
        parameters=[REV],
        responses=ok(SHORTCUT.document, *WRITE),
        description="A shared shortcut is changed only by its owner or an admin (403 for "
        "others: copy it instead).",
    )
    def put(self, request, pk):
        shortcut = services.shortcut_update(
            org=self.org,
            actor=self.actor,
            shortcut=self._shortcut(pk),
            data=with_rev(body_of(request), rev_param(request)),
            partial=True,
        )
        return Response({"data": shortcut_resource(shortcut)})

    @extend_schema(operation_id="shortcuts_destroy", parameters=[REV], responses=deleted(*WRITE))
    def delete(self, request, pk):
        services.shortcut_delete(
            org=self.org, actor=self.actor, shortcut=self._shortcut(pk), rev=rev_param(request)
        )
        return Response(status=204)


optional_body("shortcuts_copy")


class ShortcutCopyView(ApiView):
    scope_map = {"POST": ("shortcut", "create")}

    @extend_schema(
        operation_id="shortcuts_copy",
        request=SHORTCUT_COPY_BODY,
        responses=created(SHORTCUT.document, *WRITE),
        description="A new shortcut owned by the caller with this one's text and conversation "
        "defaults; private unless `isPrivate: false`, named `<name>-copy` unless `name` is given.",
    )
    def post(self, request, pk):
        data = request.data if request.body else {}  # a copy needs no body
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise ValidationFailed([FieldError("", "type", "The body must be a JSON object.")])
        shortcut = services.shortcut_copy(org=self.org, actor=self.actor, shortcut=pk, data=data)
        return Response({"data": shortcut_resource(shortcut)}, status=201)
