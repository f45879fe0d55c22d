"""Writes for Klasses, KObjects, metadata, relationships, validation rules and KViews."""

import re
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kdesk import bulk, table_stats
from kdesk.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed, check_rev
from kdesk.events import assign_changes, emit, emit_many
from kdesk.models import Event
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, raise_invalid_or_taken
from klasses import attributes, relationships
from klasses.models import (
    STANDARD_RESOURCES,
    Klass,
    KObject,
    KView,
    Link,
    Metadata,
    Relationship,
    ValidationRule,
)
from klasses.representations import kobject_resource, kview_resource, metadata_resource
from klasses.schema import (
    UnknownAttributeType,
    attribute_type,
    check_existing,
    normalize_definitions,
)

# Case is kept as written (`Purchase_History`); two names that differ only in case clash.
KLASS_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
KLASS_FIELDS = {
    "name",
    "displayName",
    "description",
    "icon",
    "color",
    "images",
    "status",
    "rev",
    "relationships",
}
KOBJECT_FIELDS = {
    "customer",
    "company",
    "externalId",
    "title",
    "description",
    "images",
    "icon",
    "data",
    "custom",
    "tags",
    "rev",
    "relationships",
}
BULK_LIMIT = 1000
KLASS_API_NAMES = {"display_name": "displayName"}
RESERVED_NAMES = set(STANDARD_RESOURCES) | {"kobject", "klass", "metadata", "kview", "event"}


# ---- Klasses ----------------------------------------------------------------------------------


def _klass_payload(data, *, creating):
    p = Payload(data, allowed=KLASS_FIELDS)
    name = p.string("name", max_length=64, required=creating)
    if creating and name is not None:
        if not KLASS_NAME_RE.match(name):
            p.error(
                "name",
                "invalid",
                "A Klass name starts with a letter and has letters, digits, '_' or '-' "
                "(at most 64), e.g. Purchase_History.",
            )
        elif name.lower() in RESERVED_NAMES:
            p.error("name", "reserved", f"'{name}' is a standard object's name.")
    fields = {
        "display_name": p.string("displayName", max_length=120),
        "description": p.string("description", max_length=5000),
        "icon": p.string("icon", max_length=64),
        "color": _color(p),
        "images": _images(p),
        "status": p.choice("status", Klass.Status.values),
    }
    # An attribute sent as null is cleared; displayName and status cannot be.
    for attribute, field, cleared in KLASS_CLEARED:
        if attribute in p.data and p.data[attribute] is None:
            if cleared is None:
                p.error(attribute, "required", f"{attribute} is required: it cannot be cleared.")
            else:
                fields[field] = cleared
    return p, name, {k: v for k, v in fields.items() if v is not None}


# (attribute, field, the cleared value, None where it cannot be cleared)
KLASS_CLEARED = (
    ("displayName", "display_name", None),
    ("description", "description", ""),
    ("icon", "icon", ""),
    ("color", "color", ""),
    ("images", "images", []),
    ("status", "status", None),
)
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")


def _color(p):
    """A Klass colour is `#rrggbb`, as a tag's (it is written into a style attribute)."""
    value = p.string("color", max_length=7)
    if value and len(value) <= 7 and not COLOR_RE.match(value):
        p.error("color", "invalid", "color must look like #rrggbb.")
        return None
    return value.lower() if value else value


@transaction.atomic
def klass_create(*, org, actor, data):
    p, name, fields = _klass_payload(data, creating=True)
    taken = f"A Klass named '{name}' exists (names ignore case)."
    if name and not p.errors:
        existing = Klass.objects.filter(org=org, name__iexact=name).values_list("name", flat=True)
        for other in existing[:1]:
            p.error("name", "taken", f"A Klass named '{other}' exists (names ignore case).")
    rels = p.data.get("relationships")
    if rels is not None and name:
        p.errors += relationships.validate_definitions(org=org, klass_name=name, items=rels)
    raise_invalid_or_taken(p.errors)
    fields.setdefault("display_name", name.replace("_", " ").replace("-", " ").title())
    with conflict_on_duplicate("/name", taken):  # a concurrent create of the same name
        klass = Klass.objects.create(org=org, name=name, **fields)
    if rels:
        relationships.definitions_set(org=org, actor=actor, klass=klass, items=rels)
    emit(
        org=org,
        type="klass.create",
        resource="klass",
        resource_id=klass.name,
        actor=actor,
        rev=1,
        data={"name": name, "displayName": klass.display_name},
    )
    return klass


@transaction.atomic
def klass_update(*, org, actor, klass, data, rev=None):
    p, _, fields = _klass_payload(data, creating=False)
    if "name" in p.data and p.data["name"] != klass.name:
        p.error("name", "read_only", "A Klass cannot be renamed.")
    rels = p.data.get("relationships")
    if rels is not None:
        p.errors += relationships.validate_definitions(org=org, klass_name=klass.name, items=rels)
    p.raise_if_errors()
    klass = Klass.objects.select_for_update().get(pk=klass.pk)
    check_rev(klass.rev, rev if rev is not None else p.data.get("rev"), resource="Klass")
    changes = assign_changes(klass, fields, KLASS_API_NAMES)
    if rels is not None:
        before = relationships.definitions_for(org=org, klass_names=[klass.name])[klass.name]
        relationships.definitions_set(org=org, actor=actor, klass=klass, items=rels)
        after = relationships.definitions_for(org=org, klass_names=[klass.name])[klass.name]
        if before != after:
            changes["relationships"] = {"before": before, "after": after}
    klass.rev += 1
    klass.updated_at = timezone.now()
    klass.save()
    emit(
        org=org,
        type="klass.update",
        resource="klass",
        resource_id=klass.name,
        actor=actor,
        rev=klass.rev,
        data={"name": klass.name},
        changes=changes,
    )
    return klass


