"""One KObject body, checked and applied: what single and bulk writes share."""

from kdesk import resources
from kdesk.errors import FieldError
from kdesk.payload import Payload, as_id, integral
from kdesk.references import existing_pks
from kdesk.text import NUL
from klasses import attributes
from klasses.models import (
    KObject,
)
from klasses.representations import kobject_resource
from klasses.services.images import _images

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


# ---- KObjects ---------------------------------------------------------------------------------

# A KObject's tags: at most this many, each a name of at most TAG_MAX_LENGTH characters, not
# blank (klasses.openapi.bodies documents the same numbers).
TAGS_MAX = 100
TAG_MAX_LENGTH = 255


def _refs(org, customer_ids, company_ids):
    """The ids of these that are customers (companies) of `org`: two queries at most. The rows
    found stay until the write that names them commits (kdesk.references: a merge or delete
    meanwhile would otherwise fail its commit on the foreign key)."""
    Customer = resources.get("customer").get_model()
    Company = resources.get("company").get_model()
    found_customers = (
        existing_pks(Customer.objects.filter(org=org, pk__in=customer_ids))
        if customer_ids
        else set()
    )
    found_companies = (
        existing_pks(Company.objects.filter(org=org, pk__in=company_ids)) if company_ids else set()
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
        "tags": p.strings("tags", max_items=TAGS_MAX, max_length=TAG_MAX_LENGTH),
        "customer_id": p.reference("customer"),
        "company_id": p.reference("company"),
    }
    p.integer("rev")  # checked against the stored object by the caller; here its type
    # An attribute sent as null is cleared (an update changes only what the body carries).
    nulls = {k for k, v in p.data.items() if v is None}
    if fields["external_id"] == "":
        nulls.add("externalId")  # blank is no externalId: never a shared "" key
    if "title" in nulls and not creating:
        p.error("title", "required", "title is required: it cannot be cleared.")
    kept = set()
    if nulls:  # most bodies clear nothing
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


# (attribute, field, longest) of the plain text attributes, in _kobject_fields' order
PLAIN_TEXTS = (
    ("title", "title", 255),
    ("externalId", "external_id", 255),
    ("description", "description", 10000),
    ("icon", "icon", 64),
)


def _kobject_fields_plain(data, *, creating, validator):
    """_kobject_fields' fields for a body it would accept as it stands (no error, nothing
    cleared, no attribute without a definition), else None: the caller then runs
    _kobject_fields, which reports what is wrong. A bulk call checks a thousand bodies, most
    of them alike; this reads each value once, with no Payload and no error bookkeeping."""
    if type(data) is not dict or not data.keys() <= PLAIN_KEYS:
        return None
    if "rev" in data and integral(data["rev"]) is None:
        return None
    fields = {}
    for name, field, longest in PLAIN_TEXTS:
        value = data.get(name)
        if value is None:
            if name in data or (creating and name == "title"):
                return None  # cleared, or required
            continue
        if type(value) is not str or NUL in value:
            return None
        value = value.strip()
        if len(value) > longest or (not value and name in ("title", "externalId")):
            return None  # too long; a blank title, or a blank externalId (which clears it)
        fields[field] = value
    if "tags" in data:
        tags = data["tags"]
        if type(tags) is not list or len(tags) > TAGS_MAX:
            return None
        out = []
        for tag in tags:
            if type(tag) is not str or NUL in tag or len(tag) > TAG_MAX_LENGTH:
                return None
            tag = tag.strip()
            if not tag:
                return None
            out.append(tag)
        fields["tags"] = list(dict.fromkeys(out))
    for name, field in (("customer", "customer_id"), ("company", "company_id")):
        if name in data:
            value = data[name]
            if value is None or isinstance(value, dict):
                return None
            if value != "":
                value = as_id(value)
                if value is None:
                    return None
                fields[field] = value
    for key in ("data", "custom"):
        values = data.get(key)
        if values is None:
            if key in data:
                return None
            if not (creating and key == "data"):
                continue
            values = {}
        elif type(values) is not dict:
            return None
        cleaned = validator.clean_plain(values, creating=creating and key == "data")
        if cleaned is None:
            return None
        fields[key] = cleaned
    return fields


# images and relationships always take _kobject_fields' path
PLAIN_KEYS = KOBJECT_FIELDS - {"images", "relationships"}


def _check_refs(org, items, kept=None):
    """items: [(pointer, fields)] → errors for customer/company ids outside the org. `kept`:
    the object being updated, locked by the caller; a reference it holds already is neither
    checked nor held again (a merge moving that object waits for the caller's lock on it, so
    holding the customer too would make the two wait on each other)."""

    def named(f, field):
        value = f.get(field)
        return value if value and (kept is None or value != getattr(kept, field)) else None

    customers = {named(f, "customer_id") for _, f in items} - {None}
    companies = {named(f, "company_id") for _, f in items} - {None}
    found_customers, found_companies = _refs(org, customers, companies)
    errors = []
    for pointer, f in items:
        if named(f, "customer_id") and f["customer_id"] not in found_customers:
            errors.append(FieldError(f"{pointer}/customer", "not_found", "No such customer."))
        if named(f, "company_id") and f["company_id"] not in found_companies:
            errors.append(FieldError(f"{pointer}/company", "not_found", "No such company."))
    return errors


def _values(obj, fields, *, replace=False):
    """The column values `fields` (from _kobject_fields) give `obj`: a stored object's data and
    custom are merged into (or, with `replace`, replaced by) what the body carries; a value sent
    as null drops out."""
    out = {"data": {}, "custom": {}} if replace else {}
    for key, value in fields.items():
        if key in ("customer_id", "company_id"):
            value = value or None
        if key in ("data", "custom") and obj.pk:
            base = {} if replace else getattr(obj, key)
            value = {k: v for k, v in {**base, **value}.items() if v is not None}
        out[key] = value
    return out


def _apply(obj, fields, *, replace=False):
    if not obj.pk and not replace:  # a new object takes the values as they are (bulk's path)
        for key, value in fields.items():
            if key in ("customer_id", "company_id"):
                value = value or None
            setattr(obj, key, value)
        return
    for key, value in _values(obj, fields, replace=replace).items():
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
    _apply(probe, fields, replace=replace)
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
