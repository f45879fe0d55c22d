"""Plain serializers: Klass, KObject, KView and metadata as API resources."""

from kdesk.representations import iso

KOBJECT_FIELDS = (
    "id",
    "klass_id",
    "customer_id",
    "company_id",
    "external_id",
    "title",
    "description",
    "images",
    "icon",
    "data",
    "custom",
    "tags",
    "rev",
    "created_at",
    "updated_at",
)


_NEEDED = frozenset(KOBJECT_FIELDS)


def kobject_resource(row, klass_name, links=None):
    """`row` is a `.values(*KOBJECT_FIELDS)` dict or a KObject instance; `links` the linkage
    of its declared relationships (relationships.linkage)."""
    if not isinstance(row, dict):
        # an instance's loaded columns are in its __dict__ (bulk writes build a thousand of
        # these); a deferred one is read through its attribute
        loaded = row.__dict__
        row = loaded if loaded.keys() >= _NEEDED else {f: getattr(row, f) for f in _NEEDED}
    pk, customer_id, company_id = row["id"], row["customer_id"], row["company_id"]
    relationships = {}
    if customer_id:
        relationships["customer"] = {"data": {"type": "customer", "id": str(customer_id)}}
    if company_id:
        relationships["company"] = {"data": {"type": "company", "id": str(company_id)}}
    relationships["klass"] = {"data": {"type": "klass", "id": klass_name}}
    if links:
        relationships.update(links)
    return {
        "type": f"kobject.{klass_name}",
        "id": str(pk),
        "attributes": {
            "externalId": row["external_id"],
            "title": row["title"],
            "description": row["description"],
            "images": row["images"],
            "icon": row["icon"],
            "data": row["data"],
            "custom": row["custom"],
            "tags": row["tags"],
            "rev": row["rev"],
            "createdAt": iso(row["created_at"]),
            "updatedAt": iso(row["updated_at"]),
        },
        "relationships": relationships,
        "links": {"self": f"/v1/klasses/{klass_name}/{pk}"},
    }


def klass_resource(klass, properties=None, relationships=None):
    attributes = {
        "name": klass.name,
        "displayName": klass.display_name,
        "description": klass.description,
        "icon": klass.icon,
        "color": klass.color,
        "images": klass.images,
        "status": klass.status,
        "rev": klass.rev,
        "createdAt": iso(klass.created_at),
        "updatedAt": iso(klass.updated_at),
        "relationships": relationships or [],
    }
    if properties is not None:
        attributes["metadata"] = {"properties": properties}
    return {
        "type": "klass",
        "id": klass.name,
        "attributes": attributes,
        "relationships": {},
        "links": {"self": f"/v1/klasses/{klass.name}/definition"},
    }


def metadata_resource(resource, properties, rev, updated_at=None):
    return {
        "type": "metadata",
        "id": resource,
        "attributes": {
            "properties": properties,
            "rev": rev,
            "updatedAt": iso(updated_at),
        },
        "relationships": {},
        "links": {"self": f"/v1/metadata/{resource}"},
    }


def kview_resource(kview):
    return {
        "type": "kview",
        "id": str(kview.pk),
        "attributes": {
            "name": kview.name,
            "resource": kview.resource,
            "context": kview.context,
            "kind": kview.kind,
            "template": kview.template,
            "urlTemplate": kview.url_template,
            "position": kview.position,
            "active": kview.active,
            "rev": kview.rev,
            "createdAt": iso(kview.created_at),
            "updatedAt": iso(kview.updated_at),
        },
        "relationships": {},
        "links": {"self": f"/v1/kviews/{kview.pk}"},
    }


def rule_resource(rule):
    return {
        "type": "validation",
        "id": str(rule.pk),
        "attributes": {
            "resource": rule.resource,
            "attribute": rule.attribute,
            "when": rule.when,
            "status": rule.status or None,
            "condition": rule.condition or {},
            "message": rule.message,
            "active": rule.active,
            "rev": rule.rev,
            "createdAt": iso(rule.created_at),
            "updatedAt": iso(rule.updated_at),
        },
        "relationships": {},
        "links": {"self": f"/v1/validations/{rule.pk}"},
    }
