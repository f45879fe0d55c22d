"""Messages: create (finding or opening the conversation), status and custom attribute edits,
delete."""

from django.db import transaction

from conversations.models import CHANNELS, Conversation, Message
from conversations.representations import conversation_flat, message_resource
from customers.models import Customer
from kdesk.errors import FieldError, ValidationFailed
from kdesk.events import diff, emit
from kdesk.payload import Payload
from kdesk.prepared import PreparedInsert, update_row
from klasses import attributes

from .common import (
    _custom,
    _datetime,
    _display,
    _locked_entry,
    _now,
    _raise,
    _read_only,
    _rev_in,
    html_to_text,
    make_preview,
    sanitize_html,
)
from .conversations import conversation_create, save_rule_changes
from .locks import _lock_conversation, _lock_customer
from .message_extras import bind_attachments, clean_attachments, clean_cc
from .rules import apply_message_rules
from .snooze import WOKEN, _woken

# Every message written: its INSERT built once per connection, not by the ORM each time.
_INSERT = PreparedInsert(Message)

MESSAGE_FIELDS = {
    "direction",
    "channel",
    "body",
    "bodyHtml",
    "preview",
    "sentAt",
    "custom",
    "conversation",
    "subject",
    "status",
    "statusDetail",
    "cc",
    "attachments",
}


def _message_fields(p):
    direction = p.choice("direction", Message.Direction.values, required=True)
    channel = p.string("channel", max_length=20, required=True, blank=False)
    if channel and channel not in CHANNELS:
        p.error("channel", "invalid", f"channel must be one of: {', '.join(CHANNELS)}.")
    body = p.string("body", max_length=100_000, default="")
    raw_html = p.string("bodyHtml", max_length=200_000, default="")
    body_html = sanitize_html(raw_html) if raw_html else ""
    if body_html and not body:
        body = html_to_text(body_html).strip()
    if not body and not body_html:
        p.error("body", "required", "A message needs a body or a bodyHtml.")
    sent_at = _datetime(p, "sentAt")
    status, detail = _message_status(p, direction)
    return {
        "status": status,
        "status_detail": detail,
        "direction": direction,
        "channel": channel,
        "body": body,
        "body_html": body_html,
        "preview": make_preview(body),
        "sent_at": sent_at,
    }


def _message_status(p, direction, current=None):
    """(status, statusDetail): a received message is `received`; one sent is `sent`,
    `delivered`, `read` or `failed` (a failure may say why)."""
    allowed = (
        [Message.Status.RECEIVED]
        if direction == Message.Direction.IN
        else [s for s in Message.Status.values if s != Message.Status.RECEIVED]
    )
    default = current or (allowed[0] if direction else None)
    status = p.choice("status", allowed, default=default) if direction else None
    detail = p.string("statusDetail", max_length=500, default=None)
    if detail is None:
        detail = "" if p.has("status") or current is None else None
    return status, detail


def _find_conversation_for(org, customer, channel, *, inbound=False):
    """The customer's latest open conversation that has seen this channel; for a message the
    customer sent, a snoozed one too (the message wakes it up)."""
    statuses = [Conversation.Status.OPEN]
    if inbound:
        statuses.append(Conversation.Status.SNOOZED)
    candidates = Conversation.objects.filter(
        org=org, customer=customer, status__in=statuses
    ).order_by("-last_activity_at", "-id")[:20]
    for conversation in candidates:
        if channel in (conversation.channels or []) or not conversation.channels:
            return conversation
    return None


def _message_record(fields, subject, custom):
    """What validation rules read of a message (RULE_ATTRIBUTES["message"] and custom)."""
    sent_at = fields.get("sent_at")
    return {
        "body": fields.get("body"),
        "direction": fields.get("direction"),
        "channel": fields.get("channel"),
        "sentAt": sent_at.isoformat() if sent_at else None,
        "subject": subject,
        "custom": custom or {},
    }


def message_rule_errors(*, org, action, record, changed=None):
    """The validation rules of `message` for one record (create, or an update's result)."""
    return attributes.check_rules(
        org=org,
        resource="message",
        action=action,
        record=record,
        changed=set(record) if changed is None else changed,
    )


