"""Notifications' read state: read from the bell, or by opening what they are about.

A change to someone's notifications records a `notification.read` (or, when the notifications
go with what they were about, `notification.delete`) event naming that person, so the bell of
each of their tabs follows through the event subscribers (the desk's live push), the way every
other change reaches the page.
"""

from django.db import transaction
from django.db.models import Q

from conversations.models import Notification
from kdesk.events import emit
from kdesk.payload import as_id

from .common import _now


def _events(type, by_user):
    """One event per person: {user id: [notification ids]} → emit_many items."""
    return [
        {
            "type": type,
            "resource": "notification",
            "resource_id": user_id,
            "data": {"user": str(user_id), "ids": [str(i) for i in ids], "count": len(ids)},
        }
        for user_id, ids in sorted(by_user.items())
    ]


def _mark_read(org, user, unread):
    ids = sorted(unread.values_list("pk", flat=True))
    if not ids:
        return 0  # nothing to write: no transaction either (the page that asked stays cheap)
    with transaction.atomic():
        count = Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=_now())
        if not count:
            return 0
        emit(
            org=org,
            type="notification.read",
            resource="notification",
            resource_id=user.pk,
            actor=user,
            data={"user": str(user.pk), "ids": [str(i) for i in ids], "count": count},
        )
    return count


def notifications_mark_read(*, org, user, ids=None):
    """Mark the user's notifications (all unread ones when `ids` is None) read; returns count."""
    qs = Notification.objects.filter(org=org, user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[n for n in map(as_id, ids) if n is not None])
    return _mark_read(org, user, qs)


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
    unread = Notification.objects.filter(org=org, user=user, read_at__isnull=True).filter(about)
    return _mark_read(org, user, unread)


def notifications_removed(*, org, notifications):
    """Delete `notifications` (a queryset) with what they were about, in the caller's
    transaction; returns one `notification.delete` event (emit_many item) per person who had
    any, for the caller to record with its own events, so their bells change."""
    by_user = {}
    for pk, user_id in notifications.order_by("pk").values_list("pk", "user_id"):
        by_user.setdefault(user_id, []).append(pk)
    if by_user:
        notifications.delete()
    return _events("notification.delete", by_user)
