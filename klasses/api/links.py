"""`/v1/klasses/{name}/{id}/relationships/{rel}`: the links a KObject's declared relationships hold."""

from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from klasses import relationships, services
from klasses.api.schemas import (
    READ,
    WRITE,
    responses_with,
)
from klasses.openapi.bodies import LINK


@extend_schema_field({"oneOf": [LINK, {"type": "array", "items": LINK}], "nullable": True})
class LinkageField(serializers.JSONField):
    pass


LINKAGE_BODY = inline_serializer(
    "RelationshipLinkage",
    {
        "data": LinkageField(
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

    @extend_schema(responses=responses_with(LINKAGE_DOCUMENT, *READ))
    def get(self, request, name, pk, rel):
        _, relationship = self._get(name, pk, rel)
        return self._document(name, pk, relationship)

    @extend_schema(request=LINKAGE_BODY, responses=responses_with(LINKAGE_DOCUMENT, *WRITE))
    def post(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "add")

    @extend_schema(request=LINKAGE_BODY, responses=responses_with(LINKAGE_DOCUMENT, *WRITE))
    def patch(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "replace")

    @extend_schema(request=LINKAGE_BODY, responses=responses_with(LINKAGE_DOCUMENT, *WRITE))
    def delete(self, request, name, pk, rel):
        return self._change(request, name, pk, rel, "remove")
