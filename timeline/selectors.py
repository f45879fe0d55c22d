"""The merged per-customer timeline, read from the event log by keyset (newest first)."""

import json

from django.db.models import Case, F, JSONField, OuterRef, Q, Subquery, When
from django.db.models.functions import JSONObject

from kdesk.models import Event
from kdesk.prepared import PreparedValues
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


def _page_query(qs, prefixes, limit):
    if prefixes:
        cond = Q()
        for prefix in prefixes:
            cond |= Q(type__startswith=prefix) if prefix.endswith(".") else Q(type=prefix)
        qs = qs.filter(cond)
    qs = with_latest_state(qs)
    return qs.order_by("-created_at", "-id").values(*ENTRY_FIELDS, "latest")[: limit + 1]


def _entries(org, customer_id):
    return Event.objects.filter(org=org, customer_id=customer_id).exclude(
        type__in=HIDDEN_TYPES | FOLDED_TYPES
    )


# First pages (the one every customer page and API client asks for) are compiled once per
# shape (kinds, Klasses, limit) and only re-bound; a bounded number of shapes, the rest build
# their query each time.
_FIRST_PAGES = {}
_FIRST_PAGE_SHAPES = 64


def _first_page(org_id, customer_id, prefixes, limit):
    key = (tuple(prefixes), limit)
    prepared = _FIRST_PAGES.get(key)
    if prepared is None:
        if len(_FIRST_PAGES) >= _FIRST_PAGE_SHAPES:
            return None
        prepared = _FIRST_PAGES.setdefault(
            key,
            PreparedValues(
                lambda org, customer: _page_query(_entries(org, customer), prefixes, limit),
                ints=("org", "customer"),
            ),
        )
    return prepared.rows(org=org_id, customer=customer_id)


def timeline_page(*, org, customer_id, before=None, kinds=(), klasses=(), limit=50):
    """One page of entries older than the keyset `before` = (created_at, id), newest first.

    Entries are in the order things happened (an imported message sits at its sentAt), ties
    broken by id. Returns (entries, next_before): the keyset for the next older page, or None
    when there is nothing older. One query at any depth: the (org, customer_id, -created_at,
    -id) index is walked from the cursor, so entries arriving meanwhile never shift a page.
    """
    prefixes = type_prefixes(kinds, klasses)
    rows = None
    if before is None:
        rows = _first_page(getattr(org, "pk", org), int(customer_id), prefixes, limit)
    if rows is None:
        qs = _entries(org, customer_id)
        if before is not None:
            at, pk = before
            # The plain bound lets the index range-scan from the cursor; the OR breaks ties.
            qs = qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=pk))
        rows = list(_page_query(qs, prefixes, limit))
    more = len(rows) > limit
    rows = rows[:limit]
    for row in rows:
        row["kind"] = kind_of(row["type"])
        fold(row)
    return rows, ((rows[-1]["created_at"], rows[-1]["id"]) if more and rows else None)


def with_latest_state(qs):
    """Annotate each message or note with the type and snapshot of its latest edit or delete
    (`latest`: {"type", "data"} or null), in the same query: the (org, resource, resource_id,
    id) index answers the subquery, which runs only for the rows that can be folded."""
    later = Event.objects.filter(
        org_id=OuterRef("org_id"),
        resource=OuterRef("resource"),
        resource_id=OuterRef("resource_id"),
        type__in=sorted(FOLDED_TYPES),
    ).order_by("-id")
    state = later.values(state=JSONObject(type=F("type"), data=F("data")))[:1]
    return qs.annotate(
        latest=Case(
            When(
                type__in=sorted(CREATE_TYPES.values()),
                then=Subquery(state, output_field=JSONField()),
            ),
            default=None,
            output_field=JSONField(),
        )
    )


def fold(row):
    """Show the latest state of a message or note on its entry: `edited` or `deleted`."""
    latest = row.pop("latest", None)
    if isinstance(latest, str):  # a backend that hands JSON subqueries back as text
        latest = json.loads(latest)
    if not latest or row["type"] not in CREATE_TYPES.values():
        return row
    latest_type, latest_data = latest["type"], latest["data"]
    if isinstance(latest_data, str):
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
