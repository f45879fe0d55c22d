"""Reads of the conversations app. Every function takes `org` first and filters by it."""

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from kdesk.models import Event, Team

from .models import Conversation, Message, Note, Notification, Shortcut, Tag
from .representations import CONVERSATION_FIELDS

INBOX_SCOPES = ("mine", "teams", "all")
INBOX_FIELDS = (*CONVERSATION_FIELDS, "customer__name")


def _org_id(org):
    return getattr(org, "pk", org)


def conversations(*, org):
    return Conversation.objects.filter(org=org)


def conversation_get(*, org, pk):
    return Conversation.objects.filter(org=org, pk=pk).first()


def conversations_for_inbox(
    *,
    org,
    user,
    status="open",
    scope="all",
    cursor=None,
    limit=50,
    sort="activity",
    tag=None,
    within=None,
):
    """One page of the inbox, newest activity first, keyset on (last_activity_at, id); the
    snoozed ones soonest to wake first, keyset on (snooze_until, id).

    Returns (rows, next_cursor): rows are `.values()` dicts with the conversation's fields plus
    `customer__name`; `cursor` is the `[iso_datetime, id]` pair a previous call returned. One
    query, whatever the page size. `within` narrows it to a queryset of ids (a saved view).
    """
    qs = Conversation.objects.filter(org=org)
    if within is not None:  # a saved view's conversations (a subquery of ids)
        qs = qs.filter(id__in=within)
    if status:
        qs = qs.filter(status=status)
    if scope == "mine":
        qs = qs.filter(assigned_user=user)
    elif scope == "teams":
        qs = qs.filter(
            assigned_team__in=Team.members.through.objects.filter(user_id=user.pk).values("team_id")
        )
    if tag:
        from django.db.models import F

        from kdesk.search.expressions import JsonArrayHas

        qs = qs.filter(JsonArrayHas(F("tags"), tag))
    if sort == "priority":
        return _priority_page(qs, cursor, limit)
    if status == Conversation.Status.SNOOZED:
        return _snoozed_page(qs, cursor, limit)
    keyset = _inbox_keyset(cursor)
    if keyset:
        at, pk = keyset
        qs = qs.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, id__lt=pk))
    rows = list(qs.order_by("-last_activity_at", "-id").values(*INBOX_FIELDS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = [last["last_activity_at"].isoformat(), last["id"]]
    return rows, next_cursor


def _priority_page(qs, cursor, limit):
    """Most urgent first (priority 5 … 1), newest activity first within a priority: keyset on
    (priority, last_activity_at, id) descending; the cursor is [priority, iso, id]."""
    from kdesk.payload import as_id

    if isinstance(cursor, list | tuple) and len(cursor) == 3 and as_id(cursor[0]) is not None:
        priority = as_id(cursor[0])
        keyset = _inbox_keyset(list(cursor[1:]))
        if keyset:
            at, pk = keyset
            qs = qs.filter(
                Q(priority__lt=priority)
                | Q(priority=priority, last_activity_at__lt=at)
                | Q(priority=priority, last_activity_at=at, id__lt=pk)
            )
    rows = list(
        qs.order_by("-priority", "-last_activity_at", "-id").values(*INBOX_FIELDS)[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = [last["priority"], last["last_activity_at"].isoformat(), last["id"]]
    return rows, next_cursor


def _snoozed_page(qs, cursor, limit):
    """The Snoozed list wakes soonest first: keyset on (snooze_until, id) ascending. Every
    snoozed conversation has a wake time (the services require one)."""
    keyset = _inbox_keyset(cursor)
    qs = qs.filter(snooze_until__isnull=False)
    if keyset:
        at, pk = keyset
        qs = qs.filter(Q(snooze_until__gt=at) | Q(snooze_until=at, id__gt=pk))
    rows = list(qs.order_by("snooze_until", "id").values(*INBOX_FIELDS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = [last["snooze_until"].isoformat(), last["id"]]
    return rows, next_cursor


def customer_conversations(*, org, customer_id):
    return Conversation.objects.filter(org=org, customer_id=customer_id).order_by(
        "-last_activity_at", "-id"
    )


def conversation_messages(*, org, conversation_id):
    return Message.objects.filter(org=org, conversation_id=conversation_id).order_by(
        "sent_at", "id"
    )


def reply_channel(*, org, conversation_id, fallback="email"):
    """Where a reply goes: the channel the customer last wrote on (a conversation can move
    from email to chat), else the last message's, else `fallback`."""
    latest = (
        Message.objects.filter(org_id=_org_id(org), conversation_id=conversation_id)
        .order_by("-sent_at", "-id")
        .values_list("direction", "channel")[:20]
    )
    rows = list(latest)
    for direction, channel in rows:
        if direction == Message.Direction.IN:
            return channel
    return rows[0][1] if rows else fallback


def conversation_notes(*, org, conversation_id):
    return Note.objects.filter(org=org, conversation_id=conversation_id).order_by("id")


def _inbox_keyset(cursor):
    """(datetime, id) from a cursor, or None when it is not one the inbox issued."""
    from kdesk.payload import as_id

    if not isinstance(cursor, list | tuple) or len(cursor) != 2:
        return None
    at, pk = cursor
    if isinstance(at, str):
        try:
            at = parse_datetime(at)
        except ValueError:
            at = None
    if not hasattr(at, "tzinfo") or as_id(pk) is None:
        return None
    return at, as_id(pk)


def unread_notification_count(*, org, user):
    """`org` may be an Organization or its id."""
    return Notification.objects.filter(
        org_id=_org_id(org), user_id=getattr(user, "pk", user), read_at__isnull=True
    ).count()


def notifications_for(*, org, user, unread_only=False):
    """Newest first by when they happened (an imported note's notification carries the note's
    time, so ids are not in time order)."""
    qs = Notification.objects.filter(org_id=_org_id(org), user_id=getattr(user, "pk", user))
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


NOTIFICATION_FIELDS = (
    "id",
    "kind",
    "note_id",
    "conversation_id",
    "customer_id",
    "actor_id",
    "text",
    "read_at",
    "created_at",
)


def notifications_page(*, org, user, unread_only=False, cursor=None, limit=50):
    """(rows, next_cursor): one page of notifications_for, keyset on (created_at, id) so that
    new ones arriving meanwhile never shift the next page. One query."""
    qs = notifications_for(org=org, user=user, unread_only=unread_only)
    keyset = _inbox_keyset(cursor)
    if keyset:
        at, pk = keyset
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
    rows = list(qs.values(*NOTIFICATION_FIELDS)[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = [rows[-1]["created_at"].isoformat(), rows[-1]["id"]]
    return rows, next_cursor


def shortcuts_visible(*, org, user):
    """Shared shortcuts plus the user's own private ones."""
    return (
        Shortcut.objects.filter(org=org)
        .filter(Q(visibility=Shortcut.Visibility.SHARED) | Q(owner_id=getattr(user, "pk", user)))
        .order_by("name", "id")
    )


def tags(*, org):
    return Tag.objects.filter(org=org).order_by("name", "id")


HISTORY_TYPES = ("conversation.create", "conversation.update", "conversation.delete")
HISTORY_FIELDS = ("id", "type", "actor_id", "rev", "data", "changes", "created_at")


def conversation_history(*, org, conversation_id, after=0, limit=100):
    """The conversation's own events (created, each change, deleted), oldest first, from the
    event log: one query on the (org, resource, resource_id, id) index. Writes to one
    conversation lock its row, so its events commit in id order and a cursor never skips one."""
    return list(
        Event.objects.filter(
            org=org,
            resource="conversation",
            resource_id=str(conversation_id),
            type__in=HISTORY_TYPES,
            id__gt=after,
        )
        .order_by("id")
        .values(*HISTORY_FIELDS)[:limit]
    )
