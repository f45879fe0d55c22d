"""`/v1/conversations`, one conversation, its history, and a customer's conversations."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from conversations import selectors, services
from conversations.models import Conversation
from conversations.representations import (
    conversation_resource,
    history_resource,
)
from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter, filter_parameters
from kdesk.api.pagination import (
    cursor_document,
    decode_cursor,
    encode_cursor,
    limit_param,
    paginate,
)
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

from .common import body_of, conversation_or_404, customer_or_404
from .schemas import (
    CONVERSATION,
    CONVERSATION_BODY,
    CONVERSATION_CREATE_BODY,
    HISTORY,
    LIST,
    PAGE_PARAMS,
    READ,
    REV,
    WRITE,
    created,
    deleted,
    ok,
)


class ConversationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Conversation.Status.choices, field_name="status"
    )
    assignedUser = IdFilter(field_name="assigned_user_id")
    assignedTeam = IdFilter(field_name="assigned_team_id")
    customer = IdFilter(field_name="customer_id")
    updatedSince = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    sort = django_filters.OrderingFilter(
        fields=(
            ("updated_at", "updatedAt"),
            ("created_at", "createdAt"),
            ("last_activity_at", "lastActivityAt"),
            ("priority", "priority"),
        )
    )

    class Meta:
        model = Conversation
        fields = []


CONVERSATION_FILTER_PARAMS = filter_parameters(
    ConversationFilter,
    status="open, snoozed or done (repeatable).",
    assignedUser="Assigned user id.",
    assignedTeam="Assigned team id.",
    customer="Customer id.",
    updatedSince="ISO-8601: updatedAt ≥ this.",
    sort="'-' prefix for descending. Default: -lastActivityAt.",
)


def _filtered(request, queryset):
    filterset = ConversationFilter(request.query_params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationFailed(
            [
                FieldError(f"/{name}", "invalid", f"{name}: {' '.join(messages)}")
                for name, messages in filterset.errors.items()
            ]
        )
    qs = filterset.qs
    if not request.query_params.get("sort"):
        qs = qs.order_by("-last_activity_at", "-id")
    else:
        qs = qs.order_by(*qs.query.order_by, "-id")
    return qs


def _serialize_conversations(rows):
    return [conversation_resource(r) for r in rows]


class ConversationListView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="conversations_list",
        parameters=[*PAGE_PARAMS, *CONVERSATION_FILTER_PARAMS],
        responses=ok(CONVERSATION.page, *LIST),
    )
    def get(self, request):
        qs = _filtered(request, selectors.conversations(org=self.org))
        return Response(paginate(request, qs, _serialize_conversations))

    @extend_schema(
        operation_id="conversations_create",
        request=CONVERSATION_CREATE_BODY,
        responses=created(CONVERSATION.document, *WRITE),
        description="Body: {customer, name, status, snoozeUntil, priority (1–5), assignedUser, "
        "assignedTeam, tags, custom}.",
    )
    def post(self, request):
        conversation = services.conversation_create(
            org=self.org, actor=self.actor, data=body_of(request)
        )
        return Response({"data": conversation_resource(conversation)}, status=201)


class ConversationDetailView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="conversations_retrieve", responses=ok(CONVERSATION.document, *READ)
    )
    def get(self, request, pk):
        return Response({"data": conversation_resource(conversation_or_404(self.org, pk))})

    def _update(self, request, pk, partial):
        conversation = services.conversation_update(
            org=self.org,
            actor=self.actor,
            conversation=conversation_or_404(self.org, pk),
            data=body_of(request),
            rev=rev_param(request),
            partial=partial,
        )
        return Response({"data": conversation_resource(conversation)})

    @extend_schema(
        operation_id="conversations_update",
        request=CONVERSATION_BODY,
        parameters=[REV],
        responses=ok(CONVERSATION.document, *WRITE),
        description="Change the attributes the body carries (omitted ones are kept, null "
        "clears one; `custom` is merged); send `rev` to refuse a stale write (409).",
    )
    def put(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        operation_id="conversations_partial_update",
        request=CONVERSATION_BODY,
        parameters=[REV],
        responses=ok(CONVERSATION.document, *WRITE),
        description="Change the given attributes; `custom` is merged (null removes a key).",
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        operation_id="conversations_destroy",
        parameters=[REV],
        responses=deleted(*READ, 409),
        description="Deletes its messages and notes too, each with its delete event.",
    )
    def delete(self, request, pk):
        services.conversation_delete(
            org=self.org,
            actor=self.actor,
            conversation=conversation_or_404(self.org, pk),
            rev=rev_param(request),
        )
        return Response(status=204)


class ConversationHistoryView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="conversation_history_list",
        parameters=[
            OpenApiParameter("cursor", str, description="From the previous page's meta."),
            OpenApiParameter("limit", int, description="At most 500 (default 100)."),
        ],
        responses=ok(HISTORY.cursor_page, *LIST),
        description="Status, assignment and attribute changes in the order they happened, "
        "from the event log (also after the conversation was deleted).",
    )
    def get(self, request, pk):
        raw = decode_cursor(request.query_params.get("cursor"))
        if raw is not None and not (isinstance(raw, int) and not isinstance(raw, bool)):
            raise ValidationFailed(
                [FieldError("/cursor", "invalid", "The cursor is not one this API issued.")]
            )
        limit = limit_param(request)
        rows = selectors.conversation_history(
            org=self.org, conversation_id=pk, after=raw or 0, limit=limit
        )
        if not rows and raw is None and selectors.conversation_get(org=self.org, pk=pk) is None:
            raise NotFound("No conversation with this id.")
        next_cursor = encode_cursor(rows[-1]["id"]) if len(rows) == limit else None
        return Response(
            cursor_document(
                request, [history_resource(r, pk) for r in rows], next_cursor=next_cursor
            )
        )


class CustomerConversationListView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="customer_conversations_list",
        parameters=[*PAGE_PARAMS, *CONVERSATION_FILTER_PARAMS],
        responses=ok(CONVERSATION.page, *LIST),
    )
    def get(self, request, pk):
        customer_or_404(self.org, pk)
        qs = _filtered(request, selectors.customer_conversations(org=self.org, customer_id=pk))
        return Response(paginate(request, qs, _serialize_conversations))
