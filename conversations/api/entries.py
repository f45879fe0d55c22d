"""A conversation's messages and notes (and a customer's new message): lists, creation, and one
shared implementation of reading, editing and deleting one entry."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from conversations import selectors, services
from conversations.models import Message, Note
from conversations.representations import (
    message_resource,
    note_resource,
)
from kdesk.api.pagination import (
    paginate,
)
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView
from kdesk.errors import NotFound

from .common import body_of, conversation_or_404, customer_or_404
from .schemas import (
    LIST,
    MESSAGE,
    MESSAGE_BODY_SCHEMA,
    MESSAGE_UPDATE_BODY,
    NOTE,
    NOTE_BODY,
    NOTE_UPDATE_BODY,
    PAGE_PARAMS,
    READ,
    REV,
    WRITE,
    created,
    deleted,
    ok,
)

MESSAGE_BODY = (
    "Body: {direction: in|out, channel, body, bodyHtml (sanitised), sentAt, custom}; on "
    "/v1/customers/{id}/messages also `conversation` (else the customer's latest open "
    "conversation on that channel, or a new one named `subject`). An inbound message to a "
    "snoozed conversation reopens it (a `conversation.update` event); a customer's inbound "
    "message without `conversation` also goes to their latest snoozed one."
)


def entry_list_view(name, *, kind, entries, represent, create, create_body, description):
    """A conversation's entries of one kind (messages or notes): the page of them, and a new one.
    `kind` names the scope and the operation ids; `entries` is the selector of the list. A
    message body may repeat the path's conversation, as the customer's endpoint takes one (the
    service refuses another)."""

    class EntryListView(ApiView):
        scope_resource = kind

        @extend_schema(
            operation_id=f"conversation_{kind}s_list",
            parameters=PAGE_PARAMS,
            responses=ok(DOCUMENTED[kind].page, *LIST),
        )
        def get(self, request, pk):
            conversation_or_404(self.org, pk)
            qs = entries(org=self.org, conversation_id=pk)
            return Response(paginate(request, qs, lambda rows: [represent(r) for r in rows]))

        @extend_schema(
            operation_id=f"conversation_{kind}s_create",
            request=create_body,
            responses=created(DOCUMENTED[kind].document, *WRITE),
            description=description,
        )
        def post(self, request, pk):
            conversation = conversation_or_404(self.org, pk)
            data = body_of(request)
            entry = create(org=self.org, actor=self.actor, conversation=conversation, data=data)
            return Response({"data": represent(entry)}, status=201)

    EntryListView.__name__ = EntryListView.__qualname__ = name
    return EntryListView


DOCUMENTED = {"message": MESSAGE, "note": NOTE}
ConversationMessageListView = entry_list_view(
    "ConversationMessageListView",
    kind="message",
    entries=selectors.conversation_messages,
    represent=message_resource,
    create=services.message_create,
    create_body=MESSAGE_BODY_SCHEMA,
    description=MESSAGE_BODY,
)
ConversationNoteListView = entry_list_view(
    "ConversationNoteListView",
    kind="note",
    entries=selectors.conversation_notes,
    represent=note_resource,
    create=services.note_create,
    create_body=NOTE_BODY,
    description="Body: {body, userMentions: [{user: id} | {team: id}]}; @username and "
    "@team-slug in the body mention too. Each mentioned person (team members included, "
    "never the author) gets one notification.",
)


class CustomerMessageCreateView(ApiView):
    scope_resource = "message"

    @extend_schema(
        operation_id="customer_messages_create",
        request=MESSAGE_BODY_SCHEMA,
        responses=created(MESSAGE.document, *WRITE),
        description=MESSAGE_BODY,
    )
    def post(self, request, pk):
        customer = customer_or_404(self.org, pk)
        message = services.message_create(
            org=self.org, actor=self.actor, customer=customer, data=body_of(request)
        )
        return Response({"data": message_resource(message)}, status=201)


# ---------------------------------------------------------------- one message or note


def entry_detail_view(
    name, *, kind, model, represent, update, delete, documented, update_body, descriptions
):
    """The view of one entry (a message or a note) of a conversation: read, edit (PUT and PATCH
    alike: the services change only what the body carries) and delete, all in one place.
    `kind` names the scope, the path's id (`<kind>_pk`) and the operation ids."""
    missing = f"No {kind} with this id."

    class EntryDetailView(ApiView):
        scope_resource = kind

        @extend_schema(
            operation_id=f"conversation_{kind}s_retrieve", responses=ok(documented, *READ)
        )
        def get(self, request, pk, **ids):
            entry = model.objects.filter(
                org=self.org, conversation_id=pk, pk=ids[f"{kind}_pk"]
            ).first()
            if entry is None:
                raise NotFound(missing)
            return Response({"data": represent(entry)})

        def _update(self, request, pk, ids):
            entry = update(
                org=self.org,
                actor=self.actor,
                conversation_id=pk,
                data=body_of(request),
                rev=rev_param(request),
                **{kind: ids[f"{kind}_pk"]},
            )
            return Response({"data": represent(entry)})

        @extend_schema(
            operation_id=f"conversation_{kind}s_update",
            request=update_body,
            parameters=[REV],
            responses=ok(documented, *WRITE),
            description=descriptions["update"],
        )
        def put(self, request, pk, **ids):
            return self._update(request, pk, ids)

        @extend_schema(
            operation_id=f"conversation_{kind}s_partial_update",
            request=update_body,
            parameters=[REV],
            responses=ok(documented, *WRITE),
        )
        def patch(self, request, pk, **ids):
            return self._update(request, pk, ids)

        @extend_schema(
            operation_id=f"conversation_{kind}s_destroy",
            parameters=[REV],
            responses=deleted(*READ, 409),
            description=descriptions["delete"],
        )
        def delete(self, request, pk, **ids):
            delete(
                org=self.org,
                actor=self.actor,
                conversation_id=pk,
                rev=rev_param(request),
                **{kind: ids[f"{kind}_pk"]},
            )
            return Response(status=204)

    EntryDetailView.__name__ = EntryDetailView.__qualname__ = name
    return EntryDetailView


ConversationMessageDetailView = entry_detail_view(
    "ConversationMessageDetailView",
    kind="message",
    model=Message,
    represent=message_resource,
    update=services.message_update,
    delete=services.message_delete,
    documented=MESSAGE.document,
    update_body=MESSAGE_UPDATE_BODY,
    descriptions={
        "update": "Custom attributes (merged) and status; what was said stays as it was. "
        "Event: conversation.message.update.",
        "delete": "Event: conversation.message.delete.",
    },
)
ConversationNoteDetailView = entry_detail_view(
    "ConversationNoteDetailView",
    kind="note",
    model=Note,
    represent=note_resource,
    update=services.note_update,
    delete=services.note_delete,
    documented=NOTE.document,
    update_body=NOTE_UPDATE_BODY,
    descriptions={
        "update": "A new body: mentions are parsed again and only people newly mentioned are "
        "notified. Event: conversation.note.update.",
        "delete": "Its notifications go too. Event: conversation.note.delete.",
    },
)