@transaction.atomic
def message_create(*, org, actor, customer=None, conversation=None, data, rule_context=None):
    """`rule_context`: what else business rules on messages may read (an inbound email's
    addresses as `email`)."""
    return message_create_within(
        org=org,
        actor=actor,
        customer=customer,
        conversation=conversation,
        data=data,
        rule_context=rule_context,
    )


def message_create_within(
    *,
    org,
    actor,
    customer=None,
    conversation=None,
    data,
    rule_context=None,
    opened=False,
    locked_customer=None,
):
    """message_create for a caller already inside its own write, which rolls back whole when
    this raises (an inbound email: its rows and the message, or none of them): no savepoint of
    its own. `opened`: `conversation` (with its customer) was created by the caller in this
    transaction, so its row is already the caller's and read whole: nothing to lock or read.
    `locked_customer`: the conversation's customer, locked by the caller in this transaction
    (locks.lock_customer_with_email): not locked and read again."""
    p = Payload(data, allowed=MESSAGE_FIELDS)
    fields = _message_fields(p)
    fields["cc"] = clean_cc(p)
    attachment_ids, fields["attachments"] = clean_attachments(p, org)
    if fields["attachments"]:
        p.errors = [e for e in p.errors if e.pointer != "/body"]  # files alone are a message
    subject = p.string("subject", max_length=255, default="")
    conv_id = p.reference("conversation") if p.has("conversation") else None
    if conversation is not None and conv_id not in (None, conversation.pk):
        # the path (or the caller) has chosen the conversation: the body may only repeat it
        p.error(
            "conversation",
            "invalid",
            f"This message goes to conversation {conversation.pk}; the body names another.",
        )
    elif conversation is None and conv_id is not None:
        conversation = Conversation.objects.filter(org=org, pk=conv_id).first()
        if conversation is None:
            p.errors.append(
                FieldError("/conversation", "not_found", f"No conversation with id {conv_id}.")
            )
        elif customer is not None and conversation.customer_id != customer.pk:
            p.error("conversation", "invalid", "The conversation belongs to another customer.")
    given_custom = p.obj("custom") or {}  # read before the errors are copied: its own count
    errors = list(p.errors)
    custom = _custom(errors, org=org, resource="message", values=given_custom, creating=True)
    if not errors:
        errors += message_rule_errors(
            org=org, action="create", record=_message_record(fields, subject, custom)
        )
    _raise(errors)
    if conversation is not None:
        if not opened:
            conversation = _lock_conversation(org, conversation, locked_customer)
        customer = conversation.customer
    else:
        if customer is None:
            raise ValidationFailed(
                [FieldError("/conversation", "required", "conversation is required.")]
            )
        # "find or open" must be one step per customer, or parallel messages each open their
        # own conversation: the customer's row lock makes them take turns.
        customer = _lock_customer(org, customer)
        found = _find_conversation_for(
            org, customer, fields["channel"], inbound=fields["direction"] == Message.Direction.IN
        )
        if found is not None:
            conversation = Conversation.objects.select_for_update(no_key=True).get(pk=found.pk)
        else:
            conversation = conversation_create(
                org=org,
                actor=actor,
                customer=customer,
                data={"name": subject or fields["preview"][:80]},
                created_at=fields["sent_at"],
                # business rules may route by the message that opens the conversation
                rule_context={
                    "message": {
                        "direction": fields["direction"],
                        "channel": fields["channel"],
                        "subject": subject,
                        "preview": fields["preview"],
                        "custom": custom,
                    }
                },
            )
    custom, message_ruled = _apply_message_rules(
        org, actor, conversation, customer, fields, subject, custom, rule_context
    )
    now = _now()
    sent_at = fields["sent_at"] or now
    author = actor if fields["direction"] == Message.Direction.OUT and actor is not None else None
    message = Message(
        org=org,
        conversation=conversation,
        customer_id=conversation.customer_id,
        author=author if author is not None and author.pk else None,
        custom=custom,
        created_at=now,
        updated_at=now,
        **{**fields, "sent_at": sent_at},
    )
    _INSERT.save(message)
    bind_attachments(org, message, attachment_ids)
    # Aggregates (no rev bump: a customer writing in must not make an agent's edit stale).
    channels = list(conversation.channels or [])
    if message.channel not in channels:
        channels.append(message.channel)
    updates = {"channels": channels, "updated_at": now}
    if conversation.first_message_at is None or sent_at < conversation.first_message_at:
        updates["first_message_at"] = sent_at
    if conversation.last_message_at is None or sent_at >= conversation.last_message_at:
        updates["last_message_at"] = sent_at
        updates["last_message_preview"] = message.preview
        updates["last_activity_at"] = max(sent_at, conversation.last_activity_at)
    added = {"message_count": 1}
    wakes = (
        message.direction == Message.Direction.IN
        and conversation.status == Conversation.Status.SNOOZED
    )
    if wakes:
        # The customer wrote in: the conversation wakes in the same UPDATE. A second UPDATE of
        # a row this transaction has already updated re-checks every foreign key of the row
        # (PostgreSQL does, whatever changed), so it would wait on a team or user being deleted
        # that waits on this row: a deadlock.
        before_wake = conversation_flat(conversation)
        updates.update(WOKEN)
        added["rev"] = 1
    update_row(Conversation, conversation.pk, updates, add=added)
    update_row(
        Customer,
        conversation.customer_id,
        {"last_activity_at": sent_at},
        where={"org": org.pk},
        unless_later=("last_activity_at", sent_at),
    )
    _emit(
        org,
        actor,
        message,
        "conversation.message.create",
        meta=_message_meta(message, conversation, customer.name if customer is not None else None),
        changes=message_ruled or None,
    )
    if wakes:
        _woken(org=org, actor=actor, conversation=conversation, before=before_wake)
    return message


