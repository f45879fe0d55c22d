"""Every write of the conversations app: conversations, messages, notes (with mentions and
their notifications), notifications read state, tags and shortcuts. Each write is atomic and
records exactly one event."""

import datetime as dt
import html
import re

import nh3
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from customers.models import Customer
from kdesk.errors import FieldError, Forbidden, NotFound, ValidationFailed, check_rev
from kdesk.events import diff, emit, emit_many
from kdesk.models import Team, User
from kdesk.payload import Payload, as_id
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken, serialize
from klasses import attributes

from . import richtext
from .models import CHANNELS, Conversation, Message, Note, Notification, Shortcut, Tag
from .representations import (
    CONVERSATION_FIELDS,
    NOTE_FIELDS,
    conversation_flat,
    conversation_resource,
    message_resource,
    note_resource,
    shortcut_resource,
    tag_resource,
)

PREVIEW_LENGTH = 200
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# `@handle` not preceded by a word character, '@' or '.', so emails never mention anyone.
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")
PLACEHOLDER_RE = re.compile(
    r"\{\{\s*([A-Za-z]+)\.([A-Za-z]+)(?:\.([A-Za-z][A-Za-z0-9_-]{0,127}))?\s*\}\}"
)


# ---------------------------------------------------------------- helpers


def _now():
    return timezone.now()


def _display(user):
    if user is None:
        return None
    return user.display_name or user.username or user.email


def _datetime(p, key):
    """An ISO-8601 datetime (naive means UTC) or None; errors go to the payload."""
    if key not in p.data or p.data[key] in (None, ""):
        return None
    raw = p.data[key]
    try:
        value = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:  # well-formed but impossible: day 30 of February, offset +25:00
        value = None
    if value is None:
        p.error(key, "invalid", f"{key} must be an ISO-8601 datetime.")
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        # Stored in UTC: an offset can push the edge of the calendar past year 1 or 9999.
        return value.astimezone(dt.UTC)
    except OverflowError:
        p.error(key, "range", f"{key} is outside the years 1 to 9999 once converted to UTC.")
        return None


def _raise(errors):
    """One error report: 404 when every problem is a reference to something not found (another
    org's id), 400 otherwise, every problem listed either way."""
    if not errors:
        return
    if all(e.code == "not_found" for e in errors):
        raise NotFound(errors[0].detail, errors=errors)
    raise ValidationFailed(errors)


def _custom(errors, *, org, resource, values, creating, partial=True):
    try:
        return attributes.clean_custom(
            org=org,
            resource=resource,
            values=values,
            pointer="/custom",
            creating=creating,
            partial=partial,
        )
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return values


def _user_ref(p, key, org, *, pointer=None):
    pk = p.reference(key)
    if pk is None:
        return None
    user = User.objects.filter(org=org, pk=pk, is_active=True).first()
    if user is None:
        p.errors.append(FieldError(pointer or f"/{key}", "not_found", f"No user with id {pk}."))
    return user


def _team_ref(p, key, org):
    pk = p.reference(key)
    if pk is None:
        return None
    team = Team.objects.filter(org=org, pk=pk).first()
    if team is None:
        p.errors.append(FieldError(f"/{key}", "not_found", f"No team with id {pk}."))
    return team


def html_to_text(value):
    text = nh3.clean(value, tags=set())
    return html.unescape(text)


def make_preview(text):
    return " ".join((text or "").split())[:PREVIEW_LENGTH]


def sanitize_html(value):
    return nh3.clean(value)


# ---------------------------------------------------------------- conversations

CONVERSATION_CREATE_FIELDS = {
    "customer",
    "name",
    "status",
    "snoozeUntil",
    "priority",
    "assignedUser",
    "assignedTeam",
    "tags",
    "custom",
}
CONVERSATION_UPDATE_FIELDS = CONVERSATION_CREATE_FIELDS | {"rev"}
CHANGE_FIELDS = (
    "name",
    "status",
    "snoozeUntil",
    "priority",
    "assignedUser",
    "assignedTeam",
    "tags",
)


def _conversation_fields(p, *, org, current=None, partial=True):
    """Validate the writable fields; returns {model_field: value} for the ones to set."""
    out = {}
    default = not partial  # PUT: an omitted field goes back to its default

    def given(key):
        return p.has(key) or (default and current is not None)

    if given("name"):
        out["name"] = p.string("name", max_length=255, default="") or ""
    if current is not None and p.has("status") and p.data["status"] is None:
        p.error("status", "required", "status cannot be cleared: set open, snoozed or done.")
    elif p.has("status") or current is None:
        out["status"] = p.choice(
            "status",
            Conversation.Status.values,
            default=current.status if current else Conversation.Status.OPEN,
        )
    if given("snoozeUntil"):
        out["snooze_until"] = _datetime(p, "snoozeUntil")
        if p.has("snoozeUntil") and out["snooze_until"] and out["snooze_until"] <= _now():
            # A snooze that has already run out would wake at once (or never, to a reader of
            # the Snoozed list): the agent meant a time ahead and mistyped the day or zone.
            p.error(
                "snoozeUntil",
                "past",
                "The snooze time has already passed: choose a time in the future.",
            )
    if given("priority"):
        out["priority"] = p.integer("priority", minimum=1, maximum=5, default=3)
    if given("assignedUser"):
        out["assigned_user"] = _user_ref(p, "assignedUser", org)
    if given("assignedTeam"):
        out["assigned_team"] = _team_ref(p, "assignedTeam", org)
    if given("tags"):
        out["tags"] = p.strings("tags", max_items=50, max_length=100) or []
    status = out.get("status", current.status if current else None)
    snooze = out.get("snooze_until", current.snooze_until if current else None)
    snooze_reported = any(e.pointer == "/snoozeUntil" for e in p.errors)
    if status == Conversation.Status.SNOOZED and snooze is None and not snooze_reported:
        p.error("snoozeUntil", "required", "snoozeUntil is required to snooze a conversation.")
    if status != Conversation.Status.SNOOZED and "status" in out:
        out["snooze_until"] = None
    return out


OWNER_LISTS = (("assignedUsers", "assignedUser"), ("assignedTeams", "assignedTeam"))


def _owner_lists(data):
    """Kustomer's `assignedUsers`/`assignedTeams` lists → the one owner kdesk keeps: returns
    (data with assignedUser/assignedTeam set, errors, {single: pointer of the list item})."""
    if not isinstance(data, dict) or not any(plural in data for plural, _ in OWNER_LISTS):
        return data, [], {}
    data, errors, sources = dict(data), [], {}
    for plural, single in OWNER_LISTS:
        if plural not in data:
            continue
        value = data.pop(plural)
        value = [] if value is None else value
        if not isinstance(value, list):
            errors.append(FieldError(f"/{plural}", "type", f"{plural} must be a list of ids."))
            continue
        if len(value) > 1:
            errors.append(
                FieldError(
                    f"/{plural}/1",
                    "invalid",
                    f"A conversation has one {single[8:].lower()} in kdesk: send at most one id.",
                )
            )
            continue
        item = value[0] if value else None
        if single in data and str(data[single] or "") != str(item or ""):
            errors.append(FieldError(f"/{plural}", "invalid", f"{plural} and {single} disagree."))
            continue
        data[single] = item
        sources[f"/{single}"] = f"/{plural}/0"
    return data, errors, sources


