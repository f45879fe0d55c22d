"""Relationships declared in Klass definitions, and the links between objects they allow.

A Klass declares `relationships: [{name, target, cardinality, through?}]`; each is one
`Relationship` row from `kobject.<klass>` to its target (`customer`, `company`, `conversation`
or `kobject.<klass>`). Cardinality reads from the declaring object to the target:
`one-to-one` (each side at most one link), `one-to-many` (an object links many targets, a target
belongs to one object), `many-to-many` (no limit; with `through`, every link names an object of
that join Klass, as the reference models customer ↔ product through "customer product").

Writes here run in the caller's transaction, record a `relationship.link` /
`relationship.unlink` event per link, and report a cardinality violation as a 409 naming the
relationship.
"""

import re

from kdesk import resources
from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.events import emit, emit_many
from kdesk.payload import as_id
from klasses.models import Klass, KObject, Link, Relationship

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
STANDARD_TARGETS = ("customer", "company", "conversation")
# a KObject's own `customer`, `company` and `klass` links already use these names
RESERVED = {"customer", "company", "klass"}
CARDINALITY = {
    "one-to-one": Relationship.Cardinality.ONE_TO_ONE,
    "one-to-many": Relationship.Cardinality.ONE_TO_MANY,
    "many-to-many": Relationship.Cardinality.MANY_TO_MANY,
}
CARDINALITY_NAMES = {v: k for k, v in CARDINALITY.items()}
MAX_RELATIONSHIPS = 50
MAX_LINKS = 1000


def standard_model(resource):
    """The model of a standard target (`customer`…), as its app declares it in the register."""
    return resources.get(resource).get_model()


def cardinality_name(value):
    return CARDINALITY_NAMES.get(value, value)


def is_to_one(relationship):
    return relationship.cardinality == Relationship.Cardinality.ONE_TO_ONE


def target_name(resource):
    """`kobject.shipment` → `shipment`: the Klass body names a target Klass bare."""
    return resource[len("kobject.") :] if resource.startswith("kobject.") else resource


def definition(relationship):
    out = {
        "name": relationship.name,
        "target": target_name(relationship.to_resource),
        "cardinality": cardinality_name(relationship.cardinality),
    }
    if relationship.through_klass_id:
        out["through"] = relationship.through_klass.name
    return out


def definitions_for(*, org, klass_names):
    """{klass name: [definition…]} for the Klasses named; one query."""
    out = {name: [] for name in klass_names}
    rows = (
        Relationship.objects.filter(
            org=org, from_resource__in=[f"kobject.{n}" for n in klass_names]
        )
        .select_related("through_klass")
        .order_by("id")
    )
    for rel in rows:
        out.setdefault(target_name(rel.from_resource), []).append(definition(rel))
    return out


def declared(*, org, klass):
    return {
        rel.name: rel
        for rel in Relationship.objects.filter(
            org=org, from_resource=f"kobject.{klass.name}"
        ).select_related("through_klass")
    }


# ---- definitions --------------------------------------------------------------------------


def _clean_definitions(org, klass_name, items, pointer):
    """(cleaned [{name, to_resource, cardinality, through_klass}], errors)."""
    if not isinstance(items, list):
        return [], [FieldError(pointer, "type", "relationships must be a list of objects.")]
    if len(items) > MAX_RELATIONSHIPS:
        return [], [FieldError(pointer, "too_many", f"At most {MAX_RELATIONSHIPS} relationships.")]
    names = {
        target_name(t)
        for item in items
        if isinstance(item, dict)
        for t in [item.get("target"), item.get("through")]
        if isinstance(t, str)
    }
    klasses = {k.name: k for k in Klass.objects.filter(org=org, name__in=names)}
    errors, cleaned, seen = [], [], set()
    for i, item in enumerate(items):
        at = f"{pointer}/{i}"
        if not isinstance(item, dict):
            errors.append(FieldError(at, "type", "A relationship is an object."))
            continue
        unknown = set(item) - {"name", "target", "cardinality", "through"}
        errors += [FieldError(f"{at}/{k}", "unknown", f"Unknown attribute '{k}'.") for k in unknown]
        name, target = item.get("name"), item.get("target")
        cardinality, through = item.get("cardinality"), item.get("through")
        if not isinstance(name, str) or not NAME_RE.match(name):
            errors.append(
                FieldError(
                    f"{at}/name",
                    "invalid",
                    "A relationship name is a letter then letters, digits or '_' (≤64).",
                )
            )
        elif name in RESERVED:
            errors.append(
                FieldError(
                    f"{at}/name",
                    "reserved",
                    f"'{name}' is the KObject's own {name} link; choose another name.",
                )
            )
        elif name in seen:
            errors.append(FieldError(f"{at}/name", "duplicate", f"'{name}' is declared twice."))
        if isinstance(name, str):
            seen.add(name)
        to_resource = None
        if not isinstance(target, str) or not target:
            errors.append(FieldError(f"{at}/target", "required", "Name the target."))
        elif target in STANDARD_TARGETS:
            to_resource = target
        elif target_name(target) == klass_name or target_name(target) in klasses:
            to_resource = f"kobject.{target_name(target)}"
        else:
            errors.append(
                FieldError(
                    f"{at}/target",
                    "invalid",
                    f"Unknown target {target!r}: customer, company, conversation or a Klass name.",
                )
            )
        kind = None
        if isinstance(cardinality, str):
            # the stored spelling (one_to_many) is accepted too
            kind = CARDINALITY.get(cardinality) or (
                cardinality if cardinality in CARDINALITY_NAMES else None
            )
        if kind is None:
            errors.append(
                FieldError(
                    f"{at}/cardinality",
                    "invalid",
                    "cardinality is one-to-one, one-to-many or many-to-many.",
                )
            )
        through_klass = None
        if through is not None:
            if kind != Relationship.Cardinality.MANY_TO_MANY:
                errors.append(
                    FieldError(
                        f"{at}/through", "invalid", "Only a many-to-many relationship has through."
                    )
                )
            elif not isinstance(through, str) or target_name(through) not in klasses:
                errors.append(
                    FieldError(f"{at}/through", "invalid", "through names an existing Klass.")
                )
            else:
                through_klass = klasses[target_name(through)]
        cleaned.append(
            {
                "name": name,
                "to_resource": to_resource,
                "cardinality": kind,
                "through_klass": through_klass,
                "pointer": at,
            }
        )
    return cleaned, errors


