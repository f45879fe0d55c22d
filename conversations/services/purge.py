"""Conversations removed or moved with everything they hold: one deleted, a customer's deleted
or merged into another customer (the resource register's hooks call these inside the
customer's transaction), a deleted team's unassigned."""

from django.db import transaction
from django.db.models import F, Q

from conversations.models import Conversation, Message, Note, Notification
from conversations.representations import (
    CONVERSATION_FIELDS,
    NOTE_FIELDS,
    conversation_resource,
    message_resource,
    note_resource,
)
from conversations.representations import (
    MESSAGE_FIELDS as MESSAGE_VALUES,
)
from kdesk.events import emit_many
from kdesk.updates import lock_for_write
from klasses.services import links_remove

from .common import _now
from .notifications import notifications_removed


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
    one delete event each in one INSERT, with a `notification.delete` for each person whose
    notifications about them go (their bells change)."""
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
    events += notifications_removed(
        org=org,
        notifications=Notification.objects.filter(org=org).filter(
            Q(conversation_id__in=conversation_ids) | Q(note_id__in=note_ids)
        ),
    )
    Note.objects.filter(org=org, pk__in=note_ids).delete()
    Message.objects.filter(org=org, pk__in=[m["id"] for m in messages]).delete()
    Conversation.objects.filter(org=org, pk__in=conversation_ids).delete()
    emit_many(org=org, actor=actor, events=events)
    links_remove(org=org, actor=actor, resource="conversation", ids=conversation_ids)
    return conversation_ids


# durable: only endpoints call it, never inside another write
@transaction.atomic(durable=True)
def conversation_delete(*, org, actor, conversation, rev=None):
    """Delete one conversation with its messages and notes; a delete event for each, so the
    change feed and the timeline see them go."""
    current = lock_for_write(
        Conversation,
        org=org,
        pk=getattr(conversation, "pk", conversation),
        rev=rev,
        resource="conversation",
    )
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


def _moved(kind, rows, represent, source_id, target_id):
    return [
        {
            "type": f"conversation.{kind}.update" if kind else "conversation.update",
            "resource": kind or "conversation",
            "resource_id": row["id"],
            "customer_id": target_id,
            "rev": row["rev"],
            "data": represent(row),
            "changes": {"customer": {"before": str(source_id), "after": str(target_id)}},
        }
        for row in rows
    ]


def conversations_move_customer(*, org, actor, source_id, target_id):
    """Merge support (customer_merge): the source customer's conversations, messages, notes and
    notifications now belong to the target. Each moved conversation, message and note has
    changed (rev+1, updatedAt now, so syncs by updatedAt see it) and records its update event
    (one INSERT). Runs in the caller's transaction, which holds both customers locked."""
    now = _now()
    moved = {"customer_id": target_id, "rev": F("rev") + 1, "updated_at": now}
    events = []
    for kind, model, fields, represent in (
        ("", Conversation, CONVERSATION_FIELDS, conversation_resource),
        ("message", Message, MESSAGE_VALUES, message_resource),
        ("note", Note, NOTE_FIELDS, note_resource),
    ):
        rows = model.objects.filter(org=org, customer_id=source_id)
        ids = list(rows.select_for_update().order_by("id").values_list("id", flat=True))
        if not ids:
            continue
        model.objects.filter(org=org, pk__in=ids).update(**moved)
        after = list(model.objects.filter(pk__in=ids).order_by("id").values(*fields))
        events += _moved(kind, after, represent, source_id, target_id)
    Notification.objects.filter(org=org, customer_id=source_id).update(customer_id=target_id)
    emit_many(org=org, actor=actor, events=events)
    return events
