"""Conversation writes: create and update (with the assignment notification), and waking a snoozed
conversation its customer writes to."""

import logging

from django.db import transaction

from conversations.models import Conversation, Notification
from conversations.representations import (
    conversation_flat,
    conversation_resource,
)
from kdesk.errors import FieldError, NotFound, check_rev
from kdesk.events import diff, emit
from kdesk.payload import Payload
from kdesk.prepared import PreparedInsert
from kdesk.updates import lock_for_write
from klasses import attributes

from .common import _custom, _datetime, _display, _now, _raise, _rev_in, _team_ref, _user_ref
from .locks import customer_or_none
from .rules import apply_business_rules, created_by_rules, rule_changes

log = logging.getLogger(__name__)

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

# Every conversation opened (each new inbound email): its INSERT built once per connection.
_INSERT = PreparedInsert(Conversation)


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
        out["assigned_user"] = _user_ref(
            p, "assignedUser", org, current=current.assigned_user_id if current else None
        )
    if given("assignedTeam"):
        out["assigned_team"] = _team_ref(
            p, "assignedTeam", org, current=current.assigned_team_id if current else None
        )
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
        if single in data:
            # one owner, said one way: the document states it (not both required)
            errors.append(
                FieldError(f"/{plural}", "invalid", f"Send {plural} or {single}, not both.")
            )
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


def _updated(org, actor, conversation, changes, *, customer_name, assigned):
    """The conversation.update event of a saved change, with the new assignee's bell when
    the change `assigned` someone."""
    notification = None
    if conversation.assigned_user_id and assigned:
        notification = _assignment_notification(
            org=org, actor=actor, conversation=conversation, customer_name=customer_name
        )
        if notification:
            notification.save()
    _emit(
        org,
        actor,
        conversation,
        "conversation.update",
        customer_name=customer_name,
        notified=notification and notification.user_id,
        changes=changes,
    )


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
def conversation_create(*, org, actor, data, customer=None, created_at=None, rule_context=None):
    return conversation_create_within(
        org=org,
        actor=actor,
        data=data,
        customer=customer,
        created_at=created_at,
        rule_context=rule_context,
    )


def conversation_create_within(
    *, org, actor, data, customer=None, created_at=None, rule_context=None
):
    """conversation_create for a caller already inside its own write, which rolls back whole
    when this raises (an inbound email: its rows and the conversation, or none of them): no
    savepoint of its own, whose two round trips would buy nothing there."""
    data, owner_errors, sources = _owner_lists(data)
    p = Payload(data, allowed=CONVERSATION_CREATE_FIELDS)
    p.errors.extend(owner_errors)
    if customer is None:
        customer_id = p.reference("customer")
        if customer_id is None and p.data.get("customer") in (None, ""):
            p.error("customer", "required", "customer is required.")
        elif customer_id is not None:
            # locked: a merge or delete of this customer waits for the new conversation
            customer = customer_or_none(org, customer_id)
            if customer is None:
                p.errors.append(
                    FieldError("/customer", "not_found", f"No customer with id {customer_id}.")
                )
    fields = _conversation_fields(p, org=org)
    given_custom = p.obj("custom") or {}  # read before the errors are copied: its own count
    errors = _repoint(p.errors, sources)
    custom = _custom(errors, org=org, resource="conversation", values=given_custom, creating=True)
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
    ruled, initial = {}, None
    if not errors and customer is not None:
        initial = conversation_flat(conversation)
        ruled = apply_business_rules(org, conversation, "create", context=rule_context)
        flat = conversation_flat(conversation)
        errors += attributes.check_rules(
            org=org, resource="conversation", action="create", record=flat, changed=set(flat)
        )
    _raise(errors)
    _INSERT.save(conversation)
    notification = _assignment_notification(
        org=org, actor=actor, conversation=conversation, customer_name=customer.name
    )
    if notification:
        notification.save()
    _emit(
        org,
        actor,
        conversation,
        "conversation.create",
        customer_name=customer.name,
        notified=notification and notification.user_id,
        changes=created_by_rules(initial, conversation, ruled),
    )
    return conversation


RULED_CONVERSATION_FIELDS = ("status", "snooze_until", "priority", "assigned_user",
                             "assigned_team", "tags", "custom")  # fmt: skip


