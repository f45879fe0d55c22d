"""`POST /v1/customers/search`: criteria search over every queryContext (kdesk.search)."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from kdesk import scopes
from kdesk.api.pagination import _link, _positive_int, page_document, page_params
from kdesk.api.views import ApiView
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
            help_text='e.g. [{"customer_updated_at": "asc"}]; ties are broken by id.',
        ),
        "klass": serializers.CharField(required=False, help_text="kobject only: the Klass name."),
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
    links = serializers.DictField()
    data = serializers.ListField(child=serializers.DictField())


ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description="`{errors: [...]}` (API.md)")


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
        size = min(_positive_int(request, "pageSize", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        if cursor is not None:
            if request.query_params.get("page") not in (None, ""):
                raise ValidationFailed(
                    [FieldError("/page", "invalid", "page and cursor cannot be combined.")]
                )
            plan = compile_search(org=self.org, body=body)
            result = search_cursor(plan, cursor=cursor, size=size)
            return Response(_cursor_document(request, result, size))
        page, size = page_params(request, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE)
        plan = compile_search(org=self.org, body=body)
        result = search_page(plan, page=page, size=size)
        document = page_document(request, result.data, page=page, size=size, total=result.total)
        document["meta"]["totalExact"] = result.exact
        if plan.sync:
            document["meta"]["cursor"] = {"next": result.next_cursor}
        return Response(document)


def _cursor_document(request, result, size):
    caught_up = result.rows < size
    return {
        "meta": {"pageSize": size, "cursor": {"next": result.next_cursor}},
        "links": {
            "self": _link(request),
            "next": None
            if caught_up or not result.next_cursor
            else _link(request, cursor=result.next_cursor, page=None),
        },
        "data": result.data,
    }
