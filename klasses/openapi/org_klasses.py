"""The org's own Klasses as typed models in `/v1/schema`.

When the document is fetched with an org's credentials, `org_klasses_hook` adds one component
per Klass (`KObject_order`, `KObject_order_data`) with each attribute typed from its definition,
and concrete paths (`/v1/klasses/order`, …) using them, so a client generator gets real models.
"""

import copy

from klasses.openapi.bodies import KOBJECT_BODY_SCHEMA

SCALARS = {
    "Str": {"type": "string", "maxLength": 255},
    "Txt": {"type": "string", "maxLength": 1024},
    "Num": {"type": "number"},
    # "" clears an At or a Url, as null does; an Id may be sent as an integer (types.clean_id)
    "At": {"type": "string", "anyOf": [{"format": "date-time"}, {"maxLength": 0}]},
    "Bool": {"type": "boolean"},
    "Url": {"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]},
    "Id": {"type": ["string", "integer"]},
    "Obj": {"type": "object", "additionalProperties": True},
    "Tree": {"type": "string", "description": "Dotted path of tree node ids"},
}


def attribute_schema(definition):
    schema = dict(SCALARS.get(definition.get("type"), {}))
    if definition.get("enum"):
        schema["enum"] = list(definition["enum"])
    if "min" in definition:
        schema["minimum"] = definition["min"]
    if "max" in definition:
        schema["maximum"] = definition["max"]
    if "minLength" in definition:
        schema["minLength"] = definition["minLength"]
    if "maxLength" in definition:
        schema["maxLength"] = definition["maxLength"]
    if definition.get("displayName"):
        schema["title"] = definition["displayName"]
    if definition.get("array") or definition.get("multi"):
        schema = {"type": "array", "items": schema, "title": schema.pop("title", None)}
        if definition.get("multi"):
            schema["uniqueItems"] = True
    schema["nullable"] = True
    return {k: v for k, v in schema.items() if v is not None}


def _klass_components(name, properties, relationship_names=()):
    data = {
        "type": "object",
        "properties": {attr: attribute_schema(d) for attr, d in sorted(properties.items())},
        "additionalProperties": True,
    }
    required = sorted(a for a, d in properties.items() if d.get("required"))
    if required:
        data["required"] = required
    model = copy.deepcopy(KOBJECT_BODY_SCHEMA)
    # null is read as none sent, as in the generic body
    model["properties"]["data"] = {
        "$ref": f"#/components/schemas/KObject_{name}_data",
        "nullable": True,
    }
    model["required"] = ["title"]
    # the relationships this Klass declares are the only names a body may link through
    links = model["properties"]["relationships"]
    if relationship_names:
        links["propertyNames"] = {"enum": sorted(relationship_names)}
    else:
        links["maxProperties"] = 0
    return {f"KObject_{name}_data": data, f"KObject_{name}": model}


def _response_components(name, schemas):
    """Typed copies of the generic KObject response models: `KObject_<name>_resource` (its
    attributes' `data` is `KObject_<name>_data`), `_document`, `_page` and `_bulk`; returns
    {generic ref: typed ref} for the concrete paths."""
    refs = {}
    prefix = "#/components/schemas/"

    def typed(generic, suffix, replace):
        if generic not in schemas:
            return
        copy_ = copy.deepcopy(schemas[generic])
        _swap_refs(copy_, replace)
        schemas[f"KObject_{name}_{suffix}"] = copy_
        refs[prefix + generic] = prefix + f"KObject_{name}_{suffix}"

    if "KObjectAttributes" in schemas:
        attributes = copy.deepcopy(schemas["KObjectAttributes"])
        attributes.setdefault("properties", {})["data"] = {"$ref": f"{prefix}KObject_{name}_data"}
        schemas[f"KObject_{name}_attributes"] = attributes
        refs[prefix + "KObjectAttributes"] = prefix + f"KObject_{name}_attributes"
    typed("KObjectResource", "resource", refs)
    typed("KObjectDocument", "document", refs)
    typed("KObjectPage", "page", refs)
    typed("KObjectBulkItem", "bulk_item", refs)
    typed("KObjectBulkMeta", "bulk_meta", refs)
    typed("KObjectBulkResult", "bulk", refs)
    return refs


def _swap_refs(node, refs):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref in refs:
            node["$ref"] = refs[ref]
        for value in node.values():
            _swap_refs(value, refs)
    elif isinstance(node, list):
        for value in node:
            _swap_refs(value, refs)


def _without_name_param(operation):
    op = copy.deepcopy(operation)
    op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "name"]
    op["operationId"] = op.get("operationId", "op") + "_typed"
    return op