def _repoint(errors, sources):
    """Errors about an owner given as a list point into the list the client sent."""
    import dataclasses

    return [
        dataclasses.replace(e, pointer=sources[e.pointer]) if e.pointer in sources else e
        for e in errors
    ]


def _assignment_notification(*, org, actor, conversation, customer_name):
    user = conversation.assigned_user
    if user is None or (actor is not None and user.pk == actor.pk) or user.is_machine:
        return None
    who = _display(actor) or "Someone"
    return Notification(
        org=org,
        user=user,
        kind=Notification.Kind.ASSIGNMENT,
        conversation=conversation,
        customer_id=conversation.customer_id,
        actor=actor if actor is not None and actor.pk else None,
        text=f"{who} assigned you “{conversation.name or 'a conversation'}” ({customer_name})"[
            :500
        ],
    )


def _conversation_meta(conversation, customer_name):
    return {
        "customerName": customer_name,
        "assignedUserName": _display(conversation.assigned_user),
        "assignedTeamName": conversation.assigned_team.name
        if conversation.assigned_team_id
        else None,
    }


@transaction.atomic
def conversation_create(*, org, actor, data, customer=None, created_at=None):
    data, owner_errors, sources = _owner_lists(data)
    p = Payload(data, allowed=CONVERSATION_CREATE_FIELDS)
    p.errors.extend(owner_errors)
    if customer is None:
        customer_id = p.reference("customer")
        if customer_id is None and p.data.get("customer") in (None, ""):
            p.error("customer", "required", "customer is required.")
        elif customer_id is not None:
            customer = Customer.objects.filter(org=org, pk=customer_id).first()
            if customer is None:
                p.errors.append(
                    FieldError("/customer", "not_found", f"No customer with id {customer_id}.")
                )
    fields = _conversation_fields(p, org=org)
    errors = _repoint(p.errors, sources)
    custom = _custom(
        errors, org=org, resource="conversation", values=p.obj("custom") or {}, creating=True
    )
    now = created_at or _now()
    conversation = Conversation(
        org=org,
        customer=customer,
        custom=custom,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
        **fields,
    )
    if not errors and customer is not None:
        flat = conversation_flat(conversation)
        errors += attributes.check_rules(
            org=org, resource="conversation", action="create", record=flat, changed=set(flat)
        )
    _raise(errors)
    conversation.save()
    notification = _assignment_notification(
        org=org, actor=actor, conversation=conversation, customer_name=customer.name
    )
    if notification:
        notification.save()
    snapshot = conversation_resource(conversation)
    snapshot["meta"] = _conversation_meta(conversation, customer.name)
    if notification:
        snapshot["notified"] = [notification.user_id]
    emit(
        org=org,
        type="conversation.create",
        resource="conversation",
        resource_id=conversation.pk,
        customer_id=conversation.customer_id,
        actor=actor,
        rev=conversation.rev,
        data=snapshot,
    )
    return conversation


@transaction.atomic
def conversation_update(*, org, actor, conversation, data, rev=None, partial=True):
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer", "assigned_user", "assigned_team")
        .filter(org=org, pk=getattr(conversation, "pk", conversation))
        .first()
    )
    if conversation is None:
        raise NotFound("No conversation with this id.")
    data, owner_errors, sources = _owner_lists(data)
    p = Payload(data, allowed=CONVERSATION_UPDATE_FIELDS)
    p.errors.extend(owner_errors)
    given_rev = rev if rev is not None else (data.get("rev") if isinstance(data, dict) else None)
    check_rev(conversation.rev, given_rev, resource="conversation")
    if p.has("customer") and p.reference("customer") not in (None, conversation.customer_id):
        p.error("customer", "immutable", "A conversation cannot move to another customer.")
    fields = _conversation_fields(p, org=org, current=conversation, partial=partial)
    errors = _repoint(p.errors, sources)
    if p.has("custom") or not partial:
        given = p.obj("custom") or {}
        if partial and p.has("custom") and p.data["custom"] is None:
            # `"custom": null` clears every value; the engine names the required ones
            given = dict.fromkeys(conversation.custom or {})
        # only the values sent are checked (so a null on a required one is refused), then
        # merged over the stored ones
        cleaned = _custom(
            errors,
            org=org,
            resource="conversation",
            values=given,
            creating=False,
            partial=partial,
        )
        merged = {**(conversation.custom or {}), **cleaned} if partial else cleaned
        fields["custom"] = {k: v for k, v in merged.items() if v is not None}
    before = conversation_flat(conversation)
    before_assignee = conversation.assigned_user_id
    for name, value in fields.items():
        setattr(conversation, name, value)
    after = conversation_flat(conversation)
    keys = [*CHANGE_FIELDS, *{f"custom.{k}" for k in {**before["custom"], **after["custom"]}}]
    flat_b = {**before, **{f"custom.{k}": v for k, v in before["custom"].items()}}
    flat_a = {**after, **{f"custom.{k}": v for k, v in after["custom"].items()}}
    changes = diff(flat_b, flat_a, sorted(set(keys), key=keys.index))
    if not errors:
        errors += attributes.check_rules(
            org=org,
            resource="conversation",
            action="update",
            record=after,
            changed=set(changes),
        )
    _raise(errors)
    if not changes:
        return conversation
    conversation.rev += 1
    conversation.updated_at = _now()
    conversation.save()
    notification = None
    if conversation.assigned_user_id and conversation.assigned_user_id != before_assignee:
        notification = _assignment_notification(
            org=org,
            actor=actor,
            conversation=conversation,
            customer_name=conversation.customer.name,
        )
        if notification:
            notification.save()
    snapshot = conversation_resource(conversation)
    snapshot["meta"] = _conversation_meta(conversation, conversation.customer.name)
    if notification:
        snapshot["notified"] = [notification.user_id]
    emit(
        org=org,
        type="conversation.update",
        resource="conversation",
        resource_id=conversation.pk,
        customer_id=conversation.customer_id,
        actor=actor,
        rev=conversation.rev,
        data=snapshot,
        changes=changes,
    )
    return conversation


def _wake(*, org, actor, conversation):
    """Reopen a snoozed conversation the customer has just written to (inside message_create's
    transaction, the row already locked). Its own `conversation.update` event, as if an agent
    had reopened it, so the inbox, timeline and webhooks see the status change."""
    before = conversation_flat(conversation)
    conversation.status = Conversation.Status.OPEN
    conversation.snooze_until = None
    conversation.rev += 1
    conversation.updated_at = _now()
    conversation.save(update_fields=["status", "snooze_until", "rev", "updated_at"])
    conversation.refresh_from_db()
    after = conversation_flat(conversation)
    snapshot = conversation_resource(conversation)
    snapshot["meta"] = _conversation_meta(conversation, conversation.customer.name)
    snapshot["meta"]["reason"] = "inboundMessage"
    emit(
        org=org,
        type="conversation.update",
        resource="conversation",
        resource_id=conversation.pk,
        customer_id=conversation.customer_id,
        actor=actor,
        rev=conversation.rev,
        data=snapshot,
        changes=diff(before, after, ["status", "snoozeUntil"]),
    )


