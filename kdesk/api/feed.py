"""`GET /v1/events?after=<cursor>&types=a,b&limit=`: the org's change feed, deletes included."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from kdesk.api.openapi import EVENT, errors
from kdesk.api.pagination import cursor_document, decode_cursor, encode_cursor, limit_param
from kdesk.api.permissions import allows
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, ValidationFailed
from kdesk.models import ApiKey
from kdesk.selectors import EVENT_SCOPES, KOBJECT_SCOPE, events_after

READABLE = frozenset({*EVENT_SCOPES.values(), KOBJECT_SCOPE})


def readable_scopes(request):
    """The kinds of event this caller may read (None: all): a key needs each resource's read
    scope, as for the resource itself; events of admin-only resources are for admins."""
    if not isinstance(request.auth, ApiKey) and request.user.role == "admin":
        return None
    return frozenset(r for r in READABLE if allows(request, r, "read"))


def event_resource(e):
    return {
        "type": "event",
        "id": str(e["id"]),
        "attributes": {
            "name": e["type"],
            "resource": e["resource"],
            "resourceId": e["resource_id"],
            "customerId": str(e["customer_id"]) if e["customer_id"] is not None else None,
            "actorId": str(e["actor_id"]) if e["actor_id"] is not None else None,
            "rev": e["rev"],
            "data": e["data"],
            "changes": e["changes"],
            "createdAt": e["created_at"].isoformat().replace("+00:00", "Z"),
        },
        "relationships": {},
        "links": {"self": f"/v1/events?after={e['id'] - 1}&limit=1"},
    }


class EventFeedView(ApiView):
    scope_resource = "event"

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="Cursor (or event id) to read after."),
            OpenApiParameter(
                "types",
                str,
                description="Comma-separated event types or prefixes "
                "ending in '*' (e.g. customer.*).",
            ),
            OpenApiParameter("limit", int, description="At most 500 (default 100)."),
        ],
        responses={200: EVENT.cursor_page, **errors(400, 401, 403)},
        description=(
            "Every change in the org, oldest first, deletes included; only the kinds of event "
            "the key may read (each resource's read scope). An event is listed once no "
            "transaction still in flight can commit an earlier one, so following "
            "`meta.cursor.next` never skips an event; the newest events may therefore "
            "appear a moment after they were written."
        ),
    )
    def get(self, request):
        raw_after = request.query_params.get("after")
        after = 0
        if raw_after:
            if raw_after.isascii() and raw_after.isdigit() and len(raw_after) < 19:
                after = int(raw_after)
            else:
                decoded = decode_cursor(raw_after, param="after")
                if not isinstance(decoded, int):
                    raise ValidationFailed(
                        [FieldError("/after", "invalid", "The cursor is not one this API issued.")]
                    )
                after = decoded
        types = [t.strip() for t in request.query_params.get("types", "").split(",") if t.strip()]
        limit = limit_param(request)
        rows = events_after(
            org=self.org,
            after=after,
            types=types,
            limit=limit,
            viewer=request.user,
            scopes=readable_scopes(request),
        )
        next_cursor = encode_cursor(rows[-1]["id"]) if rows else encode_cursor(after)
        doc = cursor_document(
            request,
            [event_resource(r) for r in rows],
            next_cursor=next_cursor,
            param="after",
        )
        doc["meta"]["hasMore"] = len(rows) == limit
        if len(rows) < limit:
            doc["links"]["next"] = None
        return Response(doc)