def _apply_message_rules(org, actor, conversation, customer, fields, subject, custom, context):
    """The org's rules on messages, before the message is saved: what they set on its
    conversation is saved now (one conversation.update, each change naming its rule); returns
    the message's custom attributes and its `changes` ({field: {before, after, rule}})."""
    record = {
        "direction": fields["direction"],
        "channel": fields["channel"],
        "body": fields["body"],
        "preview": fields["preview"],
        "subject": subject,
        "sentAt": fields["sent_at"].isoformat() if fields["sent_at"] else None,
        "custom": dict(custom),
    }
    applied = apply_message_rules(org, conversation, record, context)
    if applied is None:
        return custom, None
    (before, kept), made, ruled_custom, message_made = applied
    if made and not save_rule_changes(
        org=org,
        actor=actor,
        conversation=conversation,
        before=before,
        made=made,
        customer_name=customer.name,
    ):
        for name, value in kept.items():  # refused by a validation rule: left as it was
            setattr(conversation, name, value)
    changes = {
        key: {
            "before": custom.get(key[7:]),
            "after": ruled_custom.get(key[7:]),
            "rule": rule,
        }
        for key, rule in message_made.items()
    }
    return ruled_custom, changes


MESSAGE_READ_ONLY = (
    "cc",
    "attachments",
    "direction",
    "channel",
    "body",
    "bodyHtml",
    "preview",
    "sentAt",
    "createdAt",
    "updatedAt",
)


def _message_meta(message, conversation, customer_name):
    return {
        "authorName": _display(message.author),
        "conversationId": str(conversation.pk),
        "conversationName": conversation.name,
        "customerName": customer_name,
    }


def _emit(org, actor, message, type, *, meta, changes=None):
    """A message's event: the message and the names the timeline shows beside it."""
    emit(
        org=org,
        type=type,
        resource="message",
        resource_id=message.pk,
        customer_id=message.customer_id,
        actor=actor,
        rev=message.rev,
        data={**message_resource(message), "meta": meta},
        changes=changes,
    )


def _locked_message(org, message, conversation_id=None, rev=None):
    return _locked_entry(Message, org, message, conversation_id, rev=rev, resource="message")


