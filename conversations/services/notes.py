"""Notes (always internal) and the mention notifications they send: create, edit, delete."""

from django.db import transaction

from conversations.models import Conversation, Note, Notification
from conversations.representations import (
    note_resource,
)
from kdesk.errors import NotFound
from kdesk.events import diff, emit, emit_many
from kdesk.models import Team, User
from kdesk.payload import Payload
from kdesk.updates import model_update

from .common import _display, _locked_entry, _now, _raise, _read_only, _rev_in, make_preview
from .locks import _lock_conversation
from .mentions import _resolve_mentions, parse_mentions
from .notifications import notifications_removed


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
    if not isinstance(conversation, Conversation):
        conversation = Conversation.objects.filter(org=org, pk=conversation).first()
        if conversation is None:
            raise NotFound("No conversation with this id.")
    # The customer and the conversation locked (as a message locks them): a merge moving the
    # conversation to another customer, or a delete removing it, waits for the note instead of
    # leaving it on the customer merged away (its commit then fails on the foreign key).
    conversation = _lock_conversation(org, conversation)
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

    _notify_mentioned(org, actor, note, conversation, recipients, text_for, at=now)
    # the author's name as the actor gives it (a workflow's actor is not a stored person)
    snapshot = _note_snapshot(note, users, teams, recipients, author=actor)
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


def _notify_mentioned(org, actor, note, conversation, user_ids, text_for, *, at):
    """The bell for each person a note mentions (`text_for(user_id)` says how)."""
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
                text=text_for(pk)[:500],
                created_at=at,
            )
            for pk in user_ids
        ]
    )


NOTE_READ_ONLY = ("createdAt", "updatedAt")


def _locked_note(org, note, conversation_id=None, rev=None):
    return _locked_entry(Note, org, note, conversation_id, rev=rev, resource="note")


def _note_snapshot(note, users, teams, notified, *, author=None):
    """What a note's events carry: the note, names for the timeline, and who was notified."""
    conversation = note.conversation
    snapshot = note_resource(note)
    snapshot["meta"] = {
        "authorName": _display(author or note.author),
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


# durable: only endpoints call it, never inside another write
@transaction.atomic(durable=True)
def note_update(*, org, actor, note, data, rev=None, conversation_id=None):
    """A new body (and mentions): the mentions are parsed again, and only people not notified
    about this note before get a notification."""
    note = _locked_note(org, note, conversation_id, rev=_rev_in(data, rev))
    p = Payload(
        data,
        allowed={"body", "userMentions", "isInternal", "rev", *NOTE_READ_ONLY},
    )
    _check_internal(p)
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
    model_update(note, {}, now=_now(), extra=["body", "mentioned_user_ids", "mentioned_team_ids"])
    who = _display(actor) or "Someone"
    conversation = note.conversation
    text = f"{who} mentioned you on “{conversation.name or 'a conversation'}”: {make_preview(body)}"
    _notify_mentioned(org, actor, note, conversation, new, lambda pk: text, at=note.updated_at)
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


# durable: only endpoints call it, never inside another write
@transaction.atomic(durable=True)
def note_delete(*, org, actor, note, rev=None, conversation_id=None):
    note = _locked_note(org, note, conversation_id, rev=rev)
    users = list(User.objects.filter(org=org, pk__in=note.mentioned_user_ids))
    teams = list(Team.objects.filter(org=org, pk__in=note.mentioned_team_ids))
    snapshot = _note_snapshot(note, users, teams, [])
    bells = notifications_removed(
        org=org, notifications=Notification.objects.filter(org=org, note=note)
    )
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
    emit_many(org=org, actor=actor, events=bells)
