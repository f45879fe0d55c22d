"""The merged per-customer timeline, read from the event log by keyset (newest first)."""

import json

from django.db.models import JSONField, OuterRef, Q, Subquery

from kdesk.models import Event
from timeline.entries import CREATE_TYPES, FOLDED_TYPES, HIDDEN_TYPES, kind_of, type_prefixes

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


def timeline_page(*, org, customer_id, before=None, kinds=(), klasses=(), limit=50):
    """One page of entries older than the keyset `before` = (created_at, id), newest first.

    Entries are in the order things happened (an imported message sits at its sentAt), ties
    broken by id. Returns (entries, next_before): the keyset for the next older page, or None
    when there is nothing older. One query at any depth: the (org, customer_id, -created_at,
    -id) index is walked from the cursor, so entries arriving meanwhile never shift a page.
    """
    qs = Event.objects.filter(org=org, customer_id=customer_id).exclude(
        type__in=HIDDEN_TYPES | FOLDED_TYPES
    )
    if before is not None:
        at, pk = before
        # The plain bound lets the index range-scan from the cursor; the OR breaks ties.
        qs = qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=pk))
    prefixes = type_prefixes(kinds, klasses)
    if prefixes:
        cond = Q()
        for prefix in prefixes:
            cond |= Q(type__startswith=prefix) if prefix.endswith(".") else Q(type=prefix)
        qs = qs.filter(cond)
    qs = with_latest_state(qs)
    rows = list(
        qs.order_by("-created_at", "-id").values(*ENTRY_FIELDS, "latest_type", "latest_data")[
            : limit + 1
        ]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["kind"] = kind_of(row["type"])
        fold(row)
    return rows, ((rows[-1]["created_at"], rows[-1]["id"]) if more and rows else None)


def with_latest_state(qs):
    """Annotate each event with the type and snapshot of the latest edit or delete of its
    resource (a message or note), in the same query: the (org, resource, resource_id, id)
    index answers each row's subquery."""
    later = Event.objects.filter(
        org_id=OuterRef("org_id"),
        resource=OuterRef("resource"),
        resource_id=OuterRef("resource_id"),
        type__in=sorted(FOLDED_TYPES),
    ).order_by("-id")
    return qs.annotate(
        latest_type=Subquery(later.values("type")[:1]),
        latest_data=Subquery(later.values("data")[:1], output_field=JSONField()),
    )


def fold(row):
    """Show the latest state of a message or note on its entry: `edited` or `deleted`."""
    latest_type = row.pop("latest_type", None)
    latest_data = row.pop("latest_data", None)
    if not latest_type or row["type"] not in CREATE_TYPES.values():
        return row
    if isinstance(latest_data, str):  # a backend that hands JSON subqueries back as text
        latest_data = json.loads(latest_data)
    row["edited"] = latest_type.endswith(".update")
    row["deleted"] = latest_type.endswith(".delete")
    if row["edited"]:
        # a delete keeps who wrote it and where (the entry says it was deleted, not what)
        row["data"] = latest_data or row["data"]
    return row


def encode_keyset(keyset):
    at, pk = keyset
    return [at.isoformat(), pk]


def decode_keyset(value):
    """The (created_at, id) keyset from a decoded cursor; None if it is malformed."""
    from django.utils.dateparse import parse_datetime

    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)):
        return None
    at = parse_datetime(value[0]) if isinstance(value[0], str) else None
    return (at, value[1]) if at is not None else None


def may_subscribe(*, org_id, user, topic):
    """Whether `user` may follow `topic`; everything is checked against the user's own org."""
    from customers.models import Customer

    if user.org_id != org_id:
        return False
    if topic in ("inbox", "notifications"):
        return True
    kind, _, ident = topic.partition(".")
    if kind == "customer" and ident.isascii() and ident.isdigit() and len(ident) < 19:
        return Customer.objects.filter(org_id=org_id, pk=int(ident)).exists()
    return False


def missed_events(*, org_id, user, topic, after, limit):
    """Events of `topic` after id `after`, oldest first, for a reconnecting socket."""
    qs = Event.objects.filter(org_id=org_id, id__gt=after)
    if topic == "inbox":
        qs = qs.filter(type__startswith="conversation.")
    elif topic == "notifications":
        return []  # the consumer sends the current count instead
    elif topic.startswith("customer."):
        qs = qs.filter(customer_id=int(topic.partition(".")[2])).exclude(type__in=HIDDEN_TYPES)
    else:
        return []
    return list(qs.order_by("id")[:limit])
