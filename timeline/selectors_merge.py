"""What merging one customer into another would do, read before anyone confirms it: the rows
that move to the customer kept (conversations with their messages and notes, KObjects by
Klass) and the details the kept record gains. It mirrors customers' `customer_merge` rules:
identities and tags are added when new, attributes and name/external id fill only what the
kept record lacks. Every query is scoped to the organization."""

from django.db.models import Count

from conversations.models import Conversation, Message, Note
from customers.models import Customer
from klasses.models import KObject
from timeline.insights import default_display_name_safe

IDENTITY_KEYS = (("emails", "email", "Email"), ("phones", "phone", "Phone"))


def customer_pair(*, org, ids):
    """{id: customer} of those of `ids` in the organization."""
    return {c.pk: c for c in Customer.objects.filter(org=org, pk__in=list(ids))}


def merge_preview(*, org, source, target, properties):
    """{moves: [(label, count)], gains: [(label, text)], removed: source} for merging `source`
    into `target` (customers); `properties` are the customer attribute definitions, for their
    display names. Four queries."""
    counts = Conversation.objects.filter(org=org, customer_id=source.pk).aggregate(n=Count("id"))
    moves = [("Conversations", counts["n"])]
    moves.append(("Messages", Message.objects.filter(org=org, customer_id=source.pk).count()))
    moves.append(("Internal notes", Note.objects.filter(org=org, customer_id=source.pk).count()))
    by_klass = (
        KObject.objects.filter(org=org, customer_id=source.pk)
        .values("klass__name", "klass__display_name")
        .annotate(n=Count("id"))
        .order_by("klass__display_name", "klass__name")
    )
    moves += [(row["klass__display_name"] or row["klass__name"], row["n"]) for row in by_klass]
    gains = []
    for field, key, label in IDENTITY_KEYS:
        have = {str(i.get(key, "")).lower() for i in getattr(target, field) or []}
        new = [
            i.get(key)
            for i in getattr(source, field) or []
            if isinstance(i, dict) and str(i.get(key, "")).lower() not in have
        ]
        if new:
            gains.append((label, ", ".join(new)))
    tags = [t for t in source.tags or [] if t not in (target.tags or [])]
    if tags:
        gains.append(("Tags", ", ".join(tags)))
    if not target.name and source.name:
        gains.append(("Name", source.name))
    if not target.external_id and source.external_id:
        gains.append(("External id", source.external_id))
    for name, value in (source.custom or {}).items():
        if name not in (target.custom or {}) and value not in (None, "", []):
            label = (properties.get(name) or {}).get("displayName")
            label = label or default_display_name_safe(name)
            gains.append((label, value if isinstance(value, str) else str(value)))
    return {"moves": moves, "gains": gains, "removed": source}