def _slug(suffix):
    return {"/{id}": "one", "/externalId={external_id}": "by_external_id", "/bulk": "bulk"}[suffix]


# what creates an object: klasses.services refuse each of these while the Klass is disabled
_CREATES = {("post", ""), ("post", "/bulk"), ("put", "/externalId={external_id}")}


def _say_if_disabled(klass, method, suffix, op):
    if (method, suffix) not in _CREATES or klass.status == klass.Status.ACTIVE:
        return
    said = (
        "An externalId no object has yet answers 400: "
        if method == "put"
        else "Every call answers 400: "
    )
    op["description"] = (
        f"{said}the Klass {klass.name} is disabled, and creates no objects until it is "
        f"active again.\n\n{op.get('description', '')}"
    ).strip()


def org_klasses_hook(result, generator, request, public):
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not user.is_authenticated:
        return result
    from klasses.models import Klass, Metadata, Relationship

    org = user.org
    metadata = {
        m.resource[len("kobject.") :]: m.properties
        for m in Metadata.objects.filter(org=org, resource__startswith="kobject.")
    }
    declared = {}  # klasses.relationships.declared, for every Klass in one query
    for resource, name in Relationship.objects.filter(
        org=org, from_resource__startswith="kobject."
    ).values_list("from_resource", "name"):
        declared.setdefault(resource, []).append(name)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    paths = result.setdefault("paths", {})
    generic = paths.get("/v1/klasses/{name}", {})
    # the other per-object paths, typed too: responses name KObject_<klass>_document etc.
    others = {
        suffix: paths.get(f"/v1/klasses/{{name}}{suffix}", {})
        for suffix in ("/{id}", "/externalId={external_id}", "/bulk")
    }
    for klass in Klass.objects.filter(org=org).order_by("name"):
        names = declared.get(f"kobject.{klass.name}", ())
        schemas.update(_klass_components(klass.name, metadata.get(klass.name, {}), names))
        refs = _response_components(klass.name, schemas)
        ref = {"$ref": f"#/components/schemas/KObject_{klass.name}"}
        for suffix, operations in others.items():
            typed_ops = {}
            for method, operation in operations.items():
                if method not in ("get", "put", "patch", "delete", "post"):
                    continue
                op = _without_name_param(operation)
                op["operationId"] = f"{method}KObject_{klass.name}_{_slug(suffix)}"
                _swap_refs(op, refs)
                _say_if_disabled(klass, method, suffix, op)
                typed_ops[method] = op
            if typed_ops:
                paths[f"/v1/klasses/{klass.name}{suffix}"] = typed_ops
        concrete = {}
        for method, operation in generic.items():
            if method not in ("get", "post"):
                continue
            op = _without_name_param(operation)
            op["operationId"] = f"{method}KObject_{klass.name}"
            op["summary"] = (
                f"{'Create' if method == 'post' else 'List'} {klass.display_name} objects"
            )
            if method == "post":
                op["requestBody"] = {
                    "content": {"application/json": {"schema": ref}},
                    "required": True,
                }
            _swap_refs(op, refs)
            _say_if_disabled(klass, method, "", op)
            concrete[method] = op
        if concrete:
            paths[f"/v1/klasses/{klass.name}"] = concrete
    return result
