"""Reads behind the agent desk pages: quick find, customer search, mention suggestions, and the
per-page lookups that decorate timeline rows (actor names, attribute display names).

Every function takes `org` first and filters by it. Each decorating helper makes one query
whatever the number of rows, so a timeline page costs the same at any depth.
"""

import re

from django.db.models import Q

from customers.models import Customer, Identity
from kdesk.models import Event, Team, User
from klasses.models import Klass, KObject
from timeline.entries import CREATE_TYPES, FOLDED_TYPES

PHONE_CHARS = re.compile(r"[\s().-]")


def _phone_candidates(q):
    raw = PHONE_CHARS.sub("", q)
    if not re.fullmatch(r"\+?\d{5,16}", raw):
        return []
    out = {raw}
    try:
        from customers.services import normalize_phone

        normalized = normalize_phone(q)
        if normalized:
            out.add(normalized)
    except Exception:  # noqa: BLE001  (an unparseable number is just not a phone)
        pass
    if not raw.startswith("+"):
        out.add("+" + raw)
    return sorted(out)


def quick_find(*, org, q):
    """The one customer an exact email, phone or externalId names, or the owner of the object
    (an order, say) whose externalId is `q`, or whose name (ignoring case and repeated spaces)
    is exactly `q` and nobody else's; None when no single customer is meant (the caller lists
    the matches instead)."""
    q = (q or "").strip()
    if not q:
        return None
    values = [q.lower()] if "@" in q else []
    values += _phone_candidates(q)
    if values:
        hit = (
            Identity.objects.filter(org=org, value__in=values)
            .order_by("id")
            .values_list("customer_id", flat=True)
            .first()
        )
        if hit:
            return hit
    hit = Customer.objects.filter(org=org, external_id=q).values_list("id", flat=True).first()
    if hit:
        return hit
    hit = _kobject_owner(org=org, q=q)
    if hit:
        return hit
    from kdesk.search.text import Folded, fold

    name = fold(" ".join(q.split()))
    named = (
        Customer.objects.filter(org=org)
        .annotate(folded_name=Folded("name"))
        .filter(folded_name=name)
        .values_list("id", flat=True)
    )
    named = list(named[:2])
    return named[0] if len(named) == 1 else None


def _kobject_owner(*, org, q):
    """The customer of the object whose externalId is `q` ("DO-011515" as the customer wrote it,
    or in capitals): agents are asked about orders by number. Through the org's klasses, so
    the lookup reads the (klass, externalId) unique index."""
    if len(q) > 255:
        return None
    return (
        KObject.objects.filter(
            org=org,
            klass_id__in=Klass.objects.filter(org=org).values("id"),
            external_id__in=sorted({q, q.upper()}),
            customer__isnull=False,
        )
        .order_by("id")
        .values_list("customer_id", flat=True)
        .first()
    )


CUSTOMER_LIST_FIELDS = ("id", "name", "external_id", "emails", "phones", "last_activity_at")


def customers_search(*, org, q="", before=None, limit=50):
    """(rows, next_before): with a query, customers.selectors.customers_text_search (every
    word, accents ignored, ranked; `before` is then its (rank, id) cursor); without one,
    everyone, newest id first (`before` an id)."""
    q = (q or "").strip()
    if q:
        from customers.selectors import customers_text_search

        return customers_text_search(
            org=org, q=q, fields=CUSTOMER_LIST_FIELDS, after=before, limit=limit
        )
    qs = Customer.objects.filter(org=org)
    if before:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-id").values(*CUSTOMER_LIST_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more and rows else None)


def mention_suggestions(*, org, q="", limit=8):
    """Users and teams whose handle or name starts with `q` (for @-autocomplete)."""
    q = (q or "").strip().lstrip("@").lower()
    users = User.objects.filter(org=org, is_active=True, is_machine=False)
    teams = Team.objects.filter(org=org)
    if q:
        users = users.filter(
            Q(username__istartswith=q)
            | Q(display_name__istartswith=q)
            | Q(display_name__icontains=" " + q)
        )
        teams = teams.filter(Q(slug__istartswith=q) | Q(name__istartswith=q))
    out = [
        {"kind": "user", "handle": u["username"], "label": u["display_name"] or u["username"]}
        for u in users.order_by("username").values("username", "display_name")[:limit]
    ]
    out += [
        {"kind": "team", "handle": t["slug"], "label": t["name"]}
        for t in teams.order_by("slug").values("slug", "name")[:limit]
    ]
    return out[:limit]


def tag_palette(*, org):
    """{tag name (lowercase): colour} of the org's tags, for chips and autocomplete (one query).
    A tag used on a record but never defined gets the neutral colour."""
    from conversations.models import Tag

    return {
        name.lower(): color
        for name, color in Tag.objects.filter(org=org).values_list("name", "color")
    }


def tag_chips(names, palette):
    return [{"name": n, "color": palette.get(str(n).lower(), "#6b7280")} for n in names or []]


def people_choices(*, org):
    """(users, teams) of the org for assignment pickers: lists of (id, label)."""
    users = list(
        User.objects.filter(org=org, is_active=True, is_machine=False)
        .order_by("display_name", "id")
        .values_list("id", "display_name")
    )
    teams = list(Team.objects.filter(org=org).order_by("name").values_list("id", "name"))
    return users, teams


def user_names(*, org, ids):
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(User.objects.filter(org=org, pk__in=ids).values_list("id", "display_name"))


def klass_list(*, org):
    return list(
        Klass.objects.filter(org=org, status=Klass.Status.ACTIVE)
        .order_by("name")
        .values("name", "display_name", "icon", "color")
    )


def last_event_id(*, org, customer_id):
    return (
        Event.objects.filter(org=org, customer_id=customer_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
    )


def event_for(*, org, resource, resource_id):
    """The latest event row of one resource (what a write just recorded). For a message or a
    note: the event that created it (its timeline entry has that event's id), carrying the
    latest state (an email reply's delivery status may have moved on already)."""
    events = Event.objects.filter(org=org, resource=resource, resource_id=str(resource_id))
    if resource not in CREATE_TYPES:
        return events.order_by("-id").first()
    created = events.filter(type=CREATE_TYPES[resource]).order_by("id").first()
    if created is None:
        return events.order_by("-id").first()
    latest = events.filter(type__in=FOLDED_TYPES).order_by("-id").first()
    if latest is not None and latest.type.endswith(".update"):
        created.data = latest.data
    return created


def conversation_latest_event(*, org, customer_id, conversation_id):
    """The newest timeline event of one conversation (its last message, note or change), or
    None: where the timeline goes when the agent picks that conversation. Three indexed reads."""
    from conversations.models import Message, Note

    last_message = (
        Message.objects.filter(org=org, conversation_id=conversation_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    last_note = (
        Note.objects.filter(org=org, conversation_id=conversation_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    about = Q(resource="conversation", resource_id=str(conversation_id))
    if last_message:
        about |= Q(resource="message", resource_id=str(last_message))
    if last_note:
        about |= Q(resource="note", resource_id=str(last_note))
    return (
        Event.objects.filter(org=org, customer_id=customer_id)
        .filter(about)
        .order_by("-id")
        .only("id", "created_at")
        .first()
    )


def note_event_ids(*, org, note_ids):
    rows = Event.objects.filter(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id__in=[str(i) for i in note_ids],
    ).values_list("resource_id", "id")
    return {int(rid): eid for rid, eid in rows}
