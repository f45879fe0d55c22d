"""OpenAPI building blocks for responses, so that every answer is a typed model, not `object`.

Resources are JSON:API style (API.md): `{type, id, attributes, relationships, links: {self}}`;
a single answer is `{data: <resource>}`, a page `{meta: {page, pageSize, total, totalPages},
links: {self, first, prev, next}, data: [...]}`, a cursor page
`{meta: {cursor: {next}}, links: {...}, data: [...]}`, and an error `{errors: [...]}`.

    documented = resource_schemas("Tag", {"name": serializers.CharField(), ...})
    @extend_schema(responses={200: documented.document, 400: ERRORS})

The serializers only document: responses are built by the plain serializers of each app's
`representations`.
"""

import copy
from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers

from kdesk.api.schema import body_rules
from kdesk.text import NOT_BLANK_PATTERN

# ---- errors -----------------------------------------------------------------------------------


class ErrorSourceSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="JSON pointer into the request body, e.g. /name.")
    parameter = serializers.CharField(
        required=False, help_text="The query parameter at fault, e.g. updatedAt[gte]."
    )


class ErrorSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The HTTP status, as a string.")
    code = serializers.CharField(help_text="Machine-readable, e.g. validation_error, conflict.")
    title = serializers.CharField()
    detail = serializers.CharField()
    source = ErrorSourceSerializer(required=False)


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


ERRORS = OpenApiResponse(ErrorsSerializer, description="`{errors: [...]}` (API.md)")


def errors(*codes):
    """`{400: ERRORS, 404: ERRORS, …}` for the given status codes."""
    return dict.fromkeys(codes, ERRORS)


# ---- pieces shared by every resource ---------------------------------------------------------


class RefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class ToOneSerializer(serializers.Serializer):
    data = RefSerializer()


class ToManySerializer(serializers.Serializer):
    data = RefSerializer(many=True)


class SelfLinkSerializer(serializers.Serializer):
    self = serializers.CharField()


class PageMetaSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()  # noqa: N815
    total = serializers.IntegerField()
    totalPages = serializers.IntegerField()  # noqa: N815


class PageLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    first = serializers.CharField()
    prev = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True, help_text="null on the last page.")


class CursorSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="Pass back as the cursor to read on (null: at the end)."
    )


class CursorMetaSerializer(serializers.Serializer):
    cursor = CursorSerializer()
    hasMore = serializers.BooleanField(  # noqa: N815
        required=False, help_text="The page is full: there may be more right away."
    )


class CursorLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    first = serializers.CharField(help_text="The list from its start (no cursor).")
    prev = serializers.CharField(allow_null=True, help_text="Always null: cursors walk forward.")
    next = serializers.CharField(allow_null=True, help_text="null when caught up.")


ID_PATTERN = "^[1-9][0-9]{0,17}$"


def id_schema(*, blank=False):
    """An id sent in a body as kdesk.payload.as_id reads it: the digits of a positive integer,
    or that integer (the document stays within 18 digits, all below 2**63); `blank`: "" is taken
    too (it clears the reference, as null does)."""
    return {
        "type": ["string", "integer"],
        "pattern": f"^$|{ID_PATTERN}" if blank else ID_PATTERN,
        "minimum": 1,
        "maximum": 10**18 - 1,
    }


class BodyIdField(serializers.Field):
    """Documents an id in a request body (see id_schema); the services read the body."""

    def __init__(self, *, blank=False, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)


class BodyIdFieldExtension(OpenApiSerializerFieldExtension):
    target_class = BodyIdField

    def map_serializer_field(self, auto_schema, direction):
        return id_schema(blank=self.target.blank)


def an_id(**kwargs):
    """An id sent in a body (`customer`, `company`, a member): see id_schema."""
    return BodyIdField(**kwargs)


def without_rev(body, name, required=()):
    """The create variant of an update body: a new object has no rev to check (the services
    refuse one), and `required` names what a create must carry (not blank)."""
    fields = {}
    for key, field in body.__class__._declared_fields.items():
        if key == "rev":
            continue
        field = copy.deepcopy(field)
        if key in required:
            # a serializer's fields are deep copies, rebuilt from the constructor's arguments
            field._kwargs.update(required=True, allow_null=False)
            field.required, field.allow_null = True, False  # what a create needs is not null
            if isinstance(field, BodyIdField):
                field._kwargs["blank"] = field.blank = False
            if isinstance(field, serializers.CharField) and not isinstance(
                field, serializers.RegexField
            ):
                field = serializers.RegexField(
                    NOT_BLANK_PATTERN, max_length=field.max_length, help_text=field.help_text
                )
        fields[key] = field
    return inline_serializer(name, fields)


def to_one():
    return ToOneSerializer(required=False)


def to_many():
    return ToManySerializer(required=False)


def text(**kwargs):
    """A string attribute that may be empty or null."""
    return serializers.CharField(allow_null=True, allow_blank=True, **kwargs)


