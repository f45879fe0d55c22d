"""Deleting a Klass with everything defined on it (the settings page's delete)."""

from django.db import transaction

from kdesk.config_cache import lock_config
from kdesk.errors import Conflict, FieldError, NotFound, check_rev
from kdesk.events import emit, emit_many
from klasses import attributes, relationships, selectors
from klasses.models import Klass, KObject, KView, Metadata, Relationship, ValidationRule
from klasses.services.kobject_fields import _event
from klasses.services.links import links_remove


@transaction.atomic
def klass_delete(*, org, actor, klass, rev=None):
    """Delete a Klass with everything defined on it: its objects (each leaves its
    kobject.<name>.delete event, as a single delete does), their links, its attribute
    definitions, the relationships it declares, its validation rules and KViews. Refused while
    a relationship declared elsewhere names it (as target or join Klass): that would point at
    nothing. Returns how many objects went."""
    lock_config(org)  # before the Klass: as an uninstall takes them
    klass = Klass.objects.select_for_update().filter(org=org, pk=klass.pk).first()
    if klass is None:
        raise NotFound("No such Klass.")
    check_rev(klass.rev, rev, resource="Klass")
    resource = f"kobject.{klass.name}"
    users = selectors.klass_dependents(org=org, klass=klass)
    in_use = [f"'{r.name}' of {relationships.target_name(r.from_resource)}" for r in users]
    if in_use:
        detail = (
            f"{klass.display_name} is used by the relationship(s) {', '.join(in_use)}: "
            "remove them first."
        )
        raise Conflict(detail, errors=[FieldError("", "in_use", detail)])
    ids = list(
        KObject.objects.filter(org=org, klass=klass).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        objs = list(KObject.objects.filter(org=org, pk__in=chunk).order_by("pk"))
        events = [_event(klass, obj, "delete") for obj in objs]
        links_remove(org=org, actor=actor, resource=resource, ids=chunk)
        KObject.objects.filter(org=org, pk__in=chunk).delete()
        emit_many(org=org, actor=actor, events=events)
    Relationship.objects.filter(org=org, from_resource=resource).delete()
    Metadata.objects.filter(org=org, resource=resource).delete()
    KView.objects.filter(org=org, resource=resource).delete()
    ValidationRule.objects.filter(org=org, resource=resource).delete()
    name, display_name = klass.name, klass.display_name
    klass.delete()
    transaction.on_commit(lambda: attributes.invalidate(org, resource))
    emit(
        org=org,
        type="klass.delete",
        resource="klass",
        resource_id=name,
        actor=actor,
        rev=klass.rev,
        data={"name": name, "displayName": display_name, "objects": len(ids)},
    )
    return len(ids)
