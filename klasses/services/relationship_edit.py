"""Changing a declared relationship from the settings page: its other side, how many, its join
Klass, or which object type holds it. The holder's definition is rewritten through
`klass_update`, so the checks and events are the ones an API client gets."""

from django.db import transaction

from kdesk.errors import Conflict, FieldError
from klasses import relationships
from klasses.models import Klass, Link
from klasses.services.klasses import klass_update


@transaction.atomic
def relationship_redefine(*, org, actor, relationship, holder, definition):
    """Make `relationship` mean `definition` ({name, target, cardinality, through?}) declared
    on the Klass named `holder`. A relationship whose holder changes moves to the other object
    type: refused while links use it (they point the other way round)."""
    old_holder = relationships.target_name(relationship.from_resource)
    current = Klass.objects.get(org=org, name=old_holder)
    kept = [
        d
        for d in relationships.definitions_for(org=org, klass_names=[old_holder])[old_holder]
        if d["name"] != relationship.name
    ]
    if holder == old_holder:
        return klass_update(
            org=org, actor=actor, klass=current, data={"relationships": [*kept, definition]}
        )
    if Link.objects.filter(relationship=relationship).exists():
        raise Conflict(
            f"Relationship '{relationship.name}' has links: it cannot change sides.",
            errors=[
                FieldError(
                    "/source",
                    "has_links",
                    "Its links point the other way round; remove them before changing sides.",
                )
            ],
        )
    target = Klass.objects.get(org=org, name=holder)
    theirs = relationships.definitions_for(org=org, klass_names=[holder])[holder]
    klass_update(org=org, actor=actor, klass=current, data={"relationships": kept})
    return klass_update(
        org=org, actor=actor, klass=target, data={"relationships": [*theirs, definition]}
    )
