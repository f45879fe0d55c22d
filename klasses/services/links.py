"""Relationships and the links between objects, and removing links when a row goes."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed
from kdesk.events import emit, emit_many
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken
from kdesk.updates import model_update
from klasses import relationships
from klasses.models import (
    Klass,
    KObject,
    Link,
    Relationship,
)
from klasses.services.kobject_fields import _changes, _event, _snapshot


def kobjects_unlink(*, org, actor, customer_id=None, company_id=None):
    """Deletion support (customer_delete, company_delete): the KObjects that name this customer
    (or company) lose the link, each with rev+1 and its kobject.<klass>.update event (one
    INSERT for all), in the caller's transaction. Returns how many changed."""
    field, value = ("customer_id", customer_id) if customer_id else ("company_id", company_id)
    if not value:
        return 0
    objs = list(
        KObject.objects.select_for_update(of=("self",))
        .select_related("klass")
        .filter(org=org, **{field: value})
        .order_by("pk")
    )
    if not objs:
        return 0
    now = timezone.now()
    events = []
    for obj in objs:
        before = _snapshot(obj)
        concerns = obj.customer_id  # the customer whose timeline the change belongs to
        model_update(obj, {field: None}, now=now, save=False)
        event = _event(obj.klass, obj, "update", _changes(before, _snapshot(obj)))
        event["customer_id"] = concerns
        events.append(event)
    KObject.objects.bulk_update(objs, [field, "rev", "updated_at"], batch_size=500)
    emit_many(org=org, actor=actor, events=events)
    return len(objs)


def links_remove(*, org, actor, resource, ids):
    """Deletion support: remove every relationship Link that names one of these ids of
    `resource` on either side (or, for a KObject, goes through it), each with its
    relationship.unlink event, so related() never returns an id that no longer exists. Runs
    in the caller's transaction; returns how many links went."""
    ids = [str(i) for i in ids]
    if not ids:
        return 0
    cond = Q(relationship__from_resource=resource, from_id__in=ids) | Q(
        relationship__to_resource=resource, to_id__in=ids
    )
    if resource.startswith("kobject."):
        cond |= Q(through_id__in=[int(i) for i in ids])
    links = list(Link.objects.filter(cond, org=org).select_related("relationship").order_by("pk"))
    if not links:
        return 0
    Link.objects.filter(pk__in=[link.pk for link in links]).delete()
    emit_many(
        org=org,
        actor=actor,
        events=[
            {
                "type": "relationship.unlink",
                "resource": "relationship",
                "resource_id": link.relationship_id,
                "data": {
                    "name": link.relationship.name,
                    "from": link.from_id,
                    "to": link.to_id,
                },
            }
            for link in links
        ],
    )
    return len(links)


# ---- relationships ----------------------------------------------------------------------------


def _resource_exists(org, resource, ident):
    if resource.startswith("kobject."):
        return KObject.objects.filter(org=org, klass__name=resource[8:], pk=ident).exists()
    if resource not in relationships.STANDARD_TARGETS:
        return False
    model = relationships.standard_model(resource)
    return model.objects.filter(org=org, pk=ident).exists()