def conversations_delete_for_customer(*, org, actor, customer_id):
    """Deletion support (customer_delete): remove the customer's conversations with their
    messages, notes and notifications, recording a delete event for every note, message and
    conversation (`conversation.note.delete`, `conversation.message.delete`,
    `conversation.delete`; one INSERT), and the relationship links naming the conversations.
    Runs in the caller's transaction; returns the ids of the conversations deleted."""
    return _purge_conversations(
        org=org,
        actor=actor,
        conversations=Conversation.objects.filter(org=org, customer_id=customer_id),
        owned=Q(customer_id=customer_id),
        customer_id=customer_id,
    )


def _purge_conversations(*, org, actor, conversations, owned, customer_id):
    """Delete `conversations` (a queryset) and every note and message they (or `owned`) hold,
    one delete event each in one INSERT; the bells of the people notified about them are
    pushed once this commits."""
    from klasses.services import links_remove

    from .representations import MESSAGE_FIELDS as MESSAGE_VALUES

    rows = list(conversations.select_for_update().order_by("id").values(*CONVERSATION_FIELDS))
    conversation_ids = [c["id"] for c in rows]
    owned = owned | Q(conversation_id__in=conversation_ids)
    notes = list(Note.objects.filter(owned, org=org).order_by("id").values(*NOTE_FIELDS))
    messages = list(Message.objects.filter(owned, org=org).order_by("id").values(*MESSAGE_VALUES))
    events = []
    for kind, items, represent in (
        ("note", notes, note_resource),
        ("message", messages, message_resource),
    ):
        for row in items:
            events.append(
                {
                    "type": f"conversation.{kind}.delete",
                    "resource": kind,
                    "resource_id": row["id"],
                    "customer_id": customer_id,
                    "rev": row["rev"],
                    "data": represent(row),
                }
            )
    for row in rows:
        events.append(
            {
                "type": "conversation.delete",
                "resource": "conversation",
                "resource_id": row["id"],
                "customer_id": customer_id,
                "rev": row["rev"],
                "data": conversation_resource(row),
            }
        )
    note_ids = [n["id"] for n in notes]
    notifications = Notification.objects.filter(org=org).filter(
        Q(conversation_id__in=conversation_ids) | Q(note_id__in=note_ids)
    )
    _push_bells_after(org, notifications)
    notifications.delete()
    Note.objects.filter(org=org, pk__in=note_ids).delete()
    Message.objects.filter(org=org, pk__in=[m["id"] for m in messages]).delete()
    Conversation.objects.filter(org=org, pk__in=conversation_ids).delete()
    emit_many(org=org, actor=actor, events=events)
    links_remove(org=org, actor=actor, resource="conversation", ids=conversation_ids)
    return conversation_ids


def _push_bells_after(org, notifications):
    """The bells (and notification lists) of these notifications' people change: push each
    count once the transaction commits. Call before deleting them."""
    notified = sorted(set(notifications.values_list("user_id", flat=True)))
    if not notified:
        return
    from timeline.live import push_unread

    def push_bells(org_id=org.pk):
        for user_id in notified:
            push_unread(org_id, user_id)

    transaction.on_commit(push_bells)


@transaction.atomic
def conversation_delete(*, org, actor, conversation, rev=None):
    """Delete one conversation with its messages and notes; a delete event for each, so the
    change feed and the timeline see them go."""
    current = Conversation.objects.filter(
        org=org, pk=getattr(conversation, "pk", conversation)
    ).first()
    if current is None:
        raise NotFound("No conversation with this id.")
    check_rev(current.rev, rev, resource="conversation")
    _purge_conversations(
        org=org,
        actor=actor,
        conversations=Conversation.objects.filter(org=org, pk=current.pk),
        owned=Q(pk__in=[]),
        customer_id=current.customer_id,
    )


def conversations_unassign_team(*, org, actor, team):
    """A team is being deleted: its conversations keep their assigned user and lose the team,
    each with a `conversation.update` (one INSERT), so the feed and the inbox agree. Runs in
    the caller's transaction."""
    rows = list(
        Conversation.objects.select_for_update()
        .filter(org=org, assigned_team_id=team.pk)
        .order_by("id")
    )
    if not rows:
        return
    now = _now()
    events = []
    for conversation in rows:
        conversation.assigned_team = None
        conversation.rev += 1
        conversation.updated_at = now
        events.append(
            {
                "type": "conversation.update",
                "resource": "conversation",
                "resource_id": conversation.pk,
                "customer_id": conversation.customer_id,
                "rev": conversation.rev,
                "data": conversation_resource(conversation),
                "changes": {"assignedTeam": {"before": str(team.pk), "after": None}},
            }
        )
    Conversation.objects.bulk_update(rows, ["assigned_team", "rev", "updated_at"])
    emit_many(org=org, actor=actor, events=events)


# ---------------------------------------------------------------- messages

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


def _row_locks():
    """Whether the database locks rows; SQLite runs write transactions one at a time instead
    (`transaction_mode` IMMEDIATE), so there is nothing to lock and no query to spend."""
    return connection.features.has_select_for_update


def _lock_customer(org, customer):
    """The customer row, locked until the transaction ends. Locks are always taken customer
    first, then conversation (as customer_delete and customer_merge do), so writers never wait
    on each other in a circle."""
    if not _row_locks():
        return customer
    # NO KEY: rows that merely reference the customer (their foreign-key checks take KEY SHARE)
    # are not held up
    locked = Customer.objects.select_for_update(no_key=True).filter(org=org, pk=customer.pk).first()
    if locked is None:
        raise NotFound("No customer with this id.")
    return locked


def _lock_conversation(org, conversation):
    """The conversation with its customer, both locked (customer first)."""
    rows = Conversation.objects.filter(org=org, pk=conversation.pk)
    if not _row_locks():
        found = rows.select_related("customer").first()
        if found is None:
            raise NotFound("No conversation with this id.")
        return found
    customer_id = conversation.customer_id
    for _ in range(3):
        customer = _lock_customer(org, Customer(pk=customer_id))
        found = rows.select_for_update(no_key=True).first()
        if found is None:
            break
        if found.customer_id == customer.pk:
            found.customer = customer
            return found
        customer_id = found.customer_id  # merged into another customer meanwhile: lock that one
    raise NotFound("No conversation with this id.")