def moment(**kwargs):
    return serializers.DateTimeField(**kwargs)


def maybe_moment(**kwargs):
    return serializers.DateTimeField(allow_null=True, **kwargs)


@extend_schema_field({"type": "string", "anyOf": [{"format": "date-time"}, {"maxLength": 0}]})
class MomentOrBlankField(serializers.Field):
    """Documents a moment sent in a body that "" (or null) leaves unset, as
    conversations.services.common._datetime reads it."""


def moment_or_blank(**kwargs):
    return MomentOrBlankField(allow_null=True, **kwargs)


def strings(**kwargs):
    return serializers.ListField(child=serializers.CharField(allow_blank=True), **kwargs)


def obj(**kwargs):
    return serializers.DictField(**kwargs)


def timestamps():
    """rev, createdAt and updatedAt, which every resource has."""
    return {
        "rev": serializers.IntegerField(),
        "createdAt": moment(),
        "updatedAt": moment(),
    }


@dataclass(frozen=True)
class Documented:
    resource: object
    document: object
    page: object
    cursor_page: object


def resource_schemas(name, attributes, relationships=None):
    """Components `<name>Attributes`, `<name>Resource`, `<name>Document` (`{data}`),
    `<name>Page` and `<name>CursorPage`."""
    attrs = inline_serializer(f"{name}Attributes", attributes)
    rels = (
        inline_serializer(f"{name}Relationships", relationships)
        if relationships
        else serializers.DictField(help_text="{} when there are none.")
    )
    resource_class = inline_serializer(
        f"{name}Resource",
        {
            "type": serializers.CharField(),
            "id": serializers.CharField(),
            "attributes": attrs,
            "relationships": rels,
            "links": SelfLinkSerializer(),
        },
    ).__class__
    document = inline_serializer(f"{name}Document", {"data": resource_class()})
    page = inline_serializer(
        f"{name}Page",
        {
            "meta": PageMetaSerializer(),
            "links": PageLinksSerializer(),
            "data": resource_class(many=True),
        },
    )
    cursor_page = inline_serializer(
        f"{name}CursorPage",
        {
            "meta": CursorMetaSerializer(),
            "links": CursorLinksSerializer(),
            "data": resource_class(many=True),
        },
    )
    return Documented(resource_class, document, page, cursor_page)


# ---- the core's own resources -----------------------------------------------------------------

USER = resource_schemas(
    "User",
    {
        "name": text(),
        "displayName": text(),
        "username": text(),
        "email": text(),
        "role": serializers.CharField(),
        "isMachine": serializers.BooleanField(),
        "timeZone": text(),
        **timestamps(),
    },
    {"teams": to_many()},
)
TEAM = resource_schemas(
    "Team",
    {
        "name": serializers.CharField(),
        "displayName": serializers.CharField(),
        "slug": serializers.CharField(),
        "members": strings(help_text="User ids."),
        **timestamps(),
    },
    {"members": to_many()},
)
TEAM_BODY = inline_serializer(
    "TeamBody",
    {
        "name": serializers.CharField(
            max_length=100, required=False, help_text="Unique in the org, ignoring case."
        ),
        "displayName": serializers.CharField(
            max_length=150,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="Blank or null: the name.",
        ),
        "slug": serializers.RegexField(
            r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$",
            max_length=64,
            required=False,
            allow_null=True,
            help_text="The @mention handle (lower-cased); from name by default.",
        ),
        "members": serializers.ListField(
            child=an_id(),
            required=False,
            allow_null=True,
            help_text="User ids; replaces the list.",
        ),
        "rev": serializers.IntegerField(required=False),
    },
)
TEAM_CREATE_BODY = without_rev(TEAM_BODY, "TeamCreateBody", required=("name",))
TEAM_CREATE_BODY.__class__._declared_fields["name"] = serializers.RegexField(
    NOT_BLANK_PATTERN, max_length=100, help_text="Unique in the org, ignoring case."
)
# without a slug, the name must make one (letters or digits)
body_rules(
    "TeamCreateBody",
    {
        "if": {
            "anyOf": [{"not": {"required": ["slug"]}}, {"properties": {"slug": {"type": "null"}}}]
        },
        "then": {"properties": {"name": {"pattern": "[A-Za-z0-9]"}}},
    },
)
EVENT = resource_schemas(
    "Event",
    {
        "name": serializers.CharField(help_text="<resource>.<action>, e.g. customer.update"),
        "resource": serializers.CharField(),
        "resourceId": serializers.CharField(),
        "customerId": serializers.CharField(allow_null=True),
        "actorId": serializers.CharField(allow_null=True),
        "rev": serializers.IntegerField(allow_null=True),
        "data": obj(help_text="Snapshot of the resource after the change."),
        "changes": obj(help_text="{attributes: {<field>: {before, after}}} or {}."),
        "createdAt": moment(),
    },
)