def _violations(rel, cardinality):
    """Does the relationship's existing links break `cardinality`?"""
    from django.db.models import Count

    links = Link.objects.filter(relationship=rel)
    if cardinality == Relationship.Cardinality.MANY_TO_MANY:
        return False
    many_from = links.values("to_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    if cardinality == Relationship.Cardinality.ONE_TO_MANY:
        return many_from
    return many_from or links.values("from_id").annotate(n=Count("id")).filter(n__gt=1).exists()


def validate_definitions(*, org, klass_name, items, pointer="/relationships"):
    """The FieldErrors of a Klass body's `relationships`, without writing anything."""
    return _clean_definitions(org, klass_name, items, pointer)[1]


def definitions_set(*, org, actor, klass, items, pointer="/relationships"):
    """Make the Klass's declared relationships exactly `items`: new ones are created, changed
    ones updated (a target or join Klass that links already use cannot change; a cardinality
    the existing links break is a 409), missing ones removed with their links."""
    cleaned, errors = _clean_definitions(org, klass.name, items, pointer)
    if errors:
        raise ValidationFailed(errors)
    current = declared(org=org, klass=klass)
    source = f"kobject.{klass.name}"
    for item in cleaned:
        rel = current.pop(item["name"], None)
        fields = {
            "to_resource": item["to_resource"],
            "cardinality": item["cardinality"],
            "through_klass": item["through_klass"],
        }
        if rel is None:
            rel = Relationship.objects.create(
                org=org, name=item["name"], from_resource=source, **fields
            )
            _definition_event(org, actor, rel, "create")
            continue
        if all(getattr(rel, k) == v for k, v in fields.items()):
            continue
        has_links = Link.objects.filter(relationship=rel).exists()
        moved = rel.to_resource != fields["to_resource"] or (
            rel.through_klass_id != getattr(fields["through_klass"], "pk", None)
        )
        if has_links and moved:
            raise Conflict(
                f"Relationship '{rel.name}' has links: its target and join Klass cannot change.",
                errors=[
                    FieldError(
                        f"{item['pointer']}/target",
                        "has_links",
                        f"Relationship '{rel.name}' has links; remove them first.",
                    )
                ],
            )
        if has_links and _violations(rel, fields["cardinality"]):
            raise Conflict(
                f"Relationship '{rel.name}' has links that {cardinality_name(fields['cardinality'])}"
                " does not allow.",
                errors=[
                    FieldError(
                        f"{item['pointer']}/cardinality",
                        "cardinality",
                        f"Existing '{rel.name}' links break this cardinality.",
                    )
                ],
            )
        for key, value in fields.items():
            setattr(rel, key, value)
        rel.save()
        _definition_event(org, actor, rel, "update")
    for rel in current.values():
        _unlink(
            org, actor, list(Link.objects.filter(relationship=rel).select_related("relationship"))
        )
        _definition_event(org, actor, rel, "delete")
        rel.delete()


def _definition_event(org, actor, rel, action):
    emit(
        org=org,
        type=f"relationship.{action}",
        resource="relationship",
        resource_id=rel.pk,
        actor=actor,
        data={"from": rel.from_resource, **definition(rel)},
    )


# ---- links --------------------------------------------------------------------------------


def link_event(link, action):
    rel = link.relationship
    data = {
        "name": rel.name,
        "from": link.from_id,
        "to": link.to_id,
        "fromType": rel.from_resource,
        "toType": rel.to_resource,
    }
    if link.through_id:
        data["through"] = str(link.through_id)
    return {
        "type": f"relationship.{action}",
        "resource": "relationship",
        "resource_id": rel.pk,
        "data": data,
    }


def _unlink(org, actor, links):
    if not links:
        return
    Link.objects.filter(pk__in=[link.pk for link in links]).delete()
    emit_many(org=org, actor=actor, events=[link_event(link, "unlink") for link in links])


def _existing_ids(org, resource, ids):
    if not ids:
        return set()
    if resource.startswith("kobject."):
        qs = KObject.objects.filter(org=org, klass__name=resource[8:], pk__in=ids)
    else:
        qs = standard_model(resource).objects.filter(org=org, pk__in=ids)
    return {str(i) for i in qs.values_list("pk", flat=True)}


def parse_linkage(*, org, relationship, data, pointer):
    """JSON:API linkage (`{type, id}`, a list of them, or null) → [(target id, through id)],
    checked against the relationship: type, existence in the org, the join object."""
    errors = []
    if data is None:
        items = []
    elif isinstance(data, dict):
        items = [data]
        pointers = [pointer]
    elif isinstance(data, list):
        items = data
        pointers = [f"{pointer}/{i}" for i in range(len(data))]
        if len(items) > MAX_LINKS:
            raise ValidationFailed(
                [FieldError(pointer, "too_many", f"At most {MAX_LINKS} links per request.")]
            )
    else:
        raise ValidationFailed(
            [FieldError(pointer, "type", "data is {type, id}, a list of them, or null.")]
        )
    target = relationship.to_resource
    accepted = {target, target_name(target)}
    wanted, throughs = [], []
    for item, at in zip(items, pointers if items else [], strict=False):
        if not isinstance(item, dict):
            errors.append(FieldError(at, "type", "A link is {type, id}."))
            continue
        unknown = set(item) - {"type", "id", "meta"}
        errors += [FieldError(f"{at}/{k}", "unknown", f"Unknown attribute '{k}'.") for k in unknown]
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in accepted:
            errors.append(
                FieldError(
                    f"{at}/type",
                    "invalid",
                    f"'{relationship.name}' links to {target}, not {kind!r}.",
                )
            )
        ident = as_id(item.get("id"))
        if ident is None:
            errors.append(FieldError(f"{at}/id", "invalid", "id is an object's id."))
        through = None
        meta = item.get("meta")
        if isinstance(meta, dict):
            errors += [
                FieldError(f"{at}/meta/{k}", "unknown", f"Unknown attribute '{k}'.")
                for k in set(meta) - {"through"}
            ]
        if relationship.through_klass_id:
            through = as_id(meta.get("through")) if isinstance(meta, dict) else None
            if through is None:
                errors.append(
                    FieldError(
                        f"{at}/meta/through",
                        "required",
                        f"Name the {relationship.through_klass.name} object this link goes "
                        "through (meta.through).",
                    )
                )
        elif meta is not None and not isinstance(meta, dict):
            errors.append(FieldError(f"{at}/meta", "type", "meta is an object."))
        wanted.append((ident, at))
        throughs.append((through, at))
    if errors:
        raise ValidationFailed(errors)
    found = _existing_ids(org, target, [i for i, _ in wanted])
    errors += [
        FieldError(f"{at}/id", "not_found", f"No {target} {ident}.")
        for ident, at in wanted
        if str(ident) not in found
    ]
    if relationship.through_klass_id:
        joins = _existing_ids(
            org, f"kobject.{relationship.through_klass.name}", [t for t, _ in throughs]
        )
        errors += [
            FieldError(
                f"{at}/meta/through",
                "not_found",
                f"No {relationship.through_klass.name} {t}.",
            )
            for t, at in throughs
            if str(t) not in joins
        ]
    if errors:
        raise ValidationFailed(errors)
    out = {}
    for (ident, _), (through, _) in zip(wanted, throughs, strict=True):
        out[str(ident)] = through
    return list(out.items())


def _check_cardinality(relationship, from_id, targets, pointer):
    """409 unless `from_id` linking exactly `targets` fits the relationship's cardinality."""
    if relationship.cardinality == Relationship.Cardinality.MANY_TO_MANY:
        return
    label = f"'{relationship.name}' ({cardinality_name(relationship.cardinality)})"
    if is_to_one(relationship) and len(targets) > 1:
        raise Conflict(
            f"Relationship {label} links one {target_name(relationship.to_resource)} only.",
            errors=[FieldError(pointer, "cardinality", f"{label} allows one link.")],
        )
    taken = list(
        Link.objects.filter(relationship=relationship, to_id__in=targets)
        .exclude(from_id=from_id)
        .values_list("to_id", "from_id")[:5]
    )
    if taken:
        to_id, other = taken[0]
        raise Conflict(
            f"{relationship.to_resource} {to_id} is already linked through relationship "
            f"{label} from {relationship.from_resource} {other}.",
            errors=[
                FieldError(
                    pointer,
                    "cardinality",
                    f"{relationship.to_resource} {t} already has a '{relationship.name}' link.",
                )
                for t, _ in taken
            ],
        )


def links_change(*, org, actor, relationship, from_id, targets, mode, pointer="/data"):
    """Add (`add`), remove (`remove`) or make exactly (`replace`) the links from one object.
    `targets` come from parse_linkage. Returns nothing; events are recorded per link."""
    from_id = str(from_id)
    current = {
        link.to_id: link
        for link in Link.objects.select_for_update()
        .filter(relationship=relationship, from_id=from_id)
        .select_related("relationship")
    }
    wanted = dict(targets)
    if mode == "remove":
        _unlink(org, actor, [current[t] for t in wanted if t in current])
        return
    final = set(wanted) if mode == "replace" else set(current) | set(wanted)
    _check_cardinality(relationship, from_id, sorted(final), pointer)
    gone = [link for to_id, link in current.items() if to_id not in final]
    _unlink(org, actor, gone)
    new = []
    for to_id in sorted(set(wanted) - set(current), key=list(wanted).index):
        new.append(
            Link(
                org=org,
                relationship=relationship,
                from_id=from_id,
                to_id=to_id,
                through_id=wanted[to_id],
            )
        )
    if new:
        Link.objects.bulk_create(new)
        emit_many(org=org, actor=actor, events=[link_event(link, "link") for link in new])


def linkage(*, org, resource, ids, relationships=None):
    """{object id: {relationship name: {"data": …}}} of every link from these objects of
    `resource`; one query. Relationships without links are left out."""
    ids = [str(i) for i in ids]
    out = {i: {} for i in ids}
    if not ids:
        return out
    links = (
        Link.objects.filter(org=org, relationship__from_resource=resource, from_id__in=ids)
        .select_related("relationship")
        .order_by("id")
    )
    for link in links:
        rel = link.relationship
        item = {"type": rel.to_resource, "id": link.to_id}
        if link.through_id:
            item["meta"] = {"through": str(link.through_id)}
        if is_to_one(rel):
            out[link.from_id][rel.name] = {"data": item}
        else:
            out[link.from_id].setdefault(rel.name, {"data": []})["data"].append(item)
    return out


def one_linkage(*, org, relationship, from_id):
    """The JSON:API linkage of one relationship of one object (null or [] when unlinked)."""
    links = Link.objects.filter(relationship=relationship, from_id=str(from_id)).order_by("id")
    items = []
    for link in links:
        item = {"type": relationship.to_resource, "id": link.to_id}
        if link.through_id:
            item["meta"] = {"through": str(link.through_id)}
        items.append(item)
    if is_to_one(relationship):
        return items[0] if items else None
    return items


def body_relationships(*, org, klass, value, pointer="/relationships"):
    """A KObject body's `relationships` → [(relationship, targets)] to set once the object
    is written; every problem is reported at once."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValidationFailed(
            [FieldError(pointer, "type", "relationships is {<name>: {data: …}}.")]
        )
    rels = declared(org=org, klass=klass)
    out, errors = [], []
    for name, entry in value.items():
        rel = rels.get(name)
        at = f"{pointer}/{name}"
        if rel is None:
            if name not in RESERVED:
                errors.append(
                    FieldError(
                        at,
                        "unknown",
                        f"{klass.name} declares no relationship '{name}'"
                        + (f" (declared: {', '.join(sorted(rels))})." if rels else "."),
                    )
                )
            else:
                errors.append(
                    FieldError(at, "invalid", f"Set {name} with the body's '{name}' attribute.")
                )
            continue
        if not isinstance(entry, dict) or "data" not in entry:
            errors.append(FieldError(at, "type", "A relationship is {data: …}."))
            continue
        try:
            targets = parse_linkage(
                org=org,
                relationship=rel,
                data=entry["data"],
                pointer=f"{at}/data",
            )
        except ValidationFailed as exc:
            errors += exc.errors
            continue
        out.append((rel, targets))
    if errors:
        raise ValidationFailed(errors)
    return out


def body_links_apply(*, org, actor, kobject, items, pointer="/relationships"):
    for rel, targets in items:
        links_change(
            org=org,
            actor=actor,
            relationship=rel,
            from_id=kobject.pk,
            targets=targets,
            mode="replace",
            pointer=f"{pointer}/{rel.name}/data",
        )