def save_rule_changes(*, org, actor, conversation, before, made, customer_name):
    """Save what business rules on another record (a message being created) set on this
    conversation, locked by the caller and changed in memory: one conversation.update whose
    changes each name their rule. Returns False, saving nothing, when the result breaks one of
    the org's validation rules (a rule must not refuse the customer's message)."""
    after = conversation_flat(conversation)
    keys = [*CHANGE_FIELDS, *{f"custom.{k}" for k in {**before["custom"], **after["custom"]}}]
    flat_b = {**before, **{f"custom.{k}": v for k, v in before["custom"].items()}}
    flat_a = {**after, **{f"custom.{k}": v for k, v in after["custom"].items()}}
    changes = rule_changes(diff(flat_b, flat_a, sorted(set(keys), key=keys.index)), made)
    if not changes:
        return True
    errors = attributes.check_rules(
        org=org, resource="conversation", action="update", record=after, changed=set(changes)
    )
    if errors:
        log.warning(
            "business rules %s not applied: %s",
            ", ".join(sorted(set(made.values()))),
            "; ".join(e.detail for e in errors),
        )
        return False
    conversation.rev += 1
    conversation.updated_at = _now()
    conversation.save(update_fields=[*RULED_CONVERSATION_FIELDS, "rev", "updated_at"])
    _updated(
        org,
        actor,
        conversation,
        changes,
        customer_name=customer_name,
        assigned="assignedUser" in changes,
    )
    return True


def _emit(org, actor, conversation, type, *, customer_name, changes, notified=None, meta=None):
    """A conversation's event: the resource, the meta the inbox and timeline show, and who was
    told (`notified`, a user id)."""
    snapshot = conversation_resource(conversation)
    snapshot["meta"] = {**_conversation_meta(conversation, customer_name), **(meta or {})}
    if notified:
        snapshot["notified"] = [notified]
    emit(
        org=org,
        type=type,
        resource="conversation",
        resource_id=conversation.pk,
        customer_id=conversation.customer_id,
        actor=actor,
        rev=conversation.rev,
        data=snapshot,
        changes=changes,
    )


_JOINED = ("customer", "assigned_user", "assigned_team")


def _joined_match(conversation):
    """Whether each row read beside the conversation is the one it points at."""
    for name in _JOINED:
        field = Conversation._meta.get_field(name)
        joined = field.get_cached_value(conversation, None)
        if (joined.pk if joined is not None else None) != getattr(conversation, field.attname):
            return False
    return True


def _lock_for_update(org, pk, rev):
    """The conversation locked, with its customer and assignees, after checking `rev`.

    One query, the rows joined: but when the lock had to wait for a writer that changed the
    conversation's customer (a merge) or assignee, PostgreSQL rechecks the new row version
    against the joined rows as they were when the query began (EvalPlanQual): the row comes
    back with a stale or missing assignee (a 500 naming the team), or not at all (a 404 for a
    conversation that exists). Then it is locked alone and read again, which nothing can
    change any more."""
    joined = Conversation.objects.select_for_update(of=("self",)).select_related(*_JOINED)
    found = joined.filter(org=org, pk=pk).first()
    if found is None or not _joined_match(found):
        lock_for_write(Conversation, org=org, pk=pk, resource="conversation")
        found = Conversation.objects.select_related(*_JOINED).filter(org=org, pk=pk).first()
    if found is None:
        raise NotFound("No conversation with this id.")
    check_rev(found.rev, rev, resource="conversation")
    return found


@transaction.atomic
def conversation_update(*, org, actor, conversation, data, rev=None, partial=True):
    conversation = _lock_for_update(
        org, getattr(conversation, "pk", conversation), _rev_in(data, rev)
    )
    data, owner_errors, sources = _owner_lists(data)
    p = Payload(data, allowed=CONVERSATION_UPDATE_FIELDS)
    p.errors.extend(owner_errors)
    if p.has("customer") and p.reference("customer") not in (None, conversation.customer_id):
        p.error("customer", "immutable", "A conversation cannot move to another customer.")
    fields = _conversation_fields(p, org=org, current=conversation, partial=partial)
    given = p.obj("custom") or {}  # read before the errors are copied: its own count
    errors = _repoint(p.errors, sources)
    if p.has("custom") or not partial:
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
    ruled = {}
    if not errors:
        edited = diff(before, conversation_flat(conversation), [*CHANGE_FIELDS, "custom"])
        if edited:  # rules react to a change, not to a save that changes nothing
            ruled = apply_business_rules(org, conversation, "update", changes=edited)
    after = conversation_flat(conversation)
    keys = [*CHANGE_FIELDS, *{f"custom.{k}" for k in {**before["custom"], **after["custom"]}}]
    flat_b = {**before, **{f"custom.{k}": v for k, v in before["custom"].items()}}
    flat_a = {**after, **{f"custom.{k}": v for k, v in after["custom"].items()}}
    changes = rule_changes(diff(flat_b, flat_a, sorted(set(keys), key=keys.index)), ruled)
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
    _updated(
        org,
        actor,
        conversation,
        changes,
        customer_name=conversation.customer.name,
        assigned=conversation.assigned_user_id != before_assignee,
    )
    return conversation