def klass_get(*, org, name):
    klass = Klass.objects.filter(org=org, name=name).first()
    if klass is None:
        raise NotFound(f"No Klass named '{name}'.")
    return klass


# ---- metadata ---------------------------------------------------------------------------------


def _valid_resource(org, resource):
    if resource in ("customer", "company", "conversation", "message"):
        return
    if (
        resource.startswith("kobject.")
        and Klass.objects.filter(org=org, name=resource[len("kobject.") :]).exists()
    ):
        return
    raise NotFound(
        f"Unknown resource '{resource}': use customer, company, conversation, message or "
        "kobject.<klass name>."
    )


def _rows_for(org, resource):
    """(id, values) of every stored row whose custom values a definition change would touch."""
    from django.apps import apps

    if resource.startswith("kobject."):
        qs = KObject.objects.filter(org=org, klass__name=resource[len("kobject.") :])
        for row_id, data, custom in qs.values_list("id", "data", "custom").iterator():
            yield row_id, {**(data or {}), **(custom or {})}
        return
    model = {
        "customer": ("customers", "Customer"),
        "company": ("customers", "Company"),
        "conversation": ("conversations", "Conversation"),
        "message": ("conversations", "Message"),
    }[resource]
    try:
        qs = apps.get_model(*model).objects.filter(org=org)
    except LookupError:
        return
    yield from qs.values_list("id", "custom").iterator()


@transaction.atomic
def metadata_update(*, org, actor, resource, data, force=False, replace=False):
    """Define attributes for a resource. A change existing rows would violate is refused with
    the number of rows that would break, unless `force` (then those rows are left untouched and
    reported)."""
    _valid_resource(org, resource)
    p = Payload(data, allowed={"properties", "rev"})
    raw = p.obj("properties")
    if raw is None and not p.errors:
        p.error("properties", "required", "properties is required.")
    p.raise_if_errors()
    meta, created = Metadata.objects.select_for_update().get_or_create(org=org, resource=resource)
    # a resource nobody defined yet reads as rev 0, so that is the rev a first write may send
    check_rev(0 if created else meta.rev, p.data.get("rev"), resource="metadata")
    if not replace:
        # A PUT changes only what it carries, down to each definition's keys: `{"required":
        # true}` keeps the displayName; a key sent as null goes back to its default.
        raw = {
            name: {**meta.properties[name], **d}
            if isinstance(d, dict) and isinstance(meta.properties.get(name), dict)
            else d
            for name, d in raw.items()
        }
    definitions, errors = normalize_definitions(raw)
    if errors:
        raise ValidationFailed([FieldError(e.pointer, e.code, e.detail) for e in errors])
    merged = dict(definitions) if replace else {**meta.properties, **definitions}
    # Only attributes whose definitions change are re-checked: a row already wrong on an
    # attribute nobody touches must not block this change.
    broken = (
        check_existing(meta.properties, merged, _rows_for(org, resource)) if definitions else []
    )
    if broken and not force:
        raise Conflict(
            f"{len(broken)} existing row(s) would violate these definitions (for example id "
            f"{', '.join(map(str, broken[:5]))}). Fix them first, or send ?force=true to apply the "
            "definitions and leave those rows as they are.",
            errors=[
                FieldError(
                    "/properties",
                    "would_break",
                    f"{len(broken)} existing row(s) would violate these definitions.",
                )
            ],
        )
    before = meta.properties
    meta.properties = merged
    meta.rev += 1
    meta.updated_at = timezone.now()
    meta.save()
    attributes.invalidate(org, resource)
    changes = {
        name: {"before": before.get(name), "after": merged.get(name)}
        for name in set(before) | set(merged)
        if before.get(name) != merged.get(name)
    }
    emit(
        org=org,
        type="metadata.update",
        resource="metadata",
        resource_id=resource,
        actor=actor,
        rev=meta.rev,
        data=metadata_resource(resource, merged, meta.rev, meta.updated_at),
        changes=changes,
    )
    return meta, broken


def metadata_get(*, org, resource):
    _valid_resource(org, resource)
    meta = Metadata.objects.filter(org=org, resource=resource).first()
    if meta is None:
        return {}, 0, None
    return meta.properties, meta.rev, meta.updated_at


# ---- KObjects ---------------------------------------------------------------------------------


def _refs(org, customer_ids, company_ids):
    from customers.models import Company, Customer

    found_customers = (
        set(Customer.objects.filter(org=org, pk__in=customer_ids).values_list("pk", flat=True))
        if customer_ids
        else set()
    )
    found_companies = (
        set(Company.objects.filter(org=org, pk__in=company_ids).values_list("pk", flat=True))
        if company_ids
        else set()
    )
    return found_customers, found_companies


# (attribute, field, the cleared value) for an attribute sent as null; customer/company 0 unlinks
KOBJECT_CLEARED = (
    ("externalId", "external_id", None),
    ("description", "description", ""),
    ("icon", "icon", ""),
    ("images", "images", []),
    ("tags", "tags", []),
    ("customer", "customer_id", 0),
    ("company", "company_id", 0),
)
IMAGE_SCHEMES = ("http", "https")


def _images(p):
    """`images`: absolute http(s) URLs (they end up in <img src>)."""
    values = p.strings("images", max_length=2048)
    if values is None:
        return None
    for index, value in enumerate(values):
        parts = urlsplit(value)
        if parts.scheme.lower() not in IMAGE_SCHEMES or not parts.netloc:
            p.errors.append(
                FieldError(
                    f"{p.pointer}/images/{index}",
                    "invalid",
                    "an image is an absolute http:// or https:// URL.",
                )
            )
    return values