@transaction.atomic
def message_create(*, org, actor, customer=None, conversation=None, data):
    p = Payload(data, allowed=MESSAGE_FIELDS)
    fields = _message_fields(p)
    subject = p.string("subject", max_length=255, default="")
    if conversation is None and p.has("conversation"):
        conv_id = p.reference("conversation")
        if conv_id is not None:
            conversation = Conversation.objects.filter(org=org, pk=conv_id).first()
            if conversation is None:
                p.errors.append(
                    FieldError("/conversation", "not_found", f"No conversation with id {conv_id}.")
                )
            elif customer is not None and conversation.customer_id != customer.pk:
                p.error("conversation", "invalid", "The conversation belongs to another customer.")
    errors = list(p.errors)
    custom = _custom(
        errors, org=org, resource="message", values=p.obj("custom") or {}, creating=True
    )
    if not errors:
        errors += message_rule_errors(
            org=org, action="create", record=_message_record(fields, subject, custom)
        )
    _raise(errors)
    if conversation is not None:
        conversation = _lock_conversation(org, conversation)
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
    message.save()
    # Aggregates (no rev bump: a customer writing in must not make an agent's edit stale).
    channels = list(conversation.channels or [])
    if message.channel not in channels:
        channels.append(message.channel)
    updates = {
        "channels": channels,
        "message_count": F("message_count") + 1,
        "updated_at": now,
    }
    if conversation.first_message_at is None or sent_at < conversation.first_message_at:
        updates["first_message_at"] = sent_at
    if conversation.last_message_at is None or sent_at >= conversation.last_message_at:
        updates["last_message_at"] = sent_at
        updates["last_message_preview"] = message.preview
        updates["last_activity_at"] = max(sent_at, conversation.last_activity_at)
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    Customer.objects.filter(org=org, pk=conversation.customer_id).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=sent_at)
    ).update(last_activity_at=sent_at)
    snapshot = message_resource(message)
    snapshot["meta"] = {
        "authorName": _display(message.author),
        "conversationId": str(conversation.pk),
        "conversationName": conversation.name,
        "customerName": customer.name if customer is not None else None,
    }
    emit(
        org=org,
        type="conversation.message.create",
        resource="message",
        resource_id=message.pk,
        customer_id=message.customer_id,
        actor=actor,
        rev=message.rev,
        data=snapshot,
    )
    if (
        message.direction == Message.Direction.IN
        and conversation.status == Conversation.Status.SNOOZED
    ):
        _wake(org=org, actor=actor, conversation=conversation)
    return message


# ---------------------------------------------------------------- notes and mentions


def parse_mentions(*, org, body, explicit=(), author=None):
    """Resolve mentions: ([users], [teams], [recipient ids], errors); see _resolve_mentions."""
    return _resolve_mentions(org=org, body=body, explicit=explicit, author=author)[:4]


def _resolve_mentions(*, org, body, explicit=(), author=None):
    """([users], [teams], [recipient ids], errors, {recipient id: team slug} for those reached
    only through a team).

    `explicit` is the API's userMentions list ([{user: id} | {team: id}]); `@handle` in the
    body matches the org's usernames and team slugs at word boundaries. Recipients are the
    mentioned users plus the members of mentioned teams, each once, never the author.
    """
    errors = []
    user_ids, team_ids = [], []
    for i, item in enumerate(explicit or ()):
        if not isinstance(item, dict) or len(item) != 1 or not ({"user", "team"} & set(item)):
            errors.append(
                FieldError(
                    f"/userMentions/{i}", "invalid", 'A mention is {"user": id} or {"team": id}.'
                )
            )
            continue
        key = "user" if "user" in item else "team"
        value = item[key]
        if isinstance(value, dict):
            value = value.get("id")
        if as_id(value) is None:
            errors.append(
                FieldError(f"/userMentions/{i}/{key}", "invalid", f"{key} must be an id.")
            )
            continue
        (user_ids if key == "user" else team_ids).append((int(value), i))

    handles = set()
    for match in MENTION_RE.finditer(body or ""):
        handle = match.group(1).lower()
        handles.add(handle)
        handles.add(handle.rstrip("._-"))
    handles.discard("")

    wanted_users = {pk for pk, _ in user_ids}
    users = {}
    if wanted_users or handles:
        qs = User.objects.filter(org=org, is_active=True).filter(
            Q(pk__in=wanted_users) | Q(username__in=handles)
        )
        for u in qs:
            users[u.pk] = u
    wanted_teams = {pk for pk, _ in team_ids}
    teams = {}
    if wanted_teams or handles:
        for t in Team.objects.filter(org=org).filter(Q(pk__in=wanted_teams) | Q(slug__in=handles)):
            teams[t.pk] = t
    for pk, i in user_ids:
        if pk not in users:
            errors.append(
                FieldError(f"/userMentions/{i}/user", "not_found", f"No user with id {pk}.")
            )
    for pk, i in team_ids:
        if pk not in teams:
            errors.append(
                FieldError(f"/userMentions/{i}/team", "not_found", f"No team with id {pk}.")
            )

    by_username = {u.username.lower(): u for u in users.values()}
    by_slug = {t.slug.lower(): t for t in teams.values()}
    mentioned_users, mentioned_teams = [], []

    def add(seq, item):
        if item is not None and item not in seq:
            seq.append(item)

    for pk, _ in user_ids:
        add(mentioned_users, users.get(pk))
    for pk, _ in team_ids:
        add(mentioned_teams, teams.get(pk))
    for match in MENTION_RE.finditer(body or ""):
        handle = match.group(1).lower()
        for h in (handle, handle.rstrip("._-")):
            if h in by_username:
                add(mentioned_users, by_username[h])
                break
            if h in by_slug:
                add(mentioned_teams, by_slug[h])
                break

    recipients = [u.pk for u in mentioned_users if not u.is_machine]
    via_team = {}
    if mentioned_teams:
        slugs = {t.pk: t.slug for t in mentioned_teams}
        members = (
            Team.members.through.objects.filter(
                team_id__in=list(slugs),
                user__is_active=True,
                user__is_machine=False,
            )
            .order_by("team_id", "user_id")
            .values_list("team_id", "user_id")
        )
        for team_id, user_id in members:
            recipients.append(user_id)
            via_team.setdefault(user_id, slugs[team_id])
    author_id = getattr(author, "pk", None)
    recipients = [pk for pk in dict.fromkeys(recipients) if pk != author_id]
    return mentioned_users, mentioned_teams, recipients, errors, via_team


def _check_internal(p):
    """Kustomer clients send `isInternal: true`; a note is always internal, and `false` would
    be a message to the customer, which a note can never become."""
    if not p.has("isInternal"):
        return
    value = p.data["isInternal"]
    if value is False:
        p.error(
            "isInternal",
            "invalid",
            "A note is always internal. To write to the customer, send a message: "
            "POST /v1/conversations/{id}/messages.",
        )
    elif value is not True:
        p.error("isInternal", "type", "isInternal must be true (notes are always internal).")


