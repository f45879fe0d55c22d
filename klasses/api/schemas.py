"""What the `/v1/klasses…`, `/v1/metadata/…` and `/v1/kviews…` views document: parameters,
response models and status codes."""

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

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

PAGE = [OpenApiParameter("page", int), OpenApiParameter("pageSize", int)]
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")

# Response models. With an org's credentials /v1/schema also holds `KObject_<klass>_document`
# (and _resource, _page, _bulk) whose `data` is typed from that Klass's attributes
# (klasses.openapi.org_klasses.org_klasses_hook).
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


def responses_with(documented, *codes):
    return {200: documented, **errors(*codes)}


FORCE = OpenApiParameter(
    "force", bool, description="Apply metadata even if existing rows break (they are reported)."
)


def violations_meta(broken):
    """What `?force=true` left broken: the rows that violate the new definitions."""
    return {"violatingRows": len(broken), "violatingIds": [str(i) for i in broken[:100]]}