def _kobject_fields(
    org, klass, data, *, creating, pointer="", validator=None, undefined=None, existing=None
):
    """Validate one KObject body; returns (fields, errors). `customer`/`company` are ids;
    `existing` is the KObject an update changes (what `"data": null` clears).
    `relationships` is read by the single-object services (_body_links), not here."""
    p = Payload(data, allowed=KOBJECT_FIELDS, pointer=pointer)
    fields = {
        "title": p.string("title", required=creating, blank=False),
        "external_id": p.string("externalId"),
        "description": p.string("description", max_length=10000),
        "icon": p.string("icon", max_length=64),
        "images": _images(p),
        "tags": p.strings("tags"),
        "customer_id": p.reference("customer"),
        "company_id": p.reference("company"),
    }
    # An attribute sent as null is cleared (an update changes only what the body carries).
    nulls = {k for k, v in p.data.items() if v is None}
    if fields["external_id"] == "":
        nulls.add("externalId")  # blank is no externalId: never a shared "" key
    if "title" in nulls and not creating:
        p.error("title", "required", "title is required: it cannot be cleared.")
    kept = set()
    for name, field, cleared in KOBJECT_CLEARED:
        if name in nulls:
            fields[field] = cleared
            kept.add(field)
    resource = f"kobject.{klass.name}"
    engine_errors = []
    for key in ("data", "custom"):
        values = p.obj(key)
        if key in nulls and existing is not None:
            # `"data": null` clears every value; the engine names the required ones
            values = dict.fromkeys(getattr(existing, key) or {})
        if values is None and not (creating and key == "data"):
            continue
        cleaned, errs, new = attributes.validate(
            org=org,
            resource=resource,
            values=values or {},
            pointer=f"{pointer}/{key}",
            creating=creating and key == "data",
            validator=validator,
        )
        fields[key] = cleaned
        engine_errors.extend(errs)
        if undefined is not None:
            undefined.update(new)
        elif not errs:
            attributes.record(org, resource, new)
    errors = [*p.errors, *engine_errors]
    return (
        {k: v for k, v in fields.items() if v is not None or k in kept},
        errors,
        p.data.get("rev"),
    )


def _check_refs(org, items):
    """items: [(pointer, fields)] → errors for customer/company ids outside the org."""
    customers = {f["customer_id"] for _, f in items if f.get("customer_id")}
    companies = {f["company_id"] for _, f in items if f.get("company_id")}
    found_customers, found_companies = _refs(org, customers, companies)
    errors = []
    for pointer, f in items:
        if f.get("customer_id") and f["customer_id"] not in found_customers:
            errors.append(FieldError(f"{pointer}/customer", "not_found", "No such customer."))
        if f.get("company_id") and f["company_id"] not in found_companies:
            errors.append(FieldError(f"{pointer}/company", "not_found", "No such company."))
    return errors


def _apply(obj, fields):
    for key, value in fields.items():
        if key in ("customer_id", "company_id"):
            value = value or None
        if key in ("data", "custom") and obj.pk:
            value = {k: v for k, v in {**getattr(obj, key), **value}.items() if v is not None}
        setattr(obj, key, value)


CHANGE_NAMES = {
    "title": "title",
    "external_id": "externalId",
    "description": "description",
    "icon": "icon",
    "images": "images",
    "tags": "tags",
    "customer_id": "customer",
    "company_id": "company",
}


def _changes(before, after):
    out = {}
    for field, name in CHANGE_NAMES.items():
        if before.get(field) != after.get(field):
            out[name] = {"before": before.get(field), "after": after.get(field)}
    for key in ("data", "custom"):
        b, a = before.get(key) or {}, after.get(key) or {}
        for attr in set(b) | set(a):
            if b.get(attr) != a.get(attr):
                out[f"{key}.{attr}"] = {"before": b.get(attr), "after": a.get(attr)}
    return out


def _snapshot(obj):
    return {f: getattr(obj, f) for f in (*CHANGE_NAMES, "data", "custom")}


def _rule_record(obj):
    """What validation rules read of a KObject: its API attribute names, links as ids."""
    return {
        "externalId": obj.external_id,
        "title": obj.title,
        "description": obj.description,
        "images": obj.images,
        "icon": obj.icon,
        "tags": obj.tags,
        "data": obj.data or {},
        "custom": obj.custom or {},
        "customer": str(obj.customer_id) if obj.customer_id else None,
        "company": str(obj.company_id) if obj.company_id else None,
    }


def kobject_rule_errors(
    *, org, klass, fields, existing=None, replace=False, pointer="", rules=None
):
    """The FieldErrors the validation rules of `kobject.<klass>` report for one prepared item.

    `fields` is what _kobject_fields returned for the item; `existing` the KObject it updates
    (None: it creates one); `replace` a full replacement (PUT) of data/custom. Nothing is
    written and `existing` is left as it is. `pointer` prefixes every error (`/3` in a bulk
    call); pass `rules=attributes.rules_for(org, f"kobject.{klass.name}")` when checking many
    items so the rules are read once.
    """
    if existing is None:
        probe, before = KObject(org=org, klass=klass), None
    else:
        probe = KObject(
            **{f.attname: getattr(existing, f.attname) for f in KObject._meta.concrete_fields}
        )
        before = _snapshot(existing)
        if replace:
            probe.data, probe.custom = {}, {}
    _apply(probe, fields)
    record = _rule_record(probe)
    changed = set(record) if before is None else set(_changes(before, _snapshot(probe)))
    errors = attributes.check_rules(
        org=org,
        resource=f"kobject.{klass.name}",
        action="create" if existing is None else "update",
        record=record,
        changed=changed,
        rules=rules,
    )
    if pointer:
        errors = [FieldError(pointer + e.pointer, e.code, e.detail) for e in errors]
    return errors


def _event(klass, obj, action, changes=None, links=None):
    return {
        "type": f"kobject.{klass.name}.{action}",
        "resource": f"kobject.{klass.name}",
        "resource_id": obj.pk,
        "customer_id": obj.customer_id,
        "rev": obj.rev,
        "data": kobject_resource(obj, klass.name, links),
        "changes": changes or {},
    }