@transaction.atomic
def note_create(*, org, actor, conversation, data, created_at=None):
    conversation = (
        Conversation.objects.select_related("customer")
        .filter(org=org, pk=getattr(conversation, "pk", conversation))
        .first()
    )
    if conversation is None:
        raise NotFound("No conversation with this id.")
    p = Payload(data, allowed={"body", "userMentions", "isInternal"})
    _check_internal(p)
    body = p.string("body", max_length=20_000, required=True, blank=False) or ""
    explicit = p.data.get("userMentions")
    if explicit is not None and (not isinstance(explicit, list) or len(explicit) > 50):
        p.error("userMentions", "type", "userMentions must be a list of at most 50 mentions.")
        explicit = None
    users, teams, recipients, mention_errors, via_team = _resolve_mentions(
        org=org, body=body, explicit=explicit or (), author=actor
    )
    errors = [*p.errors, *mention_errors]
    _raise(errors)
    now = created_at or _now()
    author = actor if actor is not None and actor.pk else None
    note = Note.objects.create(
        org=org,
        conversation=conversation,
        customer_id=conversation.customer_id,
        author=author,
        body=body,
        mentioned_user_ids=[u.pk for u in users],
        mentioned_team_ids=[t.pk for t in teams],
        created_at=now,
        updated_at=now,
    )
    who = _display(actor) or "Someone"
    direct = {u.pk for u in users}

    def text_for(pk):
        # Someone reached only through a team reads which team was mentioned, not "you".
        whom = "you" if pk in direct or pk not in via_team else f"@{via_team[pk]}"
        about = conversation.name or "a conversation"
        return f"{who} mentioned {whom} on “{about}”: {make_preview(body)}"

    Notification.objects.bulk_create(
        [
            Notification(
                org=org,
                user_id=pk,
                kind=Notification.Kind.MENTION,
                note=note,
                conversation=conversation,
                customer_id=conversation.customer_id,
                actor=author,
                text=text_for(pk)[:500],
                created_at=now,
            )
            for pk in recipients
        ]
    )
    snapshot = note_resource(note)
    snapshot["meta"] = {
        "authorName": _display(actor),
        "conversationId": str(conversation.pk),
        "conversationName": conversation.name,
        "customerName": conversation.customer.name,
        "mentionedUsers": [
            {"id": str(u.pk), "username": u.username, "displayName": u.display_name} for u in users
        ],
        "mentionedTeams": [{"id": str(t.pk), "slug": t.slug, "name": t.name} for t in teams],
    }
    snapshot["notified"] = recipients
    emit(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id=note.pk,
        customer_id=note.customer_id,
        actor=actor,
        rev=note.rev,
        data=snapshot,
    )
    return note


# ---------------------------------------------------------------- message and note edits

# Attributes a client reads back and may send again unchanged; a different value is a 400.
MESSAGE_READ_ONLY = (
    "direction",
    "channel",
    "body",
    "bodyHtml",
    "preview",
    "sentAt",
    "createdAt",
    "updatedAt",
)
NOTE_READ_ONLY = ("createdAt", "updatedAt")


def _read_only(p, current, names):
    for name in names:
        if p.has(name) and p.data[name] != current.get(name):
            p.error(name, "read_only", f"{name} cannot be changed.")


def _message_meta(message):
    conversation = message.conversation
    return {
        "authorName": _display(message.author),
        "conversationId": str(conversation.pk),
        "conversationName": conversation.name,
        "customerName": conversation.customer.name,
    }


def _locked_entry(model, org, entry, conversation_id, missing):
    """A message or note of the org (in that conversation when one is named), locked, with
    the conversation, customer and author its snapshot reads."""
    qs = model.objects.select_for_update(of=("self",)).select_related(
        "conversation", "conversation__customer", "author"
    )
    if conversation_id is not None:
        qs = qs.filter(conversation_id=conversation_id)
    found = qs.filter(org=org, pk=getattr(entry, "pk", entry)).first()
    if found is None:
        raise NotFound(missing)
    return found


def _locked_message(org, message, conversation_id=None):
    return _locked_entry(Message, org, message, conversation_id, "No message with this id.")


@transaction.atomic
def message_update(*, org, actor, message, data, rev=None, conversation_id=None):
    """Custom attributes (merged; null removes one) and the delivery status of a message. What
    was said, by whom and when stays as it was."""
    message = _locked_message(org, message, conversation_id)
    p = Payload(
        data,
        allowed={"custom", "status", "statusDetail", "rev", *MESSAGE_READ_ONLY},
    )
    check_rev(message.rev, rev if rev is not None else p.data.get("rev"), resource="message")
    before = message_resource(message)["attributes"]
    _read_only(p, before, MESSAGE_READ_ONLY)
    fields = {}
    if p.has("status") or p.has("statusDetail"):
        status, detail = _message_status(p, message.direction, current=before["status"])
        fields["status"] = status
        if detail is not None:
            fields["status_detail"] = detail
    errors = list(p.errors)
    if p.has("custom"):
        given = p.obj("custom") or {}
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
    snapshot = message_resource(message)
    snapshot["meta"] = _message_meta(message)
    emit(
        org=org,
        type="conversation.message.update",
        resource="message",
        resource_id=message.pk,
        customer_id=message.customer_id,
        actor=actor,
        rev=message.rev,
        data=snapshot,
        changes=changes,
    )
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


@transaction.atomic
def message_delete(*, org, actor, message, rev=None, conversation_id=None):
    message = _locked_message(org, message, conversation_id)
    check_rev(message.rev, rev, resource="message")
    Conversation.objects.select_for_update().filter(pk=message.conversation_id).first()
    snapshot = message_resource(message)
    snapshot["meta"] = _message_meta(message)
    pk, conversation = message.pk, message.conversation
    message.delete()
    _refresh_aggregates(conversation)
    emit(
        org=org,
        type="conversation.message.delete",
        resource="message",
        resource_id=pk,
        customer_id=conversation.customer_id,
        actor=actor,
        rev=snapshot["attributes"]["rev"],
        data=snapshot,
    )


def _locked_note(org, note, conversation_id=None):
    return _locked_entry(Note, org, note, conversation_id, "No note with this id.")


def _note_snapshot(note, users, teams, notified):
    conversation = note.conversation
    snapshot = note_resource(note)
    snapshot["meta"] = {
        "authorName": _display(note.author),
        "conversationId": str(conversation.pk),
        "conversationName": conversation.name,
        "customerName": conversation.customer.name,
        "mentionedUsers": [
            {"id": str(u.pk), "username": u.username, "displayName": u.display_name} for u in users
        ],
        "mentionedTeams": [{"id": str(t.pk), "slug": t.slug, "name": t.name} for t in teams],
    }
    snapshot["notified"] = notified
    return snapshot


