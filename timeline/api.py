"""`GET /v1/customers/{id}/timeline?cursor=&kinds=&klasses=&limit=`: the merged timeline."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from customers.selectors import customer_exists
from kdesk.api.openapi import errors, moment, obj, resource_schemas, to_one
from kdesk.api.pagination import cursor_document, decode_cursor, encode_cursor, limit_param
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.models import ApiKey
from kdesk.scopes import scope
from timeline.entries import KINDS
from timeline.representations import entry_resource
from timeline.selectors import decode_keyset, encode_keyset, timeline_page

TIMELINE_ENTRY = resource_schemas(
    "TimelineEntry",
    {
        "kind": serializers.ChoiceField(choices=list(KINDS)),
        "event": serializers.CharField(help_text="The event type, e.g. conversation.note.create"),
        "resource": serializers.CharField(),
        "resourceId": serializers.CharField(),
        "rev": serializers.IntegerField(allow_null=True),
        "data": obj(help_text="Snapshot of the resource (a message or note: its latest state)."),
        "changes": obj(),
        "edited": serializers.BooleanField(help_text="A message or note changed since."),
        "deleted": serializers.BooleanField(help_text="A message or note deleted since."),
        "createdAt": moment(),
    },
    {"actor": to_one()},
)


def csv_param(request, name, allowed=None):
    values = [v.strip() for v in request.query_params.get(name, "").split(",") if v.strip()]
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationFailed(
                [
                    FieldError(
                        f"/{name}",
                        "invalid",
                        f"Unknown {name}: {', '.join(bad)}. Use any of {', '.join(allowed)}.",
                    )
                ]
            )
    return values


# What each kind of entry reveals, and the read scope a key needs to see it.
KIND_SCOPES = {
    "message": "message",
    "note": "note",
    "conversation": "conversation",
    "kobject": "kobject",
    "customer": "customer",
}


def readable_kinds(request, kinds):
    """The requested kinds this caller may read: a key sees notes only with note.read, etc."""
    if not isinstance(request.auth, ApiKey):
        return kinds
    granted = set(request.auth.scopes)
    return [k for k in kinds if scope(KIND_SCOPES[k], "read") in granted]


class CustomerTimelineView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="`meta.cursor.next` of the last page."),
            OpenApiParameter("limit", int, description="Entries per page, at most 100 (50)."),
            OpenApiParameter(
                "kinds",
                str,
                description="Comma-separated: " + ", ".join(KINDS),
                # csv_param: pieces stripped, empty ones skipped
                pattern=f"^ *({'|'.join(KINDS)})? *(, *({'|'.join(KINDS)})? *)*$",
            ),
            OpenApiParameter("klasses", str, description="Comma-separated Klass names."),
        ],
        responses={200: TIMELINE_ENTRY.cursor_page, **errors(400, 401, 403, 404)},
    )
    def get(self, request, pk):
        if not customer_exists(org=self.org, pk=pk):
            raise NotFound("No customer with this id.")
        raw = decode_cursor(request.query_params.get("cursor"))
        cursor = decode_keyset(raw) if raw is not None else None
        if raw is not None and cursor is None:
            raise ValidationFailed(
                [FieldError("/cursor", "invalid", "The cursor is not one this API issued.")]
            )
        kinds = readable_kinds(request, csv_param(request, "kinds", KINDS) or list(KINDS))
        if not kinds:
            return Response(cursor_document(request, [], next_cursor=None))
        rows, next_before = timeline_page(
            org=self.org,
            customer_id=pk,
            before=cursor,
            kinds=kinds,
            klasses=csv_param(request, "klasses"),
            limit=limit_param(request, default=50, maximum=100),
        )
        next_cursor = encode_cursor(encode_keyset(next_before)) if next_before else None
        return Response(
            cursor_document(request, [entry_resource(r) for r in rows], next_cursor=next_cursor)
        )