def _body_links(org, klass, data, errors):
    """The body's `relationships`, checked (errors appended): [(relationship, targets)]."""
    if not isinstance(data, dict) or data.get("relationships") is None:
        return []
    try:
        return relationships.body_relationships(org=org, klass=klass, value=data["relationships"])
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return []


@transaction.atomic
def kobject_links_change(*, org, actor, relationship, kobject, data, mode):
    """The relationship endpoints: add (`add`), replace (`replace`) or remove (`remove`) the
    links of one object; the object's rev is left alone (links are their own events)."""
    targets = relationships.parse_linkage(
        org=org, relationship=relationship, data=data, pointer="/data"
    )
    relationships.links_change(
        org=org,
        actor=actor,
        relationship=relationship,
        from_id=kobject.pk,
        targets=targets,
        mode=mode,
    )


def kobject_links(*, org, klass, kobject):
    """The JSON:API `relationships` an object's declared links add to its resource."""
    return relationships.linkage(org=org, resource=f"kobject.{klass.name}", ids=[kobject.pk])[
        str(kobject.pk)
    ]


def _save_unique(obj, pointer=""):
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(
            f"Another {obj.klass.name} already has externalId {obj.external_id!r}.",
            errors=[
                FieldError(
                    f"{pointer}/externalId",
                    "taken",
                    f"externalId {obj.external_id!r} is taken in this Klass.",
                )
            ],
        ) from None


@transaction.atomic
def kobject_create(*, org, actor, klass, data):
    if klass.status != Klass.Status.ACTIVE:
        raise ValidationFailed(
            [FieldError("", "disabled", f"The Klass '{klass.name}' is disabled.")]
        )
    fields, errors, _ = _kobject_fields(org, klass, data, creating=True)
    errors += _check_refs(org, [("", fields)])
    links = _body_links(org, klass, data, errors)
    if not errors:
        errors += kobject_rule_errors(org=org, klass=klass, fields=fields)
    if errors:
        raise ValidationFailed(errors)
    obj = KObject(org=org, klass=klass)
    _apply(obj, fields)
    _save_unique(obj)
    relationships.body_links_apply(org=org, actor=actor, kobject=obj, items=links)
    linkage = kobject_links(org=org, klass=klass, kobject=obj) if links else {}
    emit(org=org, actor=actor, **_event(klass, obj, "create", links=linkage))
    return obj


@transaction.atomic
def kobject_update(*, org, actor, klass, kobject, data, rev=None, partial=True):
    obj = KObject.objects.select_for_update().select_related("klass").filter(pk=kobject.pk).first()
    if obj is None:
        raise NotFound(f"No {klass.name} with this id.")
    body_rev = data.get("rev") if isinstance(data, dict) else None
    check_rev(obj.rev, rev if rev is not None else body_rev, resource=klass.name)
    fields, errors, _ = _kobject_fields(org, klass, data, creating=not partial, existing=obj)
    errors += _check_refs(org, [("", fields)])
    links = _body_links(org, klass, data, errors)
    if errors:
        raise ValidationFailed(errors)
    errors = kobject_rule_errors(
        org=org, klass=klass, fields=fields, existing=obj, replace=not partial
    )
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(obj)
    if not partial:
        obj.data, obj.custom = {}, {}
    _apply(obj, fields)
    after = _snapshot(obj)
    changes = _changes(before, after)
    obj.rev += 1
    obj.updated_at = timezone.now()
    _save_unique(obj)
    relationships.body_links_apply(org=org, actor=actor, kobject=obj, items=links)
    linkage = kobject_links(org=org, klass=klass, kobject=obj)
    emit(org=org, actor=actor, **_event(klass, obj, "update", changes, links=linkage))
    return obj


@transaction.atomic
def kobject_delete(*, org, actor, klass, kobject, rev=None):
    if rev is not None:
        kobject = KObject.objects.select_for_update().filter(org=org, pk=kobject.pk).first()
        if kobject is None:
            raise NotFound(f"No {klass.name} with this id.")
        check_rev(kobject.rev, rev, resource=klass.name)
    snapshot = _event(klass, kobject, "delete")
    links_remove(org=org, actor=actor, resource=f"kobject.{klass.name}", ids=[kobject.pk])
    KObject.objects.filter(org=org, pk=kobject.pk).delete()
    emit(org=org, actor=actor, **snapshot)


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
        setattr(obj, field, None)
        obj.rev += 1
        obj.updated_at = now
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


def kobject_get(*, org, klass, pk=None, external_id=None):
    if pk is not None:
        obj = KObject.objects.filter(org=org, klass=klass, pk=pk).first()
    else:
        # Through the (klass, externalId) unique index whatever the statistics say: the klass
        # (one of org's) scopes the query, and no other index starts with klass; no ORDER BY.
        obj = next(iter(KObject.objects.filter(klass=klass, external_id=external_id)[:1]), None)
        if obj is not None and obj.org_id != getattr(org, "pk", org):
            obj = None
    if obj is None:
        raise NotFound(f"No {klass.name} with this {'id' if pk is not None else 'externalId'}.")
    return obj


@transaction.atomic
def kobject_upsert(*, org, actor, klass, external_id, data):
    """Create or update the KObject with this externalId; returns (kobject, created)."""
    body = dict(data) if isinstance(data, dict) else data
    if isinstance(body, dict):
        if body.get("externalId") not in (None, external_id):
            raise ValidationFailed(
                [
                    FieldError(
                        "/externalId", "mismatch", "externalId differs from the one in the path."
                    )
                ]
            )
        body["externalId"] = external_id
    existing = (
        KObject.objects.select_for_update()
        .filter(org=org, klass=klass, external_id=external_id)
        .first()
    )
    if existing is None:
        try:
            return kobject_create(org=org, actor=actor, klass=klass, data=body), True
        except Conflict as exc:
            # a concurrent upsert created it first: this one updates that object instead
            if not any(e.pointer == "/externalId" for e in exc.errors):
                raise
            existing = (
                KObject.objects.select_for_update()
                .filter(org=org, klass=klass, external_id=external_id)
                .first()
            )
            if existing is None:
                raise
    return kobject_update(org=org, actor=actor, klass=klass, kobject=existing, data=body), False


