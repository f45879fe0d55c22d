"""The merged per-customer timeline, read from the event log by keyset (newest first)."""

from django.db.models import Q

from kdesk.models import Event
from timeline.entries import HIDDEN_TYPES, kind_of, type_prefixes

ENTRY_FIELDS = (
    "id",
    "type",
    "resource",
    "resource_id",
    "actor_id",
    "rev",
    "data",
    "changes",
    "created_at",
)


def timeline_page(*, org, customer_id, before=None, after=None, kinds=(), klasses=(), limit=50):
    """One page of entries with id < `before` (older) or id > `after` (newer), newest first.

    Returns (entries, next_before): `next_before` is the keyset cursor for the next older page,
    or None when there is nothing older. One query whatever the depth: the (org, customer_id,
    id) index is walked from the cursor.
    """
    qs = Event.objects.filter(org=org, customer_id=customer_id).exclude(type__in=HIDDEN_TYPES)
    if before is not None:
        qs = qs.filter(id__lt=before)
    if after is not None:
        qs = qs.filter(id__gt=after)
    prefixes = type_prefixes(kinds, klasses)
    if prefixes:
        cond = Q()
        for prefix in prefixes:
            cond |= Q(type__startswith=prefix) if prefix.endswith(".") else Q(type=prefix)
        qs = qs.filter(cond)
    rows = list(qs.order_by("-id").values(*ENTRY_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["kind"] = kind_of(row["type"])
    return rows, (rows[-1]["id"] if more and rows else None)


def may_subscribe(*, org_id, user, topic):
    """Whether `user` may follow `topic`; everything is checked against the user's own org."""
    from customers.models import Customer

    if user.org_id != org_id:
        return False
    if topic in ("inbox", "notifications"):
        return True
    kind, _, ident = topic.partition(".")
    if kind == "customer" and ident.isdigit():
        return Customer.objects.filter(org_id=org_id, pk=int(ident)).exists()
    return False


def missed_events(*, org_id, user, topic, after, limit):
    """Events of `topic` after id `after`, oldest first, for a reconnecting socket."""
    qs = Event.objects.filter(org_id=org_id, id__gt=after)
    if topic == "inbox":
        qs = qs.filter(type__startswith="conversation.")
    elif topic.startswith("customer."):
        qs = qs.filter(customer_id=int(topic.partition(".")[2])).exclude(type__in=HIDDEN_TYPES)
    else:
        return []
    return list(qs.order_by("id")[:limit])