@transaction.atomic
def note_update(*, org, actor, note, data, rev=None, conversation_id=None):
    """A new body (and mentions): the mentions are parsed again, and only people not notified
    about this note before get a notification."""
    note = _locked_note(org, note, conversation_id)
    p = Payload(
        data,
        allowed={"body", "userMentions", "isInternal", "rev", *NOTE_READ_ONLY},
    )
    _check_internal(p)
    check_rev(note.rev, rev if rev is not None else p.data.get("rev"), resource="note")
    before = note_resource(note)["attributes"]
    _read_only(p, before, NOTE_READ_ONLY)
    body = note.body
    if p.has("body"):
        body = p.string("body", max_length=20_000, required=True, blank=False) or note.body
    explicit = p.data.get("userMentions")
    if explicit is not None and (not isinstance(explicit, list) or len(explicit) > 50):
        p.error("userMentions", "type", "userMentions must be a list of at most 50 mentions.")
        explicit = None
    if explicit is None and not p.has("userMentions"):
        # mentions given through the API (not in the body) stay unless the body replaces them
        explicit = [{"user": i} for i in note.mentioned_user_ids] + [
            {"team": i} for i in note.mentioned_team_ids
        ]
    users, teams, recipients, mention_errors = parse_mentions(
        org=org, body=body, explicit=explicit or (), author=note.author
    )
    if not p.has("userMentions"):
        mention_errors = []  # a user or team deleted since is dropped, not an error
    _raise([*p.errors, *mention_errors])
    note.body = body
    note.mentioned_user_ids = [u.pk for u in users]
    note.mentioned_team_ids = [t.pk for t in teams]
    after = note_resource(note)["attributes"]
    changes = diff(before, after, ["body", "userMentions"])
    if not changes:
        return note
    already = set(
        Notification.objects.filter(org=org, note=note, kind=Notification.Kind.MENTION).values_list(
            "user_id", flat=True
        )
    )
    actor_id = getattr(actor, "pk", None)
    new = [pk for pk in recipients if pk not in already and pk != actor_id]
    note.rev += 1
    note.updated_at = _now()
    note.save()
    who = _display(actor) or "Someone"
    conversation = note.conversation
    text = f"{who} mentioned you on “{conversation.name or 'a conversation'}”: {make_preview(body)}"
    Notification.objects.bulk_create(
        [
            Notification(
                org=org,
                user_id=pk,
                kind=Notification.Kind.MENTION,
                note=note,
                conversation=conversation,
                customer_id=conversation.customer_id,
                actor=actor if actor is not None and actor.pk else None,
                text=text[:500],
                created_at=note.updated_at,
            )
            for pk in new
        ]
    )
    emit(
        org=org,
        type="conversation.note.update",
        resource="note",
        resource_id=note.pk,
        customer_id=note.customer_id,
        actor=actor,
        rev=note.rev,
        data=_note_snapshot(note, users, teams, new),
        changes=changes,
    )
    return note


@transaction.atomic
def note_delete(*, org, actor, note, rev=None, conversation_id=None):
    note = _locked_note(org, note, conversation_id)
    check_rev(note.rev, rev, resource="note")
    users = list(User.objects.filter(org=org, pk__in=note.mentioned_user_ids))
    teams = list(Team.objects.filter(org=org, pk__in=note.mentioned_team_ids))
    snapshot = _note_snapshot(note, users, teams, [])
    notifications = Notification.objects.filter(org=org, note=note)
    _push_bells_after(org, notifications)
    notifications.delete()
    pk, customer_id = note.pk, note.customer_id
    note.delete()
    emit(
        org=org,
        type="conversation.note.delete",
        resource="note",
        resource_id=pk,
        customer_id=customer_id,
        actor=actor,
        rev=snapshot["attributes"]["rev"],
        data=snapshot,
    )


def notifications_mark_read(*, org, user, ids=None):
    """Mark the user's notifications (all unread ones when `ids` is None) read; returns count."""
    qs = Notification.objects.filter(org=org, user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[n for n in map(as_id, ids) if n is not None])
    return qs.update(read_at=_now())


def notifications_mark_seen(*, org, user, note_id=None, conversation_id=None):
    """The user opened what a notification is about (a note, an assigned conversation): its
    unread notifications about it are read; returns how many."""
    about = Q()
    if as_id(note_id) is not None:
        about |= Q(note_id=as_id(note_id))
    if as_id(conversation_id) is not None:
        about |= Q(conversation_id=as_id(conversation_id), kind=Notification.Kind.ASSIGNMENT)
    if not about:
        return 0
    return (
        Notification.objects.filter(org=org, user=user, read_at__isnull=True)
        .filter(about)
        .update(read_at=_now())
    )


# ---------------------------------------------------------------- tags


def _tag_fields(p, *, org, current=None, partial=False):
    out = {}
    if p.has("name") or current is None or not partial:
        name = p.string("name", max_length=100, required=True, blank=False)
        if name:
            # names are unique ignoring case, which the constraint cannot see: hold the name
            # until this transaction ends so that a concurrent "VIP" waits for this "vip"
            serialize("tag-name", org.pk, name.lower())
            clash = Tag.objects.filter(org=org, name__iexact=name)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                p.error("name", "taken", f"A tag named {name!r} exists.")
            out["name"] = name
    if p.has("color") or current is None or not partial:
        color = p.string("color", max_length=7, default="#6b7280")
        if color is not None and not COLOR_RE.match(color):
            p.error("color", "invalid", "color must look like #rrggbb.")
        out["color"] = (color or "#6b7280").lower()
    return out


@transaction.atomic
def tag_create(*, org, actor, data):
    p = Payload(data, allowed={"name", "color"})
    fields = _tag_fields(p, org=org)
    raise_invalid_or_taken(p.errors)
    with conflict_on_duplicate("/name", f"A tag named {fields['name']!r} exists."):
        tag = Tag.objects.create(org=org, **fields)
    emit(
        org=org,
        type="tag.create",
        resource="tag",
        resource_id=tag.pk,
        actor=actor,
        rev=tag.rev,
        data=tag_resource(tag),
    )
    return tag


@transaction.atomic
def tag_update(*, org, actor, tag, data, partial=False):
    tag = Tag.objects.select_for_update().filter(org=org, pk=getattr(tag, "pk", tag)).first()
    if tag is None:
        raise NotFound("No tag with this id.")
    p = Payload(data, allowed={"name", "color", "rev"})
    check_rev(tag.rev, p.data.get("rev"), resource="tag")
    fields = _tag_fields(p, org=org, current=tag, partial=partial)
    raise_invalid_or_taken(p.errors)
    before = tag_resource(tag)["attributes"]
    for k, v in fields.items():
        setattr(tag, k, v)
    changes = diff(before, tag_resource(tag)["attributes"], ["name", "color"])
    if not changes:
        return tag
    tag.rev += 1
    tag.updated_at = _now()
    with conflict_on_duplicate("/name", f"A tag named {tag.name!r} exists."):
        tag.save()
    emit(
        org=org,
        type="tag.update",
        resource="tag",
        resource_id=tag.pk,
        actor=actor,
        rev=tag.rev,
        data=tag_resource(tag),
        changes=changes,
    )
    return tag


