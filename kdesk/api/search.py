"""`POST /v1/customers/search`: criteria search over every queryContext (kdesk.search)."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from kdesk import scopes
from kdesk.api.openapi import ERRORS, CursorLinksSerializer
from kdesk.api.pagination import _link, clamped_int, page_document, page_params
from kdesk.api.schema import body_rules
from kdesk.api.views import ApiView
from kdesk.db_routing import replica_reads
from kdesk.errors import FieldError, Forbidden, ValidationFailed
from kdesk.models import ApiKey
from kdesk.search import compile_search, query_context, search_cursor, search_page
from kdesk.search.fields import CONTEXT_NAMES, CONTEXTS

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


_CRITERIA = (
    'Criteria `{"<context>_<field>": {"<op>": value}}` or nested `{"and": [...]}` / '
    '`{"or": [...]}`; ops equals, not_equals, contains, starts_with, gt, gte, lt, lte, in, '
    "exists. Custom attributes: `<context>_custom_<attributeName>`."
)
SearchInputSerializer = inline_serializer(
    name="SearchInput",
    fields={
        "queryContext": serializers.ChoiceField(choices=CONTEXT_NAMES),
        "and": serializers.ListField(
            child=serializers.DictField(), required=False, help_text="All must hold. " + _CRITERIA
        ),
        "or": serializers.ListField(
            child=serializers.DictField(), required=False, help_text="At least one must hold."
        ),
        "sort": serializers.ListField(
            child=serializers.DictField(child=serializers.ChoiceField(choices=["asc", "desc"])),
            required=False,
            allow_null=True,
            help_text='e.g. [{"customer_updated_at": "asc"}]; ties are broken by id. null (or []): '
            "the default order, most recently updated first.",
        ),
        "klass": serializers.CharField(required=False, help_text="kobject only: the Klass name."),
    },
)


# compile_search: a Klass is named only to search KObjects
body_rules(
    "SearchInput",
    {
        "if": {"required": ["klass"]},
        "then": {"properties": {"queryContext": {"const": "kobject"}}},
    },
)


class SearchCursorSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)


class SearchMetaSerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False)
    pageSize = serializers.IntegerField()
    total = serializers.IntegerField(
        required=False, help_text="Exact up to 10,000 matches; a lower bound past that."
    )
    totalExact = serializers.BooleanField(
        required=False, help_text="false when total is a lower bound (the count stopped)."
    )
    totalPages = serializers.IntegerField(required=False)
    cursor = SearchCursorSerializer(required=False)


class SearchPageSerializer(serializers.Serializer):
    meta = SearchMetaSerializer()
    links = CursorLinksSerializer(
        help_text="self, first, prev, next; a sync search's next is its ?cursor= continuation."
    )
    data = serializers.ListField(
        child=serializers.DictField(),
        help_text="Resources of the queryContext's type (the same as its own endpoints give).",
    )


def check_read_scope(request, context):
    """The read scope of the queryContext's resource (sessions: what the role may read)."""
    resource = CONTEXTS[context].scope
    if isinstance(request.auth, ApiKey):
        name = scopes.scope(resource, "read")
        if name not in request.auth.scopes:
            raise Forbidden(f"This API key lacks the scope {name}.")
    elif not scopes.session_allows(request.user.role, resource, "read"):
        raise Forbidden("Only admins may do this.")


class SearchView(ApiView):
    """Scopes depend on the body's queryContext, so the view checks them itself."""

    scope_resource = None

    @extend_schema(
        summary="Search customers, companies, conversations, messages, notes or KObjects",
        description=(
            "Criteria search (API.md, Search). Incremental sync: sort by "
            "`<context>_updated_at` asc with `<context>_updated_at` gte a bookmark; the answer "
            "carries `meta.cursor.next` — pass it back as `?cursor=` to get the rows after "
            "it, each exactly once (a row updated meanwhile comes again later, with its new "
            "updatedAt). Sync searches only see rows whose updatedAt is at least a couple of "
            "seconds old, so that no row that is still being committed can be skipped. "
            "`meta.total` is exact up to 10,000 matches (or just past the requested page); "
            "beyond that it is a lower bound and `meta.totalExact` is false."
        ),
        request=SearchInputSerializer,
        parameters=[
            OpenApiParameter("page", int, description="1-based page number."),
            OpenApiParameter("pageSize", int, description="Rows per page (default 100, ≤ 500)."),
            OpenApiParameter(
                "cursor", str, description="meta.cursor.next of a sync search: continue after it."
            ),
        ],
        responses={200: SearchPageSerializer, 400: ERRORS, 403: ERRORS},
    )
    def post(self, request):
        body = request.data
        context = query_context(body)
        check_read_scope(request, context)
        cursor = request.query_params.get("cursor")
        if cursor is not None:
            if request.query_params.get("page") not in (None, ""):
                raise ValidationFailed(
                    [FieldError("/page", "invalid", "page and cursor cannot be combined.")]
                )
            size = clamped_int(request, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
            plan = compile_search(org=self.org, body=body)
            result = search_cursor(plan, cursor=cursor, size=size)
            return Response(_cursor_document(request, result, size))
        page, size = page_params(request, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE)
        plan = compile_search(org=self.org, body=body)
        if plan.sync:
            result = search_page(plan, page=page, size=size)
        else:
            with replica_reads():  # a replica's lag is harmless here (kdesk/db_routing.py)
                result = search_page(plan, page=page, size=size)
        document = page_document(request, result.data, page=page, size=size, total=result.total)
        document["meta"]["totalExact"] = result.exact
        if plan.sync:
            document["meta"]["cursor"] = {"next": result.next_cursor}
            # Pages of a sync search move while rows are updated: the way on is the cursor,
            # which never skips a row (`?page=N+1` would).
            last = result.exact and page * size >= result.total
            document["links"]["next"] = None if last else _next_cursor_link(request, result, size)
        return Response(document)


def _next_cursor_link(request, result, size):
    if result.rows < size or not result.next_cursor:
        return None  # caught up: resume from meta.cursor.next later
    return _link(request, cursor=result.next_cursor, page=None)


def _cursor_document(request, result, size):
    return {
        "meta": {"pageSize": size, "cursor": {"next": result.next_cursor}},
        "links": {
            "self": _link(request),
            "first": _link(request, cursor=None, page=None),
            "prev": None,
            "next": _next_cursor_link(request, result, size),
        },
        "data": result.data,
    }
