"""`/v1/` endpoints for conversations, messages, notes, tags and shortcuts."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from customers.models import Customer
from kdesk.api.filters import IdFilter, UtcIsoDateTimeFilter
from kdesk.api.openapi import (
    errors,
    maybe_moment,
    moment,
    obj,
    resource_schemas,
    strings,
    text,
    timestamps,
    to_one,
)
from kdesk.api.pagination import (
    cursor_document,
    decode_cursor,
    encode_cursor,
    limit_param,
    paginate,
)
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

from . import selectors, services
from .models import Conversation, Message, Note
from .representations import (
    conversation_resource,
    history_resource,
    message_resource,
    note_resource,
    shortcut_resource,
    tag_resource,
)

PAGE_PARAMS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("pageSize", int, description="Rows per page, at most 100."),
]
CONVERSATION = resource_schemas(
    "Conversation",
    {
        "name": text(),
        "status": serializers.ChoiceField(Conversation.Status.values),
        "snoozeUntil": maybe_moment(),
        "priority": serializers.IntegerField(allow_null=True),
        "channels": strings(),
        "tags": strings(),
        "assignedUsers": strings(help_text="At most one: kdesk keeps one assigned user."),
        "assignedTeams": strings(help_text="At most one: kdesk keeps one assigned team."),
        "custom": obj(),
        "firstMessageAt": maybe_moment(),
        "lastMessageAt": maybe_moment(),
        "lastActivityAt": maybe_moment(),
        "preview": text(),
        "messageCount": serializers.IntegerField(allow_null=True),
        **timestamps(),
    },
    {"customer": to_one(), "assignedUser": to_one(), "assignedTeam": to_one()},
)
MESSAGE = resource_schemas(
    "Message",
    {
        "direction": serializers.ChoiceField(Message.Direction.values),
        "channel": serializers.CharField(),
        "body": text(),
        "bodyHtml": text(),
        "preview": text(),
        "sentAt": maybe_moment(),
        "status": serializers.ChoiceField(Message.Status.values),
        "statusDetail": text(),
        "custom": obj(),
        **timestamps(),
    },
    {"conversation": to_one(), "customer": to_one(), "author": to_one()},
)
NOTE = resource_schemas(
    "Note",
    {
        "body": text(),
        "isInternal": serializers.BooleanField(help_text="Always true: notes are internal."),
        "userMentions": serializers.ListField(
            child=serializers.DictField(child=serializers.CharField()),
            help_text='[{"user": id} | {"team": id}]',
        ),
        **timestamps(),
    },
    {"conversation": to_one(), "customer": to_one(), "author": to_one()},
)
TAG = resource_schemas("Tag", {"name": serializers.CharField(), "color": text(), **timestamps()})
_RANGE = {"offset": serializers.IntegerField(), "length": serializers.IntegerField()}
RICH_TEXT = inline_serializer(
    "ShortcutRichText",
    {
        "blocks": inline_serializer(
            "ShortcutTextBlock",
            {
                "key": serializers.CharField(),
                "text": serializers.CharField(allow_blank=True),
                "type": serializers.CharField(),
                "depth": serializers.IntegerField(),
                "inlineStyleRanges": inline_serializer(
                    "ShortcutStyleRange", {**_RANGE, "style": serializers.CharField()}, many=True
                ),
                "entityRanges": inline_serializer(
                    "ShortcutEntityRange", {**_RANGE, "key": serializers.JSONField()}, many=True
                ),
                "data": obj(),
            },
            many=True,
        ),
        "entityMap": obj(),
    },
)
_OPERATION = {"operator": serializers.CharField(), "value": serializers.JSONField()}
SHORTCUT_CONVERSATION = inline_serializer(
    "ShortcutConversationDefaults",
    {
        "tags": inline_serializer(
            "ShortcutTagsDefault", _OPERATION, required=False, help_text="append|replace|remove"
        ),
        "name": inline_serializer("ShortcutNameDefault", _OPERATION, required=False),
    },
)
SHORTCUT = resource_schemas(
    "Shortcut",
    {
        "name": serializers.CharField(),
        "payload": inline_serializer("ShortcutPayload", {"text": RICH_TEXT}),
        "draft": inline_serializer("ShortcutDraft", {"text": text()}),
        "isPrivate": serializers.BooleanField(),
        "visibility": serializers.ChoiceField(["private", "shared"]),
        "conversation": SHORTCUT_CONVERSATION,
        "createdBy": text(),
        "modifiedBy": text(),
        "deleted": serializers.BooleanField(),
        "modifiedAt": moment(),
        **timestamps(),
    },
    {"owner": to_one(), "createdBy": to_one(), "modifiedBy": to_one()},
)
HISTORY = resource_schemas(
    "ConversationHistory",
    {
        "event": serializers.CharField(help_text="conversation.create, .update or .delete"),
        "rev": serializers.IntegerField(allow_null=True),
        "changes": obj(
            help_text="{<attribute>: {before, after}}: status, assignedUser, assignedTeam, "
            "name, priority, tags, snoozeUntil, custom.<name>; a creation lists what it set."
        ),
        "status": text(),
        "assignedUsers": strings(),
        "assignedTeams": strings(),
        "createdAt": moment(),
    },
    {"conversation": to_one(), "actor": to_one()},
)
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")
READ = (401, 403, 404)
LIST = (400, 401, 403, 404)
WRITE = (400, 401, 403, 404, 409)


def _ok(documented, *codes):
    return {200: documented, **errors(*codes)}


def _created(documented, *codes):
    return {201: documented, **errors(*codes)}


def _deleted(*codes):
    return {204: None, **errors(*codes)}


_id = serializers.CharField
_json = serializers.JSONField

CONVERSATION_BODY = inline_serializer(
    "ConversationBody",
    {
        "customer": _id(required=False),
        "name": serializers.CharField(required=False, max_length=255),
        "status": serializers.ChoiceField(Conversation.Status.values, required=False),
        "snoozeUntil": serializers.DateTimeField(required=False, allow_null=True),
        "priority": serializers.IntegerField(required=False, min_value=1, max_value=5),
        "assignedUser": _id(required=False, allow_null=True),
        "assignedTeam": _id(required=False, allow_null=True),
        "assignedUsers": serializers.ListField(
            child=_id(), required=False, max_length=1, help_text="[id] or []: assignedUser."
        ),
        "assignedTeams": serializers.ListField(
            child=_id(), required=False, max_length=1, help_text="[id] or []: assignedTeam."
        ),
        "tags": serializers.ListField(child=serializers.CharField(), required=False),
        "custom": _json(required=False),
        "rev": serializers.IntegerField(required=False),
    },
)
MESSAGE_BODY_SCHEMA = inline_serializer(
    "MessageBody",
    {
        "direction": serializers.ChoiceField(Message.Direction.values),
        "channel": serializers.CharField(),
        "body": serializers.CharField(required=False),
        "bodyHtml": serializers.CharField(required=False),
        "sentAt": serializers.DateTimeField(required=False),
        "custom": _json(required=False),
        "conversation": _id(required=False),
        "subject": serializers.CharField(required=False),
        "status": serializers.ChoiceField(Message.Status.values, required=False),
        "statusDetail": serializers.CharField(required=False, allow_blank=True),
    },
)
MESSAGE_UPDATE_BODY = inline_serializer(
    "MessageUpdateBody",
    {
        "status": serializers.ChoiceField(Message.Status.values, required=False),
        "statusDetail": serializers.CharField(required=False, allow_blank=True),
        "custom": _json(required=False, help_text="Merged; null removes an attribute."),
        "rev": serializers.IntegerField(required=False),
    },
)
NOTE_UPDATE_BODY = inline_serializer(
    "NoteUpdateBody",
    {
        "body": serializers.CharField(required=False),
        "userMentions": serializers.ListField(child=_json(), required=False),
        "isInternal": serializers.BooleanField(required=False),
        "rev": serializers.IntegerField(required=False),
    },
)
NOTE_BODY = inline_serializer(
    "NoteBody",
    {
        "body": serializers.CharField(),
        "userMentions": serializers.ListField(child=_json(), required=False),
        "isInternal": serializers.BooleanField(
            required=False, help_text="Only true is accepted: a note is always internal."
        ),
    },
)
TAG_BODY = inline_serializer(
    "TagBody",
    {
        "name": serializers.CharField(max_length=100, required=False),
        "color": serializers.CharField(required=False),
        "rev": serializers.IntegerField(required=False),
    },
)
SHORTCUT_BODY = inline_serializer(
    "ShortcutBody",
    {
        "name": serializers.CharField(max_length=100, required=False),
        "payload": serializers.JSONField(
            required=False,
            help_text="A string (one block per line) or {text: {blocks, entityMap}}.",
        ),
        "draft": inline_serializer("ShortcutDraftBody", {"text": text()}, required=False),
        "isPrivate": serializers.BooleanField(required=False),
        "visibility": serializers.ChoiceField(["private", "shared"], required=False),
        "conversation": serializers.JSONField(
            required=False,
            help_text='{"tags": {"operator": "append|replace|remove", "value": [names]}, '
            '"name": {"operator": "replace", "value": "..."}}',
        ),
        "rev": serializers.IntegerField(required=False),
    },
)
SHORTCUT_COPY_BODY = inline_serializer(
    "ShortcutCopyBody",
    {
        "name": serializers.CharField(max_length=100, required=False),
        "isPrivate": serializers.BooleanField(required=False),
    },
)


def _body(request):
    return request.data


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


CONVERSATION_FILTER_PARAMS = [
    OpenApiParameter("status", str, description="open, snoozed or done (repeatable)."),
    OpenApiParameter("assignedUser", int, description="Assigned user id."),
    OpenApiParameter("assignedTeam", int, description="Assigned team id."),
    OpenApiParameter("customer", int, description="Customer id."),
    OpenApiParameter(
        "updatedSince", OpenApiTypes.DATETIME, description="ISO-8601: updatedAt ≥ this."
    ),
    OpenApiParameter(
        "sort",
        str,
        description="updatedAt, createdAt, lastActivityAt or priority; '-' prefix for "
        "descending. Default: -lastActivityAt.",
    ),
]


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


def _customer(org, pk):
    customer = Customer.objects.filter(org=org, pk=pk).first()
    if customer is None:
        raise NotFound("No customer with this id.")
    return customer


def _conversation(org, pk):
    conversation = selectors.conversation_get(org=org, pk=pk)
    if conversation is None:
        raise NotFound("No conversation with this id.")
    return conversation


# ---------------------------------------------------------------- conversations


class ConversationListView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="conversations_list",
        parameters=[*PAGE_PARAMS, *CONVERSATION_FILTER_PARAMS],
        responses=_ok(CONVERSATION.page, *LIST),
    )
    def get(self, request):
        qs = _filtered(request, selectors.conversations(org=self.org))
        return Response(paginate(request, qs, _serialize_conversations))

    @extend_schema(
        operation_id="conversations_create",
        request=CONVERSATION_BODY,
        responses=_created(CONVERSATION.document, *WRITE),
        description="Body: {customer, name, status, snoozeUntil, priority (1–5), assignedUser, "
        "assignedTeam, tags, custom}.",
    )
    def post(self, request):
        conversation = services.conversation_create(
            org=self.org, actor=self.actor, data=_body(request)
        )
        return Response({"data": conversation_resource(conversation)}, status=201)


class ConversationDetailView(ApiView):
    scope_resource = "conversation"

    @extend_schema(
        operation_id="conversations_retrieve", responses=_ok(CONVERSATION.document, *READ)
    )
    def get(self, request, pk):
        return Response({"data": conversation_resource(_conversation(self.org, pk))})

    def _update(self, request, pk, partial):
        conversation = services.conversation_update(
            org=self.org,
            actor=self.actor,
            conversation=_conversation(self.org, pk),
            data=_body(request),
            rev=rev_param(request),
            partial=partial,
        )
        return Response({"data": conversation_resource(conversation)})

    @extend_schema(
        operation_id="conversations_update",
        request=CONVERSATION_BODY,
        parameters=[REV],
        responses=_ok(CONVERSATION.document, *WRITE),
        description="Change the attributes the body carries (omitted ones are kept, null "
        "clears one; `custom` is merged); send `rev` to refuse a stale write (409).",
    )
    def put(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        operation_id="conversations_partial_update",
        request=CONVERSATION_BODY,
        parameters=[REV],
        responses=_ok(CONVERSATION.document, *WRITE),
        description="Change the given attributes; `custom` is merged (null removes a key).",
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        operation_id="conversations_destroy",
        parameters=[REV],
        responses=_deleted(*READ, 409),
        description="Deletes its messages and notes too, each with its delete event.",
    )
    def delete(self, request, pk):
        services.conversation_delete(
            org=self.org,
            actor=self.actor,
            conversation=_conversation(self.org, pk),
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
        responses=_ok(HISTORY.cursor_page, *LIST),
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
        responses=_ok(CONVERSATION.page, *LIST),
    )
    def get(self, request, pk):
        _customer(self.org, pk)
        qs = _filtered(request, selectors.customer_conversations(org=self.org, customer_id=pk))
        return Response(paginate(request, qs, _serialize_conversations))


# ---------------------------------------------------------------- messages

MESSAGE_BODY = (
    "Body: {direction: in|out, channel, body, bodyHtml (sanitised), sentAt, custom}; on "
    "/v1/customers/{id}/messages also `conversation` (else the customer's latest open "
    "conversation on that channel, or a new one named `subject`). An inbound message to a "
    "snoozed conversation reopens it (a `conversation.update` event); a customer's inbound "
    "message without `conversation` also goes to their latest snoozed one."
)


class ConversationMessageListView(ApiView):
    scope_resource = "message"

    @extend_schema(
        operation_id="conversation_messages_list",
        parameters=PAGE_PARAMS,
        responses=_ok(MESSAGE.page, *LIST),
    )
    def get(self, request, pk):
        _conversation(self.org, pk)
        qs = selectors.conversation_messages(org=self.org, conversation_id=pk)
        return Response(paginate(request, qs, lambda rows: [message_resource(r) for r in rows]))

    @extend_schema(
        operation_id="conversation_messages_create",
        request=MESSAGE_BODY_SCHEMA,
        responses=_created(MESSAGE.document, *WRITE),
        description=MESSAGE_BODY,
    )
    def post(self, request, pk):
        conversation = _conversation(self.org, pk)
        data = _body(request)
        if isinstance(data, dict) and "conversation" in data:
            data = {k: v for k, v in data.items() if k != "conversation"}
        message = services.message_create(
            org=self.org, actor=self.actor, conversation=conversation, data=data
        )
        return Response({"data": message_resource(message)}, status=201)


class ConversationMessageDetailView(ApiView):
    scope_resource = "message"

    @extend_schema(
        operation_id="conversation_messages_retrieve", responses=_ok(MESSAGE.document, *READ)
    )
    def get(self, request, pk, message_pk):
        message = Message.objects.filter(org=self.org, conversation_id=pk, pk=message_pk).first()
        if message is None:
            raise NotFound("No message with this id.")
        return Response({"data": message_resource(message)})

    def _update(self, request, pk, message_pk):
        message = services.message_update(
            org=self.org,
            actor=self.actor,
            message=message_pk,
            conversation_id=pk,
            data=_body(request),
            rev=rev_param(request),
        )
        return Response({"data": message_resource(message)})

    @extend_schema(
        operation_id="conversation_messages_update",
        request=MESSAGE_UPDATE_BODY,
        parameters=[REV],
        responses=_ok(MESSAGE.document, *WRITE),
        description="Custom attributes (merged) and status; what was said stays as it was. "
        "Event: conversation.message.update.",
    )
    def put(self, request, pk, message_pk):
        return self._update(request, pk, message_pk)

    @extend_schema(
        operation_id="conversation_messages_partial_update",
        request=MESSAGE_UPDATE_BODY,
        parameters=[REV],
        responses=_ok(MESSAGE.document, *WRITE),
    )
    def patch(self, request, pk, message_pk):
        return self._update(request, pk, message_pk)

    @extend_schema(
        operation_id="conversation_messages_destroy",
        parameters=[REV],
        responses=_deleted(*READ, 409),
        description="Event: conversation.message.delete.",
    )
    def delete(self, request, pk, message_pk):
        services.message_delete(
            org=self.org,
            actor=self.actor,
            message=message_pk,
            conversation_id=pk,
            rev=rev_param(request),
        )
        return Response(status=204)


class CustomerMessageCreateView(ApiView):
    scope_resource = "message"

    @extend_schema(
        operation_id="customer_messages_create",
        request=MESSAGE_BODY_SCHEMA,
        responses=_created(MESSAGE.document, *WRITE),
        description=MESSAGE_BODY,
    )
    def post(self, request, pk):
        customer = _customer(self.org, pk)
        message = services.message_create(
            org=self.org, actor=self.actor, customer=customer, data=_body(request)
        )
        return Response({"data": message_resource(message)}, status=201)


# ---------------------------------------------------------------- notes


class ConversationNoteListView(ApiView):
    scope_resource = "note"

    @extend_schema(
        operation_id="conversation_notes_list",
        parameters=PAGE_PARAMS,
        responses=_ok(NOTE.page, *LIST),
    )
    def get(self, request, pk):
        _conversation(self.org, pk)
        qs = selectors.conversation_notes(org=self.org, conversation_id=pk)
        return Response(paginate(request, qs, lambda rows: [note_resource(r) for r in rows]))

    @extend_schema(
        operation_id="conversation_notes_create",
        request=NOTE_BODY,
        responses=_created(NOTE.document, *WRITE),
        description="Body: {body, userMentions: [{user: id} | {team: id}]}; @username and "
        "@team-slug in the body mention too. Each mentioned person (team members included, "
        "never the author) gets one notification.",
    )
    def post(self, request, pk):
        conversation = _conversation(self.org, pk)
        note = services.note_create(
            org=self.org, actor=self.actor, conversation=conversation, data=_body(request)
        )
        return Response({"data": note_resource(note)}, status=201)


class ConversationNoteDetailView(ApiView):
    scope_resource = "note"

    @extend_schema(operation_id="conversation_notes_retrieve", responses=_ok(NOTE.document, *READ))
    def get(self, request, pk, note_pk):
        note = Note.objects.filter(org=self.org, conversation_id=pk, pk=note_pk).first()
        if note is None:
            raise NotFound("No note with this id.")
        return Response({"data": note_resource(note)})

    def _update(self, request, pk, note_pk):
        note = services.note_update(
            org=self.org,
            actor=self.actor,
            note=note_pk,
            conversation_id=pk,
            data=_body(request),
            rev=rev_param(request),
        )
        return Response({"data": note_resource(note)})

    @extend_schema(
        operation_id="conversation_notes_update",
        request=NOTE_UPDATE_BODY,
        parameters=[REV],
        responses=_ok(NOTE.document, *WRITE),
        description="A new body: mentions are parsed again and only people newly mentioned are "
        "notified. Event: conversation.note.update.",
    )
    def put(self, request, pk, note_pk):
        return self._update(request, pk, note_pk)

    @extend_schema(
        operation_id="conversation_notes_partial_update",
        request=NOTE_UPDATE_BODY,
        parameters=[REV],
        responses=_ok(NOTE.document, *WRITE),
    )
    def patch(self, request, pk, note_pk):
        return self._update(request, pk, note_pk)

    @extend_schema(
        operation_id="conversation_notes_destroy",
        parameters=[REV],
        responses=_deleted(*READ, 409),
        description="Its notifications go too. Event: conversation.note.delete.",
    )
    def delete(self, request, pk, note_pk):
        services.note_delete(
            org=self.org, actor=self.actor, note=note_pk, conversation_id=pk, rev=rev_param(request)
        )
        return Response(status=204)


# ---------------------------------------------------------------- tags


class TagListView(ApiView):
    scope_resource = "tag"

    @extend_schema(operation_id="tags_list", parameters=PAGE_PARAMS, responses=_ok(TAG.page, *LIST))
    def get(self, request):
        qs = selectors.tags(org=self.org)
        return Response(paginate(request, qs, lambda rows: [tag_resource(r) for r in rows]))

    @extend_schema(
        operation_id="tags_create",
        request=TAG_BODY,
        responses=_created(TAG.document, *WRITE),
        description="Body: {name (unique), color (#rrggbb)}.",
    )
    def post(self, request):
        tag = services.tag_create(org=self.org, actor=self.actor, data=_body(request))
        return Response({"data": tag_resource(tag)}, status=201)


class TagDetailView(ApiView):
    scope_resource = "tag"

    def _tag(self, pk):
        tag = selectors.tags(org=self.org).filter(pk=pk).first()
        if tag is None:
            raise NotFound("No tag with this id.")
        return tag

    @extend_schema(operation_id="tags_retrieve", responses=_ok(TAG.document, *READ))
    def get(self, request, pk):
        return Response({"data": tag_resource(self._tag(pk))})

    @extend_schema(
        operation_id="tags_update",
        request=TAG_BODY,
        parameters=[REV],
        responses=_ok(TAG.document, *WRITE),
    )
    def put(self, request, pk):
        tag = services.tag_update(
            org=self.org,
            actor=self.actor,
            tag=self._tag(pk),
            data=with_rev(_body(request), rev_param(request)),
            partial=True,
        )
        return Response({"data": tag_resource(tag)})

    @extend_schema(operation_id="tags_destroy", parameters=[REV], responses=_deleted(*WRITE))
    def delete(self, request, pk):
        services.tag_delete(
            org=self.org, actor=self.actor, tag=self._tag(pk), rev=rev_param(request)
        )
        return Response(status=204)


# ---------------------------------------------------------------- shortcuts


class ShortcutListView(ApiView):
    scope_resource = "shortcut"

    @extend_schema(
        operation_id="shortcuts_list", parameters=PAGE_PARAMS, responses=_ok(SHORTCUT.page, *LIST)
    )
    def get(self, request):
        qs = selectors.shortcuts_visible(org=self.org, user=self.actor)
        return Response(paginate(request, qs, lambda rows: [shortcut_resource(r) for r in rows]))

    @extend_schema(
        operation_id="shortcuts_create",
        request=SHORTCUT_BODY,
        responses=_created(SHORTCUT.document, *WRITE),
        description="Body: {name, payload (a string, one block per line, or {text: {blocks, "
        "entityMap}}; {{customer.firstName}} and {{customer.custom.<attribute>}} placeholders), "
        "draft: {text}, isPrivate, conversation: {tags: {operator, value}, name: {operator, "
        "value}}}.",
    )
    def post(self, request):
        shortcut = services.shortcut_create(org=self.org, actor=self.actor, data=_body(request))
        return Response({"data": shortcut_resource(shortcut)}, status=201)


class ShortcutDetailView(ApiView):
    scope_resource = "shortcut"

    def _shortcut(self, pk):
        shortcut = selectors.shortcuts_visible(org=self.org, user=self.actor).filter(pk=pk).first()
        if shortcut is None:
            raise NotFound("No shortcut with this id.")
        return shortcut

    @extend_schema(operation_id="shortcuts_retrieve", responses=_ok(SHORTCUT.document, *READ))
    def get(self, request, pk):
        return Response({"data": shortcut_resource(self._shortcut(pk))})

    @extend_schema(
        operation_id="shortcuts_update",
        request=SHORTCUT_BODY,
        parameters=[REV],
        responses=_ok(SHORTCUT.document, *WRITE),
        description="A shared shortcut is changed only by its owner or an admin (403 for "
        "others: copy it instead).",
    )
    def put(self, request, pk):
        shortcut = services.shortcut_update(
            org=self.org,
            actor=self.actor,
            shortcut=self._shortcut(pk),
            data=with_rev(_body(request), rev_param(request)),
            partial=True,
        )
        return Response({"data": shortcut_resource(shortcut)})

    @extend_schema(operation_id="shortcuts_destroy", parameters=[REV], responses=_deleted(*WRITE))
    def delete(self, request, pk):
        services.shortcut_delete(
            org=self.org, actor=self.actor, shortcut=self._shortcut(pk), rev=rev_param(request)
        )
        return Response(status=204)


class ShortcutCopyView(ApiView):
    scope_map = {"POST": ("shortcut", "create")}

    @extend_schema(
        operation_id="shortcuts_copy",
        request=SHORTCUT_COPY_BODY,
        responses=_created(SHORTCUT.document, *WRITE),
        description="A new shortcut owned by the caller with this one's text and conversation "
        "defaults; private unless `isPrivate: false`, named `<name>-copy` unless `name` is given.",
    )
    def post(self, request, pk):
        data = request.data if request.body else {}  # a copy needs no body
        shortcut = services.shortcut_copy(org=self.org, actor=self.actor, shortcut=pk, data=data)
        return Response({"data": shortcut_resource(shortcut)}, status=201)