@transaction.atomic
def tag_delete(*, org, actor, tag, rev=None):
    tag = Tag.objects.select_for_update().filter(org=org, pk=getattr(tag, "pk", tag)).first()
    if tag is None:
        raise NotFound("No tag with this id.")
    check_rev(tag.rev, rev, resource="tag")
    snapshot = tag_resource(tag)
    pk = tag.pk
    tag.delete()
    emit(
        org=org,
        type="tag.delete",
        resource="tag",
        resource_id=pk,
        actor=actor,
        rev=snapshot["attributes"]["rev"],
        data=snapshot,
    )


# ---------------------------------------------------------------- shortcuts

SHORTCUT_WRITABLE = {"name", "payload", "draft", "isPrivate", "visibility", "conversation"}
# What a client reads back and may send again unchanged (a GET → PUT round trip).
SHORTCUT_READ_ONLY = {"createdBy", "modifiedBy", "createdAt", "updatedAt", "modifiedAt", "deleted"}
TAG_OPERATORS = ("append", "replace", "remove")
NAME_OPERATORS = ("replace",)


def _shortcut_text(p, *, required):
    """(rich text doc, plain text) from `payload` (a string, or {text: string | doc})."""
    if not p.has("payload") or p.data["payload"] is None:
        if required:
            p.error("payload", "required", "payload is required.")
        return None, None
    value, pointer = p.data["payload"], "/payload"
    if isinstance(value, dict):
        extra = sorted(set(value) - {"text"})
        for key in extra:
            p.errors.append(FieldError(f"/payload/{key}", "unknown", f"Unknown attribute '{key}'."))
        if "text" not in value:
            p.error("payload", "required", "payload.text is required.")
            return None, None
        value, pointer = value["text"], "/payload/text"
    if isinstance(value, str) and not value.strip():
        p.errors.append(FieldError(pointer, "required", "The shortcut text may not be blank."))
        return None, None
    doc, errors = richtext.clean(value, pointer)
    p.errors.extend(errors)
    if errors:
        return None, None
    return doc, richtext.to_text(doc)


def _conversation_defaults(p):
    value = p.data.get("conversation")
    if value is None:
        return {}
    if not isinstance(value, dict):
        p.error("conversation", "type", "conversation must be an object: {tags, name}.")
        return {}
    out = {}
    for key in sorted(set(value) - {"tags", "name"}):
        p.errors.append(
            FieldError(f"/conversation/{key}", "unknown", f"Unknown conversation default '{key}'.")
        )
    for key, operators in (("tags", TAG_OPERATORS), ("name", NAME_OPERATORS)):
        item = value.get(key)
        if item is None:
            continue
        at = f"/conversation/{key}"
        if not isinstance(item, dict):
            p.errors.append(FieldError(at, "type", f"{key} must be {{operator, value}}."))
            continue
        for extra in sorted(set(item) - {"operator", "value"}):
            p.errors.append(FieldError(f"{at}/{extra}", "unknown", f"Unknown attribute '{extra}'."))
        operator = item.get("operator", operators[0])
        if operator not in operators:
            p.errors.append(
                FieldError(
                    f"{at}/operator", "invalid", f"operator must be one of: {', '.join(operators)}."
                )
            )
            continue
        sub = Payload({"value": item.get("value")}, allowed={"value"}, pointer=at)
        if key == "tags":
            tags = sub.strings("value", max_items=50, max_length=100)
            if tags is None and not sub.errors:
                sub.error("value", "required", "value is a list of tag names.")
            if not sub.errors:
                out["tags"] = {"operator": operator, "value": tags}
        else:
            name = sub.string("value", max_length=255, required=True, blank=False)
            if not sub.errors:
                out["name"] = {"operator": operator, "value": name}
        p.errors.extend(sub.errors)
    return out


def _shortcut_fields(p, *, org, owner, current=None, partial=False):
    out = {}
    creating = current is None
    if p.has("name") or creating or not partial:
        name = p.string("name", max_length=100, required=True, blank=False)
        if name:
            clash = Shortcut.objects.filter(org=org, owner=owner, name=name)
            if current is not None:
                clash = clash.exclude(pk=current.pk)
            if clash.exists():
                p.error("name", "taken", f"You already have a shortcut named {name!r}.")
            out["name"] = name
    if p.has("payload") or creating or not partial:
        doc, text = _shortcut_text(p, required=True)
        if doc is not None:
            out["rich_text"], out["payload"] = doc, text
    if p.has("draft") and p.data["draft"] is not None:
        draft = p.obj("draft")
        if draft is not None:
            sub = Payload(draft, allowed={"text"}, pointer="/draft")
            out["draft_text"] = sub.string("text", max_length=20_000, default="") or ""
            p.errors.extend(sub.errors)
    elif "payload" in out and (creating or current.draft_text in ("", current.payload)):
        out["draft_text"] = out["payload"]  # the draft follows the text unless set apart
    if p.has("conversation") or creating or not partial:
        out["conversation_defaults"] = _conversation_defaults(p)
    if p.has("isPrivate"):
        private = p.boolean("isPrivate")
        if private is not None:
            out["visibility"] = "private" if private else "shared"
        if p.has("visibility") and p.data["visibility"] != out.get("visibility"):
            p.error("visibility", "invalid", "visibility and isPrivate disagree.")
    elif p.has("visibility") or creating or not partial:
        out["visibility"] = p.choice(
            "visibility", Shortcut.Visibility.values, default=Shortcut.Visibility.SHARED
        )
    if p.data.get("deleted") not in (None, False):
        p.error("deleted", "read_only", "Delete a shortcut with DELETE /v1/shortcuts/{id}.")
    return out


def _visible(org, user):
    return Shortcut.objects.filter(org=org).filter(
        Q(visibility=Shortcut.Visibility.SHARED) | Q(owner=user)
    )


def shortcut_can_change(shortcut, user):
    """A shared shortcut is everyone's to use, but only its owner's (and admins') to change."""
    return user is not None and (shortcut.owner_id == user.pk or user.role == User.Role.ADMIN)


def _check_can_change(shortcut, actor, verb):
    if not shortcut_can_change(shortcut, actor):
        raise Forbidden(
            f"Only its owner or an admin can {verb} the shared shortcut #{shortcut.name}; "
            "copy it to make one of your own."
        )


def _shortcut_event(org, actor, shortcut, type, changes=None, snapshot=None):
    emit(
        org=org,
        type=type,
        resource="shortcut",
        resource_id=shortcut.pk,
        actor=actor,
        rev=shortcut.rev,
        data=snapshot or shortcut_resource(shortcut),
        changes=changes,
    )


@transaction.atomic
def shortcut_create(*, org, actor, data):
    p = Payload(data, allowed=SHORTCUT_WRITABLE | SHORTCUT_READ_ONLY)
    fields = _shortcut_fields(p, org=org, owner=actor)
    raise_invalid_or_taken(p.errors)
    author = actor if actor is not None and actor.pk else None
    with conflict_on_duplicate("/name", f"You already have a shortcut named {fields['name']!r}."):
        shortcut = Shortcut.objects.create(org=org, owner=actor, modified_by=author, **fields)
    _shortcut_event(org, actor, shortcut, "shortcut.create")
    return shortcut


