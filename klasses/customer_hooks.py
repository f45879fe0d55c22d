"""What klasses does when a customer is deleted or merged: the hooks its resources declare in the
register (kdesk.resources), run inside the customer service's transaction. Klasses moves or
unlinks its own rows here and records its own events; the customers app never touches them."""

from django.db.models import F
from django.utils import timezone

from kdesk.events import emit_many
from klasses.models import KObject, Link
from klasses.relationships import link_event
from klasses.representations import kobject_resource


def customer_deleted(*, org, actor, customer_id):
    """The customer's KObjects lose it (each with its update event) and the relationship links
    naming it go (each with its unlink event)."""
    from klasses import services

    services.kobjects_unlink(org=org, actor=actor, customer_id=customer_id)
    services.links_remove(org=org, actor=actor, resource="customer", ids=[customer_id])


def customers_merged(*, org, actor, source_id, target_id):
    """The source customer's KObjects and relationship links now name the target."""
    _move_kobjects(org, actor, source_id, target_id)
    _move_links(org, actor, source_id, target_id)


def _move_kobjects(org, actor, source_id, target_id):
    """rev+1, updatedAt now and a kobject.<klass>.update event (one INSERT for all) for each
    KObject that moves, so syncs by updatedAt and the change feed see it."""
    ids = list(
        KObject.objects.select_for_update()
        .filter(org=org, customer_id=source_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    KObject.objects.filter(org=org, pk__in=ids).update(
        customer_id=target_id, rev=F("rev") + 1, updated_at=timezone.now()
    )
    events = []
    for obj in KObject.objects.filter(pk__in=ids).select_related("klass").order_by("pk"):
        name = obj.klass.name
        events.append(
            {
                "type": f"kobject.{name}.update",
                "resource": f"kobject.{name}",
                "resource_id": obj.pk,
                "customer_id": target_id,
                "rev": obj.rev,
                "data": kobject_resource(obj, name),
                "changes": {"customer": {"before": source_id, "after": target_id}},
            }
        )
    emit_many(org=org, actor=actor, events=events)


def _move_links(org, actor, source_id, target_id):
    """Links naming the source customer name the target: an unlink event for the old link and
    a link event for the new one; a link the target holds already just goes."""
    source, target = str(source_id), str(target_id)
    links = Link.objects.filter(org=org).select_related("relationship")
    events = []
    for side, other in (("from", "to"), ("to", "from")):
        on_side = links.filter(**{f"relationship__{side}_resource": "customer"})
        held = set(
            on_side.filter(**{f"{side}_id": target}).values_list("relationship_id", f"{other}_id")
        )
        for link in on_side.filter(**{f"{side}_id": source}).order_by("pk"):
            events.append(link_event(link, "unlink"))
            key = (link.relationship_id, getattr(link, f"{other}_id"))
            if key in held:
                link.delete()
                continue
            held.add(key)
            setattr(link, f"{side}_id", target)
            link.save(update_fields=[f"{side}_id"])
            events.append(link_event(link, "link"))
    emit_many(org=org, actor=actor, events=events)
