"""Reads of single records and small lists behind the desk pages' views, so the views hold no
queries of their own: a customer, one of their conversations, the attribute definitions, a
KObject entry's event, the shortcuts an agent can see. Every function takes `org` first and
filters by it; a row of another organization is simply not found (None)."""

from conversations import selectors as conv_selectors
from conversations.models import Conversation
from customers.models import Customer
from kdesk.models import Event
from klasses.models import Klass, KObject, Metadata

# The attribute definitions the desk pages edit; read together, in one query.
DESK_RESOURCES = ("customer", "conversation")

CONVERSATION_FIELDS = (
    "id",
    "name",
    "status",
    "channels",
    "assigned_user_id",
    "assigned_team_id",
    "custom",
    "rev",
    "snooze_until",
    "priority",
    "tags",
)


def customer_get(*, org, pk):
    return Customer.objects.filter(org=org, pk=pk).first() if pk is not None else None


def attribute_properties(*, org):
    """{resource: properties} of the customer and conversation attribute definitions, one
    query; a resource nobody defined attributes for maps to {}."""
    rows = Metadata.objects.filter(org=org, resource__in=DESK_RESOURCES).values_list(
        "resource", "properties"
    )
    out = dict.fromkeys(DESK_RESOURCES)
    out.update({resource: props for resource, props in rows})
    return {resource: props or {} for resource, props in out.items()}


def customer_conversation(*, org, customer_id, pk):
    """One conversation of the customer (a model instance for the services), or None."""
    if pk is None:
        return None
    return Conversation.objects.filter(org=org, customer_id=customer_id, pk=pk).first()


def conversation_rows(*, org, customer_id, chosen_id=None, limit=25):
    """(rows, chosen row): the customer's newest conversations as dicts for the panel, plus
    `chosen_id`'s row when it is older than the first `limit` (None if it is not theirs)."""
    rows = list(
        conv_selectors.customer_conversations(org=org, customer_id=customer_id)
        .select_related(None)
        .values(*CONVERSATION_FIELDS)[:limit]
    )
    if chosen_id is None:
        return rows, None
    chosen = next((c for c in rows if c["id"] == chosen_id), None)
    if chosen is None:
        chosen = (
            Conversation.objects.filter(org=org, customer_id=customer_id, pk=chosen_id)
            .values(*CONVERSATION_FIELDS)
            .first()
        )
    return rows, chosen


def events_since(*, org, customer_id, at):
    """How many of the customer's timeline events are at or after `at`."""
    return Event.objects.filter(org=org, customer_id=customer_id, created_at__gte=at).count()


def kobject_event(*, org, pk):
    """A KObject entry's event (its timeline row), or None."""
    return Event.objects.filter(org=org, pk=pk, resource__startswith="kobject.").first()


def tag_names(*, org):
    return sorted(conv_selectors.tags(org=org).values_list("name", flat=True))


def shortcuts_for(*, org, user, q="", limit=None):
    """The shortcuts `user` can see, their owners joined; with `q`, those whose name has it."""
    rows = conv_selectors.shortcuts_visible(org=org, user=user).select_related("owner")
    if q:
        rows = rows.filter(name__icontains=q)
    return list(rows[:limit] if limit else rows)


def shortcuts_for_settings(*, org, user):
    """The settings list: an admin's is every shortcut they can see, an agent's only their own;
    owners and last editors joined."""
    rows = conv_selectors.shortcuts_visible(org=org, user=user).select_related(
        "owner", "modified_by"
    )
    if user.role != "admin":
        rows = rows.filter(owner=user)
    return rows


def tag_creators(*, org, tag_ids):
    """{tag id: the person who added it} from the tags' create events (one query); tags made
    before the log or by a program are missing."""
    rows = Event.objects.filter(
        org=org, resource="tag", type="tag.create", resource_id__in=[str(i) for i in tag_ids]
    ).select_related("actor")
    return {int(e.resource_id): e.actor for e in rows if e.actor_id}


def shortcut_visible(*, org, user, pk):
    return (
        conv_selectors.shortcuts_visible(org=org, user=user)
        .filter(pk=pk)
        .select_related("owner")
        .first()
    )


def shortcuts_by_ids(*, org, user, ids):
    """{id: shortcut} of those of `ids` that `user` can see."""
    rows = conv_selectors.shortcuts_visible(org=org, user=user).filter(pk__in=ids)
    return {s.pk: s for s in rows}


def order_totals(*, org, customer_id, limit=500):
    """(count, total spent) over the customer's newest `limit` orders (the demo loyalty card)."""
    spent, count = 0.0, 0
    orders = KObject.objects.filter(org=org, customer_id=customer_id, klass__name="order")
    for data in orders.values_list("data", flat=True)[:limit]:
        count += 1
        try:
            spent += float((data or {}).get("totalNum") or 0)
        except (TypeError, ValueError):
            pass
    return count, spent


def active_klasses(*, org):
    """The Klasses an agent can add objects of (active ones), by display name."""
    return list(
        Klass.objects.filter(org=org, status=Klass.Status.ACTIVE)
        .order_by("display_name", "name")
        .only("id", "name", "display_name", "icon", "color", "status")
    )


def klass_properties(*, org, klass_name):
    """The attribute definitions of one Klass's objects ({} when none are defined)."""
    props = (
        Metadata.objects.filter(org=org, resource=f"kobject.{klass_name}")
        .values_list("properties", flat=True)
        .first()
    )
    return props or {}


def klasses_with_properties(*, org):
    """[(klass, {attribute: definition})] of the active Klasses, for criteria pickers (two
    queries)."""
    klasses = active_klasses(org=org)
    rows = Metadata.objects.filter(
        org=org, resource__in=[f"kobject.{k.name}" for k in klasses]
    ).values_list("resource", "properties")
    props = {resource[len("kobject.") :]: p or {} for resource, p in rows}
    return [(k, props.get(k.name, {})) for k in klasses]


def teams_of(*, org, user):
    """(id, name) of the teams `user` is a member of."""
    from kdesk.models import Team

    return list(
        Team.objects.filter(org=org, members=user).order_by("name").values_list("id", "name")
    )


def conversations_by_ids(*, org, ids, limit=100):
    """The organization's conversations among `ids` (model instances, for the services), with
    their customers' names, in id order; ids of other organizations are simply not found."""
    return list(
        Conversation.objects.filter(org=org, pk__in=list(ids)[:limit])
        .select_related("customer")
        .order_by("id")
    )