# durable: only endpoints call it, never inside another write
@transaction.atomic(durable=True)
def message_update(*, org, actor, message, data, rev=None, conversation_id=None):
    """Custom attributes (merged; null removes one) and the delivery status of a message. What
    was said, by whom and when stays as it was."""
    return message_update_within(
        org=org, actor=actor, message=message, data=data, rev=rev, conversation_id=conversation_id
    )


def message_update_within(*, org, actor, message, data, rev=None, conversation_id=None):
    """message_update for a caller already inside its own write (the email channel records a
    reply's delivery status together with its own rows); the caller's transaction holds it."""
    message = _locked_message(org, message, conversation_id, rev=_rev_in(data, rev))
    p = Payload(
        data,
        allowed={"custom", "status", "statusDetail", "rev", *MESSAGE_READ_ONLY},
    )
    before = message_resource(message)["attributes"]
    _read_only(p, before, MESSAGE_READ_ONLY)
    fields = {}
    if p.has("status") or p.has("statusDetail"):
        status, detail = _message_status(p, message.direction, current=before["status"])
        fields["status"] = status
        if detail is not None:
            fields["status_detail"] = detail
    given = p.obj("custom") or {}  # read before the errors are copied: its own count
    errors = list(p.errors)
    if p.has("custom"):
        merged = {k: v for k, v in {**message.custom, **given}.items() if v is not None}
        fields["custom"] = _custom(
            errors, org=org, resource="message", values=merged, creating=False, partial=True
        )
    _raise(errors)
    for name, value in fields.items():
        setattr(message, name, value)
    after = message_resource(message)["attributes"]

    def flat(attrs):
        out = {"status": attrs["status"], "statusDetail": attrs["statusDetail"]}
        return {**out, **{f"custom.{k}": v for k, v in attrs["custom"].items()}}

    flat_before, flat_after = flat(before), flat(after)
    changes = diff(flat_before, flat_after, list(dict.fromkeys([*flat_before, *flat_after])))
    if not changes:
        return message
    record = _message_record(
        {
            "body": message.body,
            "direction": message.direction,
            "channel": message.channel,
            "sent_at": message.sent_at,
        },
        message.conversation.name,
        message.custom,
    )
    record["status"] = message.status
    changed = {name.split(".")[0] for name in changes}
    _raise(message_rule_errors(org=org, action="update", record=record, changed=changed))
    message.rev += 1
    message.updated_at = _now()
    message.save()
    conversation = message.conversation
    meta = _message_meta(message, conversation, conversation.customer.name)
    _emit(org, actor, message, "conversation.message.update", meta=meta, changes=changes)
    return message


def _refresh_aggregates(conversation):
    """After a message is deleted: its conversation's count, first/last times and preview (no
    rev bump, as when a message arrives)."""
    remaining = Message.objects.filter(org_id=conversation.org_id, conversation=conversation)
    latest = remaining.order_by("-sent_at", "-id").values("sent_at", "preview").first()
    first = remaining.order_by("sent_at", "id").values_list("sent_at", flat=True).first()
    Conversation.objects.filter(pk=conversation.pk).update(
        message_count=remaining.count(),
        first_message_at=first,
        last_message_at=latest["sent_at"] if latest else None,
        last_message_preview=latest["preview"] if latest else "",
        updated_at=_now(),
    )


# durable: only endpoints call it, never inside another write
@transaction.atomic(durable=True)
def message_delete(*, org, actor, message, rev=None, conversation_id=None):
    message = _locked_message(org, message, conversation_id, rev=rev)
    Conversation.objects.select_for_update().filter(pk=message.conversation_id).first()
    pk, conversation, snapshot_customer = message.pk, message.conversation, message.customer_id
    meta = _message_meta(message, conversation, conversation.customer.name)
    snapshot = {**message_resource(message), "meta": meta}
    message.delete()
    _refresh_aggregates(conversation)
    emit(
        org=org,
        type="conversation.message.delete",
        resource="message",
        resource_id=pk,
        # the locked row's own: the conversation read beside it may predate a merge it waited
        # for, and the event would go to the customer merged away (their timeline is gone)
        customer_id=snapshot_customer,
        actor=actor,
        rev=snapshot["attributes"]["rev"],
        data=snapshot,
    )