@transaction.atomic
def relationship_create(*, org, actor, data):
    p = Payload(data, allowed={"name", "from", "to", "cardinality", "through"})
    name = p.string("name", max_length=64, required=True, blank=False)
    frm = p.string("from", max_length=120, required=True)
    to = p.string("to", max_length=120, required=True)
    cardinality = p.choice("cardinality", Relationship.Cardinality.values, required=True)
    through_name = p.string("through", max_length=64)
    through = None
    for key, resource in (("from", frm), ("to", to)):
        if (
            resource
            and resource not in relationships.STANDARD_TARGETS
            and not (
                resource.startswith("kobject.")
                and Klass.objects.filter(org=org, name=resource[8:]).exists()
            )
        ):
            p.error(key, "invalid", f"Unknown resource '{resource}'.")
    if cardinality == Relationship.Cardinality.MANY_TO_MANY:
        through = Klass.objects.filter(org=org, name=through_name).first() if through_name else None
        if through is None:
            p.error("through", "required", "A many-to-many relationship goes through a join Klass.")
    taken = f"A relationship named '{name}' exists."
    if (
        name
        and not p.errors
        and Relationship.objects.filter(org=org, from_resource=frm, name=name).exists()
    ):
        p.error("name", "taken", taken)
    raise_invalid_or_taken(p.errors)
    with conflict_on_duplicate("/name", taken):  # a concurrent create of the same name
        rel = Relationship.objects.create(
            org=org,
            name=name,
            from_resource=frm,
            to_resource=to,
            cardinality=cardinality,
            through_klass=through,
        )
    emit(
        org=org,
        type="relationship.create",
        resource="relationship",
        resource_id=rel.pk,
        actor=actor,
        data={"name": name, "from": frm, "to": to, "cardinality": cardinality},
    )
    return rel


@transaction.atomic
def link_create(*, org, actor, relationship, from_id, to_id, through=None):
    """Link two resources; the relationship's cardinality is enforced here."""
    if relationship.org_id != org.pk:
        raise NotFound("No such relationship.")
    errors = []
    if through is not None and through.org_id != org.pk:
        errors.append(FieldError("/through", "not_found", "No such object."))
    if not _resource_exists(org, relationship.from_resource, from_id):
        errors.append(
            FieldError("/from", "not_found", f"No {relationship.from_resource} {from_id}.")
        )
    if not _resource_exists(org, relationship.to_resource, to_id):
        errors.append(FieldError("/to", "not_found", f"No {relationship.to_resource} {to_id}."))
    if relationship.cardinality == Relationship.Cardinality.MANY_TO_MANY and (
        through is None or through.klass_id != relationship.through_klass_id
    ):
        errors.append(
            FieldError(
                "/through", "required", f"Link through a {relationship.through_klass} object."
            )
        )
    if errors:
        raise ValidationFailed(errors)
    links = Link.objects.select_for_update().filter(relationship=relationship)
    if relationship.cardinality != Relationship.Cardinality.MANY_TO_MANY:
        if links.filter(to_id=str(to_id)).exclude(from_id=str(from_id)).exists():
            raise Conflict(
                f"{relationship.to_resource} {to_id} is already linked through "
                f"'{relationship.name}' ({relationship.get_cardinality_display()}).",
                errors=[FieldError("/to", "cardinality", "This side allows one link only.")],
            )
        if (
            relationship.cardinality == Relationship.Cardinality.ONE_TO_ONE
            and links.filter(from_id=str(from_id)).exclude(to_id=str(to_id)).exists()
        ):
            raise Conflict(
                f"{relationship.from_resource} {from_id} already has a '{relationship.name}'.",
                errors=[FieldError("/from", "cardinality", "This side allows one link only.")],
            )
    link, created = Link.objects.get_or_create(
        org=org,
        relationship=relationship,
        from_id=str(from_id),
        to_id=str(to_id),
        defaults={"through": through},
    )
    if created:
        emit(
            org=org,
            type="relationship.link",
            resource="relationship",
            resource_id=relationship.pk,
            actor=actor,
            data={"name": relationship.name, "from": str(from_id), "to": str(to_id)},
        )
    return link


def related(*, org, resource, ident):
    """Both directions: [(relationship, other resource, other id)] for one resource."""
    out = []
    links = Link.objects.filter(org=org).select_related("relationship")
    for link in links.filter(relationship__from_resource=resource, from_id=str(ident)):
        out.append((link.relationship, link.relationship.to_resource, link.to_id))
    for link in links.filter(relationship__to_resource=resource, to_id=str(ident)):
        out.append((link.relationship, link.relationship.from_resource, link.from_id))
    return out