SHORTCUT_CHANGES = ("name", "payload", "draft", "isPrivate", "conversation")


@transaction.atomic
def shortcut_update(*, org, actor, shortcut, data, partial=False):
    shortcut = (
        _visible(org, actor)
        .select_for_update()
        .filter(pk=getattr(shortcut, "pk", shortcut))
        .first()
    )
    if shortcut is None:
        raise NotFound("No shortcut with this id.")
    _check_can_change(shortcut, actor, "change")
    p = Payload(data, allowed=SHORTCUT_WRITABLE | SHORTCUT_READ_ONLY | {"rev"})
    check_rev(shortcut.rev, p.data.get("rev"), resource="shortcut")
    fields = _shortcut_fields(p, org=org, owner=shortcut.owner, current=shortcut, partial=partial)
    raise_invalid_or_taken(p.errors)
    before = shortcut_resource(shortcut)["attributes"]
    for k, v in fields.items():
        setattr(shortcut, k, v)
    changes = diff(before, shortcut_resource(shortcut)["attributes"], SHORTCUT_CHANGES)
    if not changes:
        return shortcut
    shortcut.rev += 1
    shortcut.updated_at = _now()
    shortcut.modified_by = actor if actor is not None and actor.pk else None
    with conflict_on_duplicate("/name", f"A shortcut named {shortcut.name!r} exists."):
        shortcut.save()
    _shortcut_event(org, actor, shortcut, "shortcut.update", changes=changes)
    return shortcut


@transaction.atomic
def shortcut_delete(*, org, actor, shortcut, rev=None):
    shortcut = (
        _visible(org, actor)
        .select_for_update()
        .filter(pk=getattr(shortcut, "pk", shortcut))
        .first()
    )
    if shortcut is None:
        raise NotFound("No shortcut with this id.")
    _check_can_change(shortcut, actor, "delete")
    check_rev(shortcut.rev, rev, resource="shortcut")
    snapshot = shortcut_resource(shortcut, deleted=True)
    snapshot["attributes"]["modifiedBy"] = str(actor.pk) if actor is not None else None
    deleted = Shortcut(pk=shortcut.pk, rev=shortcut.rev)
    shortcut.delete()
    _shortcut_event(org, actor, deleted, "shortcut.delete", snapshot=snapshot)


def _copy_name(org, owner, name):
    base = f"{name[:93]}-copy"
    taken = set(
        Shortcut.objects.filter(org=org, owner=owner, name__startswith=base).values_list(
            "name", flat=True
        )
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def shortcut_copy(*, org, actor, shortcut, data=None):
    """A new shortcut owned by `actor` with the text and defaults of one they can see; the body
    may rename it (`name`) or share it (`isPrivate: false`). Private unless told otherwise."""
    source = _visible(org, actor).filter(pk=getattr(shortcut, "pk", shortcut)).first()
    if source is None:
        raise NotFound("No shortcut with this id.")
    p = Payload(data or {}, allowed={"name", "isPrivate"})
    name = p.string("name", max_length=100, blank=False) or _copy_name(org, actor, source.name)
    private = p.boolean("isPrivate", default=True)
    p.raise_if_errors()
    return shortcut_create(
        org=org,
        actor=actor,
        data={
            "name": name,
            "payload": {"text": source.rich_text or richtext.from_text(source.payload)},
            "draft": {"text": source.draft_text or source.payload},
            "conversation": source.conversation_defaults,
            "isPrivate": private,
        },
    )


def shortcut_conversation_changes(shortcut, conversation):
    """The conversation update (`tags`, `name`) that applying the shortcut makes, or {}."""
    defaults = shortcut.conversation_defaults or {}
    out = {}
    tags = defaults.get("tags")
    if tags:
        current = list(conversation.tags or [])
        value = tags["value"]
        if tags["operator"] == "replace":
            new = list(value)
        elif tags["operator"] == "remove":
            new = [t for t in current if t not in value]
        else:
            new = current + [t for t in value if t not in current]
        if new != current:
            out["tags"] = new
    name = defaults.get("name")
    if name and name["value"] != conversation.name:
        out["name"] = name["value"]
    return out


def shortcut_apply(*, org, actor, shortcut, conversation):
    """Apply the shortcut's conversation defaults (tags, name) to the conversation."""
    conversation = Conversation.objects.filter(
        org=org, pk=getattr(conversation, "pk", conversation)
    ).first()
    if conversation is None:
        raise NotFound("No conversation with this id.")
    changes = shortcut_conversation_changes(shortcut, conversation)
    if not changes:
        return conversation
    return conversation_update(
        org=org, actor=actor, conversation=conversation, data=changes, partial=True
    )


def _first_last(name):
    parts = (name or "").split()
    return (parts[0] if parts else ""), (" ".join(parts[1:]) if len(parts) > 1 else "")


def shortcut_render(shortcut, *, customer=None, agent=None, conversation=None):
    """Substitute `{{customer.firstName}}`-style placeholders and custom attributes
    (`{{customer.custom.tierStr}}`, `{{conversation.custom.reasonStr}}`); unknown ones stay as
    written, so a typo shows in the reply rather than vanishing."""
    payload = shortcut.payload if hasattr(shortcut, "payload") else str(shortcut)
    values = {}
    if customer is not None:
        first, last = _first_last(customer.name)
        emails = getattr(customer, "emails", None) or []
        values.update(
            {
                ("customer", "name"): customer.name or "",
                ("customer", "firstName"): first,
                ("customer", "lastName"): last,
                ("customer", "email"): (emails[0].get("email", "") if emails else ""),
            }
        )
    if agent is not None:
        name = agent.display_name or agent.username
        first, last = _first_last(name)
        values.update(
            {
                ("agent", "name"): name,
                ("agent", "displayName"): name,
                ("agent", "firstName"): first,
                ("agent", "lastName"): last,
                ("agent", "email"): agent.email,
            }
        )

    customs = {"customer": getattr(customer, "custom", None) or {}}
    if conversation is not None:
        customs["conversation"] = conversation.custom or {}
        values[("conversation", "name")] = conversation.name or ""

    def sub(match):
        owner, field, attribute = match.groups()
        if attribute is not None:
            if field != "custom" or attribute not in customs.get(owner, {}):
                return match.group(0)
            return _placeholder_text(customs[owner][attribute])
        key = (owner, field)
        return values[key] if key in values else match.group(0)

    return PLACEHOLDER_RE.sub(sub, payload)


def _placeholder_text(value):
    """A custom attribute as an agent would write it in a reply."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):  # a Tree node or an Obj: its label, else its values
        if "displayName" in value:
            return str(value["displayName"])
        return ", ".join(_placeholder_text(v) for v in value.values())
    if isinstance(value, list):
        return ", ".join(_placeholder_text(v) for v in value)
    return str(value)