KOBJECT_COLUMNS = [
    "title",
    "external_id",
    "description",
    "icon",
    "images",
    "tags",
    "customer_id",
    "company_id",
    "data",
    "custom",
    "rev",
    "updated_at",
]


def _external_key(item):
    """The externalId an item will be stored under (as Payload cleans it), or None."""
    value = item.get("externalId") if isinstance(item, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def kobject_bulk(*, org, actor, klass, items, partial=False, may_create=True, may_update=True):
    """Create or upsert (by externalId) up to 1000 KObjects.

    All-or-nothing by default: any invalid item fails the whole call with every item's errors
    (pointers `/3/data/totalNum`). With `partial`, valid items are written and a per-item result
    list reports each one. An item that matches an existing externalId is an update (defaults
    and required attributes apply only to new objects); `may_create`/`may_update` say which of
    the two the caller is allowed.
    """
    if not isinstance(items, list):
        raise ValidationFailed(
            [FieldError("", "type", "The body must be a JSON array of objects.")]
        )
    if len(items) > BULK_LIMIT:
        raise ValidationFailed(
            [
                FieldError(
                    "", "too_many", f"At most {BULK_LIMIT} objects per call ({len(items)} sent)."
                )
            ]
        )
    if klass.status != Klass.Status.ACTIVE:
        raise ValidationFailed(
            [FieldError("", "disabled", f"The Klass '{klass.name}' is disabled.")]
        )
    # A concurrent call may create or change some of these objects between our lookup and our
    # write; all of this call's work is then rolled back and it runs once more, now seeing them
    # (an upsert's loser updates what the winner created). A second loss is the client's 409.
    for attempt in range(2):
        try:
            return _kobject_bulk_once(org, actor, klass, items, partial, may_create, may_update)
        except _Raced as exc:
            if attempt:
                raise Conflict(str(exc), errors=exc.errors) from None
    raise AssertionError("unreachable")


class _Raced(Conflict):
    """A concurrent call won a race on one of the bulk's rows (the bulk retries once)."""


def _kobject_bulk_once(org, actor, klass, items, partial, may_create, may_update):
    with transaction.atomic():
        # Read the matches first: whether an item creates or updates decides how it validates.
        matches = KObject.objects.filter(
            org=org, klass=klass, external_id__in={k for k in map(_external_key, items) if k}
        )
        if not bulk.optimistic():  # elsewhere the update below checks each row's rev itself
            matches = matches.select_for_update()
        existing = {o.external_id: o for o in matches}
        # the object each item updates (None: it creates one), decided once for every step below
        matched = [existing.get(_external_key(item)) for item in items]
        prepared, item_errors, new_names = [], {}, []
        validator = attributes.validator_for(org, f"kobject.{klass.name}")
        for i, item in enumerate(items):
            new_names.append({})
            fields, errors, _ = _kobject_fields(
                org,
                klass,
                item,
                creating=matched[i] is None,
                pointer=f"/{i}",
                validator=validator,
                undefined=new_names[i],
                existing=matched[i],
            )
            if isinstance(item, dict) and "relationships" in item:
                errors.append(
                    FieldError(
                        f"/{i}/relationships",
                        "unsupported",
                        "Bulk calls do not set relationships: link objects through "
                        "/v1/klasses/{name}/{id}/relationships/{rel}.",
                    )
                )
            if errors:
                item_errors[i] = errors
            prepared.append(fields)
        for error in _check_refs(org, [(f"/{i}", f) for i, f in enumerate(prepared)]):
            index = int(error.pointer.split("/")[1])
            item_errors.setdefault(index, []).append(error)
        rules = attributes.rules_for(org, f"kobject.{klass.name}")
        if rules:  # one query for the rules; nothing per item when there are none
            for i, fields in enumerate(prepared):
                if i in item_errors:
                    continue
                errors = kobject_rule_errors(
                    org=org,
                    klass=klass,
                    fields=fields,
                    existing=matched[i],
                    pointer=f"/{i}",
                    rules=rules,
                )
                if errors:
                    item_errors[i] = errors
        seen = {}
        for i, fields in enumerate(prepared):
            ext = fields.get("external_id")
            if ext:
                if ext in seen:
                    item_errors.setdefault(i, []).append(
                        FieldError(
                            f"/{i}/externalId",
                            "duplicate",
                            f"externalId {ext!r} repeats item {seen[ext]}.",
                        )
                    )
                seen.setdefault(ext, i)
        good = [i for i in range(len(prepared)) if i not in item_errors]
        _bulk_check_permission(good, matched, may_create, may_update)
        if item_errors and not partial:
            raise ValidationFailed([e for i in sorted(item_errors) for e in item_errors[i]])
        # definitions are recorded only for attributes that items actually written introduce
        undefined = {}
        for i in good:
            undefined.update(new_names[i])
        attributes.record(org, f"kobject.{klass.name}", undefined)
        now = timezone.now()
        to_create, to_update, events, results = [], [], [], {}
        for i in good:
            fields, obj = prepared[i], matched[i]
            if obj is None:
                obj = KObject(org=org, klass=klass, created_at=now, updated_at=now)
                _apply(obj, fields)
                to_create.append((i, obj))
            else:
                before = _snapshot(obj)
                _apply(obj, fields)
                obj.rev += 1
                obj.updated_at = now
                to_update.append((i, obj, _changes(before, _snapshot(obj))))
        try:
            with transaction.atomic():
                bulk.insert(KObject, [o for _, o in to_create])
        except IntegrityError:
            # a concurrent call created one of these externalIds after our lookup
            raise _Raced(
                "Another request created some of these externalIds at the same time; retry.",
                errors=[
                    FieldError(f"/{i}/externalId", "taken", "externalId was taken meanwhile.")
                    for i, o in to_create
                    if o.external_id
                ],
            ) from None
        if bulk.update(KObject, [o for _, o, _ in to_update], KOBJECT_COLUMNS, version="rev") < len(
            to_update
        ):
            raise _Raced(
                "Some of these objects changed while this call ran; nothing was written. Retry."
            )
        for i, obj in to_create:
            events.append(_event(klass, obj, "create"))
            results[i] = ("created", events[-1]["data"])
        for i, obj, changes in to_update:
            events.append(_event(klass, obj, "update", changes))
            results[i] = ("updated", events[-1]["data"])
        emit_many(org=org, actor=actor, events=events)
        if to_create:
            # the first import into a fresh install gets real plans right away
            transaction.on_commit(lambda: table_stats.analyze_if_never(KObject, Event))
    out = []
    for i in range(len(items)):
        if i in results:
            status, resource = results[i]  # the event's snapshot is the response's resource
            out.append({"index": i, "status": status, "data": resource})
        else:
            out.append({"index": i, "status": "failed", "errors": item_errors.get(i, [])})
    return out


def _bulk_check_permission(good, matched, may_create, may_update):
    creates = [i for i in good if matched[i] is None]
    updates = [i for i in good if matched[i] is not None]
    denied = []
    if not may_create and creates:
        denied += [
            FieldError(f"/{i}", "forbidden", "Creating objects needs the create scope.")
            for i in creates
        ]
    if not may_update and updates:
        denied += [
            FieldError(f"/{i}", "forbidden", "Updating objects needs the update scope.")
            for i in updates
        ]
    if denied:
        raise Forbidden(
            f"{len(denied)} item(s) need a permission this key does not have.", errors=denied
        )


def kobjects_move_customer(*, org, source_id, target_id):
    """Merge support: the source customer's KObjects now belong to the target."""
    return KObject.objects.filter(org=org, customer_id=source_id).update(customer_id=target_id)


# ---- relationships ----------------------------------------------------------------------------


def _resource_exists(org, resource, ident):
    from django.apps import apps

    if resource.startswith("kobject."):
        return KObject.objects.filter(org=org, klass__name=resource[8:], pk=ident).exists()
    model = {
        "customer": ("customers", "Customer"),
        "company": ("customers", "Company"),
        "conversation": ("conversations", "Conversation"),
    }.get(resource)
    if model is None:
        return False
    try:
        return apps.get_model(*model).objects.filter(org=org, pk=ident).exists()
    except LookupError:
        return False


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
            and resource not in ("customer", "company", "conversation")
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


# ---- validation rules -------------------------------------------------------------------------


# What a validation rule may name, per resource: the standard attributes its service checks
# the rules against, and `custom.<name>` (KObjects also `data.<name>`).
RULE_ATTRIBUTES = {
    "customer": (
        "name",
        "externalId",
        "emails",
        "phones",
        "socials",
        "urls",
        "locations",
        "tags",
        "locale",
        "timeZone",
        "company",
    ),
    "company": ("name", "externalId", "domains", "tags"),
    "message": ("body", "direction", "channel", "sentAt", "subject"),
    "conversation": (
        "name",
        "status",
        "snoozeUntil",
        "priority",
        "assignedUser",
        "assignedTeam",
        "tags",
    ),
    "kobject": (
        "title",
        "externalId",
        "description",
        "images",
        "icon",
        "tags",
        "customer",
        "company",
    ),
}
RULE_MESSAGE_MAX = ValidationRule._meta.get_field("message").max_length


def _defined(org, resource):
    """The custom attribute names `resource` has a definition for (recorded on first write)."""
    row = Metadata.objects.filter(org=org, resource=resource).values("properties").first()
    return set((row or {}).get("properties") or {})


def _rule_errors(org, resource, attribute, when, status, message):
    from conversations.models import Conversation

    statuses = Conversation.Status.values
    errors = []
    kind = None
    if not isinstance(resource, str) or not resource:
        errors.append(FieldError("/resource", "required", "Name the resource."))
    elif resource in RULE_ATTRIBUTES and resource != "kobject":
        kind = resource
    elif (
        resource.startswith("kobject.")
        and Klass.objects.filter(org=org, name=resource[len("kobject.") :]).exists()
    ):
        kind = "kobject"
    else:
        errors.append(
            FieldError(
                "/resource",
                "invalid",
                f"Unknown resource {resource!r}: rules apply to customer, company, conversation, "
                "message or kobject.<an existing Klass>.",
            )
        )
    if when not in ValidationRule.When.values:
        errors.append(
            FieldError("/when", "invalid", f"when is one of {ValidationRule.When.values}.")
        )
    if when == ValidationRule.When.STATUS:
        if kind is not None and kind != "conversation":
            errors.append(
                FieldError("/when", "invalid", "Only conversations have a status to guard.")
            )
        elif not status:
            errors.append(FieldError("/status", "required", "Name the status the rule guards."))
        elif status not in statuses:
            errors.append(
                FieldError("/status", "invalid", f"status is one of {', '.join(statuses)}.")
            )
    if not attribute or not isinstance(attribute, str):
        errors.append(FieldError("/attribute", "required", "Name the attribute."))
    elif kind is not None:
        prefixes = ("custom", "data") if kind == "kobject" else ("custom",)
        head, _, name = attribute.partition(".")
        if name:
            valid = head in prefixes and "." not in name
            if valid:
                try:
                    attribute_type(name)
                except UnknownAttributeType:
                    valid = False
            if valid and name not in _defined(org, resource):
                errors.append(
                    FieldError(
                        "/attribute",
                        "undefined",
                        f"{resource} has no attribute {name!r}: define it first "
                        f"(PUT /v1/metadata/{resource}) or write a value with it.",
                    )
                )
                valid = None  # reported
        else:
            valid = attribute in RULE_ATTRIBUTES[kind]
        if valid is False:
            errors.append(
                FieldError(
                    "/attribute",
                    "invalid",
                    f"Unknown attribute {attribute!r} for {resource}: use one of "
                    f"{', '.join(RULE_ATTRIBUTES[kind])} or "
                    f"{' / '.join(p + '.<name>' for p in prefixes)} with a typed name "
                    "(e.g. custom.reasonStr).",
                )
            )
    if message and len(message) > RULE_MESSAGE_MAX:
        errors.append(
            FieldError(
                "/message", "max_length", f"message must be at most {RULE_MESSAGE_MAX} characters."
            )
        )
    return errors


CONDITION_OPS = {
    "required": None,
    "equals": "scalar",
    "not_equals": "scalar",
    "in": "list",
    "not_in": "list",
    "gt": "number",
    "gte": "number",
    "lt": "number",
    "lte": "number",
    "contains": "text",
    "starts_with": "text",
    "min_length": "count",
    "max_length": "count",
}


def _condition_errors(condition):
    """A rule's condition: {} (the value must be present) or {op, value}."""
    if condition in (None, {}):
        return []
    if not isinstance(condition, dict):
        return [FieldError("/condition", "type", "condition is {op, value}.")]
    errors = [
        FieldError(f"/condition/{k}", "unknown", f"Unknown attribute '{k}'.")
        for k in condition
        if k not in ("op", "value")
    ]
    op = condition.get("op")
    if not isinstance(op, str) or op not in CONDITION_OPS:
        return errors + [
            FieldError("/condition/op", "invalid", f"op is one of {', '.join(CONDITION_OPS)}.")
        ]
    kind, value = CONDITION_OPS[op], condition.get("value")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    valid = {
        None: "value" not in condition,
        "scalar": isinstance(value, str | bool) or number,
        "list": isinstance(value, list)
        and 0 < len(value) <= 100
        and all(isinstance(v, str | int | float | bool) for v in value),
        "number": number or isinstance(value, str) and bool(value),
        "text": isinstance(value, str) and 0 < len(value) <= 255,
        "count": isinstance(value, int) and not isinstance(value, bool) and value >= 0,
    }[kind]
    if not valid:
        expected = {
            None: "no value",
            "scalar": "a string, number or boolean",
            "list": "a list of 1 to 100 values",
            "number": "a number (or an ISO-8601 time)",
            "text": "a non-empty string",
            "count": "a whole number ≥ 0",
        }[kind]
        errors.append(FieldError("/condition/value", "invalid", f"{op} takes {expected}."))
    return errors


def _rule_event(org, actor, rule, action, changes=None):
    from klasses.representations import rule_resource

    emit(
        org=org,
        type=f"validation_rule.{action}",
        resource="validation_rule",
        resource_id=rule.pk,
        actor=actor,
        rev=rule.rev,
        data=rule_resource(rule),
        changes=changes or {},
    )


@transaction.atomic
def rule_create(
    *,
    org,
    actor,
    resource=None,
    attribute=None,
    when=None,
    status="",
    message="",
    condition=None,
    active=True,
    errors=(),
):
    """`errors`: problems the caller already found in the body (rule_payload)."""
    errors = _merge_errors(
        list(errors),
        _rule_errors(org, resource, attribute, when, status, message)
        + _condition_errors(condition),
    )
    if errors:
        raise ValidationFailed(errors)
    rule = ValidationRule.objects.create(
        org=org,
        resource=resource,
        attribute=attribute,
        when=when,
        status=status or "",
        message=message or "",
        condition=condition or {},
        active=active,
    )
    _rule_event(org, actor, rule, "create")
    return rule


RULE_FIELDS = {"resource", "attribute", "when", "status", "message", "condition", "active", "rev"}
RULE_API_NAMES = {}


def rule_payload(data, *, creating):
    """A `/v1/validations` body → keyword arguments for rule_create / rule_update."""
    p = Payload(data, allowed=RULE_FIELDS)
    fields = {
        "resource": p.string("resource", max_length=120),
        "attribute": p.string("attribute", max_length=120),
        "when": p.string("when", max_length=10),
        "status": p.string("status", max_length=20),
        "message": p.string("message", max_length=RULE_MESSAGE_MAX),
        "active": p.boolean("active"),
    }
    if p.has("condition"):
        fields["condition"] = p.data["condition"] or {}
    fields = {k: v for k, v in fields.items() if v is not None}
    if p.errors:
        fields["errors"] = p.errors  # reported with the rule's own problems, all at once
    return fields, p.data.get("rev")


def _merge_errors(first, more):
    """`first`, then those of `more` at a pointer `first` does not already name."""
    named = {e.pointer for e in first}
    return [*first, *(e for e in more if e.pointer not in named)]


@transaction.atomic
def rule_update(*, org, actor, rule, data, rev=None):
    fields, body_rev = rule_payload(data, creating=False)
    found = fields.pop("errors", [])
    rule = ValidationRule.objects.select_for_update().filter(org=org, pk=rule.pk).first()
    if rule is None:
        raise NotFound("No validation with this id.")
    check_rev(rule.rev, rev if rev is not None else body_rev, resource="validation")
    merged = {
        "resource": rule.resource,
        "attribute": rule.attribute,
        "when": rule.when,
        "status": rule.status,
        "message": rule.message,
        **fields,
    }
    if merged["when"] != ValidationRule.When.STATUS and "status" not in fields:
        merged["status"] = ""
    errors = _rule_errors(
        org,
        merged["resource"],
        merged["attribute"],
        merged["when"],
        merged["status"],
        merged["message"],
    )
    errors = _merge_errors(found, errors + _condition_errors(fields.get("condition")))
    if errors:
        raise ValidationFailed(errors)
    changes = assign_changes(rule, {**merged, **fields})
    if not changes:
        return rule
    rule.rev += 1
    rule.updated_at = timezone.now()
    rule.save()
    _rule_event(org, actor, rule, "update", changes)
    return rule


@transaction.atomic
def rule_delete(*, org, actor, rule, rev=None):
    rule = ValidationRule.objects.select_for_update().filter(org=org, pk=rule.pk).first()
    if rule is None:
        raise NotFound("No validation with this id.")
    check_rev(rule.rev, rev, resource="validation")
    _rule_event(org, actor, rule, "delete")
    rule.delete()


def rule_get(*, org, pk):
    rule = ValidationRule.objects.filter(org=org, pk=pk).first()
    if rule is None:
        raise NotFound("No validation with this id.")
    return rule


# ---- KViews -----------------------------------------------------------------------------------

KVIEW_FIELDS = {
    "name",
    "resource",
    "context",
    "kind",
    "template",
    "urlTemplate",
    "position",
    "active",
    "rev",
}


# (attribute, field, the cleared value, None where it cannot be cleared)
KVIEW_CLEARED = (
    ("name", "name", None),
    ("resource", "resource", None),
    ("context", "context", None),
    ("kind", "kind", None),
    ("template", "template", ""),
    ("urlTemplate", "url_template", ""),
    ("position", "position", 0),
    ("active", "active", None),
)


def _kview_fields(org, data, *, creating, current=None):
    """(fields to set, body rev). `current`: the KView an update changes, so that the kind it
    ends up with is checked against the template it ends up with."""
    p = Payload(data, allowed=KVIEW_FIELDS)
    fields = {
        "name": p.string("name", max_length=120, required=creating, blank=False),
        "resource": p.string("resource", max_length=120, required=creating),
        "context": p.choice("context", KView.Context.values, required=creating),
        "kind": p.choice("kind", KView.Kind.values),
        "template": p.string("template", max_length=50000),
        "url_template": p.string("urlTemplate", max_length=2048),
        "position": p.integer("position", minimum=-1000, maximum=1000),
        "active": p.boolean("active"),
    }
    for attribute, field, cleared in KVIEW_CLEARED:
        if not creating and attribute in p.data and p.data[attribute] is None:
            if cleared is None:
                p.error(attribute, "required", f"{attribute} is required: it cannot be cleared.")
            else:
                fields[field] = cleared
    resource = fields["resource"]
    if resource and resource not in ("customer", "conversation"):
        if (
            not resource.startswith("kobject.")
            or not Klass.objects.filter(org=org, name=resource[8:]).exists()
        ):
            p.error(
                "resource",
                "invalid",
                "resource is customer, conversation or kobject.<an existing Klass>.",
            )
    kind = fields["kind"] or (current.kind if current is not None else "template")
    template = (
        fields["template"] if fields["template"] is not None else getattr(current, "template", "")
    )
    url = (
        fields["url_template"]
        if fields["url_template"] is not None
        else getattr(current, "url_template", "")
    )
    if kind == "iframe" and not url:
        p.error("urlTemplate", "required", "An iframe KView needs a urlTemplate.")
    if kind == "template" and not template:
        p.error("template", "required", "A template KView needs a template.")
    if fields["template"]:
        from timeline.kviews import syntax_error

        problem = syntax_error(fields["template"])
        if problem:
            p.error("template", "syntax", problem)
    if fields["url_template"]:
        from timeline.kviews import url_template_error

        problem = url_template_error(fields["url_template"])
        if problem:
            p.error("urlTemplate", "invalid", problem)
    p.raise_if_errors()
    return {k: v for k, v in fields.items() if v is not None}, p.data.get("rev")


@transaction.atomic
def kview_create(*, org, actor, data):
    fields, _ = _kview_fields(org, data, creating=True)
    kview = KView.objects.create(org=org, **fields)
    emit(
        org=org,
        type="kview.create",
        resource="kview",
        resource_id=kview.pk,
        actor=actor,
        rev=1,
        data=kview_resource(kview),
    )
    return kview


@transaction.atomic
def kview_update(*, org, actor, kview, data, rev=None):
    kview = KView.objects.select_for_update().filter(org=org, pk=kview.pk).first()
    if kview is None:
        raise NotFound("No KView with this id.")
    body_rev = data.get("rev") if isinstance(data, dict) else None
    check_rev(kview.rev, rev if rev is not None else body_rev, resource="KView")
    fields, _ = _kview_fields(org, data, creating=False, current=kview)
    changes = assign_changes(kview, fields, {"url_template": "urlTemplate"})
    kview.rev += 1
    kview.updated_at = timezone.now()
    kview.save()
    emit(
        org=org,
        type="kview.update",
        resource="kview",
        resource_id=kview.pk,
        actor=actor,
        rev=kview.rev,
        data=kview_resource(kview),
        changes=changes,
    )
    return kview


@transaction.atomic
def kview_delete(*, org, actor, kview, rev=None):
    if rev is not None:
        kview = KView.objects.select_for_update().filter(org=org, pk=kview.pk).first()
        if kview is None:
            raise NotFound("No KView with this id.")
        check_rev(kview.rev, rev, resource="KView")
    snapshot = kview_resource(kview)
    kview.delete()
    emit(
        org=org,
        type="kview.delete",
        resource="kview",
        resource_id=snapshot["id"],
        actor=actor,
        data=snapshot,
    )
