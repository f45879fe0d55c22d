"""Conversation, note and message actions."""

from conversations import services as conversation_services
from conversations.models import Conversation
from conversations.representations import (
    conversation_resource,
    message_resource,
    note_resource,
)
from customers import selectors as customer_selectors
from kdesk.errors import ServiceError
from workflows.actions import Action, StepFailed, body, need, record_id, register, service_error

CONVERSATION_PARAMS = ("name", "status", "snoozeUntil", "priority", "assignedUser",
                       "assignedTeam", "tags", "custom")  # fmt: skip


def _conversation(ctx, pk):
    found = Conversation.objects.filter(org=ctx.org, pk=pk).first()
    if found is None:
        raise StepFailed(f"No conversation with id {pk}.")
    return found


def conversation_create(ctx, params):
    pk = record_id(params, "customer")
    try:
        customer = customer_selectors.customer_get(org=ctx.org, pk=pk)
        conversation = conversation_services.conversation_create(
            org=ctx.org, actor=ctx.actor, customer=customer, data=body(params, drop=("customer",))
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return conversation_resource(conversation)


def conversation_update(ctx, params):
    conversation = _conversation(ctx, record_id(params, "id"))
    data = body(params, drop=("id",))
    if not data:
        raise StepFailed("Nothing to change: give status, assignee, team, tags or priority.")
    try:
        conversation = conversation_services.conversation_update(
            org=ctx.org, actor=ctx.actor, conversation=conversation, data=data
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return conversation_resource(conversation)


def note_create(ctx, params):
    conversation = _conversation(ctx, record_id(params, "conversation"))
    need(params, "body")
    try:
        note = conversation_services.note_create(
            org=ctx.org,
            actor=ctx.actor,
            conversation=conversation,
            data=body(params, drop=("conversation",)),
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return note_resource(note)


def message_create(ctx, params):
    data = dict(params)
    customer = None
    if data.get("conversation") in (None, ""):
        data.pop("conversation", None)
        customer_id = record_id(params, "customer")
        try:
            customer = customer_selectors.customer_get(org=ctx.org, pk=customer_id)
        except ServiceError as exc:
            raise StepFailed(service_error(exc)) from None
    data.pop("customer", None)
    data.setdefault("direction", "out")
    data.setdefault("channel", "email")
    try:
        message = conversation_services.message_create(
            org=ctx.org, actor=ctx.actor, customer=customer, data=data
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return message_resource(message)


register(
    Action(
        "conversation.create",
        "Create a conversation",
        conversation_create,
        required=("customer",),
        optional=CONVERSATION_PARAMS,
        own_transaction=True,
    )
)
register(
    Action(
        "conversation.update",
        "Update a conversation (status, assignee, team, tags, priority)",
        conversation_update,
        required=("id",),
        optional=CONVERSATION_PARAMS,
        own_transaction=True,
    )
)
register(
    Action(
        "note.create",
        "Add an internal note (with mentions)",
        note_create,
        required=("conversation", "body"),
        optional=("userMentions",),
        own_transaction=True,
    )
)
register(
    Action(
        "message.create",
        "Add a message",
        message_create,
        required=("body",),
        optional=("conversation", "customer", "direction", "channel", "subject", "custom"),
        help="To a conversation, or to a customer's latest conversation on the channel.",
        own_transaction=True,
    )
)
