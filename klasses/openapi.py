"""OpenAPI pieces for Klasses: request bodies, and the per-org typed KObject models.

When `/v1/schema` is fetched with an org's credentials, `org_klasses_hook` adds one component
per Klass (`KObject_order`, `KObject_order_data`) with each attribute typed from its definition,
and concrete paths (`/v1/klasses/order`, …) using them, so a client generator gets real models.
"""

import copy

from drf_spectacular.utils import OpenApiRequest

from kdesk.text import NOT_BLANK_PATTERN
from klasses.schema.definitions import KNOWN_KEYS
from klasses.schema.types import NAME_RE
from klasses.services.kobject_fields import PLAIN_TEXTS, TAG_MAX_LENGTH, TAGS_MAX

STRING_LIST = {"type": "array", "items": {"type": "string"}}
# klasses.services.images: absolute http(s) URLs
IMAGES = {
    "type": "array",
    "items": {"type": "string", "maxLength": 2048, "pattern": "^https?://[A-Za-z0-9.-]+(/\\S*)?$"},
}
# an id in a body, as kdesk.api.openapi.an_id documents it
ID = {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"}
LINK = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "customer, company, conversation, kobject.<k>"},
        "id": {"type": "string"},
        "meta": {
            "type": "object",
            "properties": {"through": {"type": "string", "description": "join object id"}},
        },
    },
    "required": ["type", "id"],
}
LINKS_BODY = {
    "type": "object",
    "description": "{<relationship>: {data: {type, id} | [{type, id}…] | null}}: each one named "
    "is replaced by these links.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "data": {"oneOf": [LINK, {"type": "array", "items": LINK}], "nullable": True}
        },
        "required": ["data"],
    },
}
RELATIONSHIP_DEFINITION = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$"},
        "target": {
            "type": "string",
            "minLength": 1,
            "description": "customer, company, conversation or a Klass name",
        },
        "cardinality": {"type": "string", "enum": ["one-to-one", "one-to-many", "many-to-many"]},
        "through": {"type": "string", "description": "join Klass (many-to-many only)"},
    },
    "required": ["name", "target", "cardinality"],
    "additionalProperties": False,
}
# klasses.services.kobject_fields: the longest each text may be, and the tags it takes
_LONGEST = {name: longest for name, _, longest in PLAIN_TEXTS}
KOBJECT_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": _LONGEST["title"], "pattern": NOT_BLANK_PATTERN},
        "externalId": {"type": "string", "maxLength": _LONGEST["externalId"], "nullable": True},
        # "" or null: none
        "customer": {**ID, "pattern": f"^$|{ID['pattern']}", "nullable": True},
        "company": {**ID, "pattern": f"^$|{ID['pattern']}", "nullable": True},
        "description": {"type": "string", "maxLength": _LONGEST["description"], "nullable": True},
        "icon": {"type": "string", "maxLength": _LONGEST["icon"], "nullable": True},
        "images": {**IMAGES, "nullable": True},  # null: none
        "tags": {  # null: none
            "type": "array",
            "maxItems": TAGS_MAX,
            "items": {"type": "string", "maxLength": TAG_MAX_LENGTH, "pattern": NOT_BLANK_PATTERN},
            "nullable": True,
        },
        "data": {"type": "object", "additionalProperties": True},
        "custom": {"type": "object", "additionalProperties": True},
        "rev": {"type": "integer"},
        "relationships": {**LINKS_BODY, "nullable": True},
    },
    "additionalProperties": False,
}
KLASS_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]{0,63}$"},
        "displayName": {"type": "string", "maxLength": 120},
        "description": {"type": "string", "maxLength": 5000, "nullable": True},
        "icon": {"type": "string", "maxLength": 64, "nullable": True},
        "color": {"type": "string", "pattern": "^(#[0-9a-fA-F]{6})?$", "nullable": True},
        "images": {**IMAGES, "nullable": True},  # null: none
        "status": {"type": "string", "enum": ["active", "disabled"]},
        "rev": {"type": "integer"},
        "relationships": {
            "type": "array",
            "nullable": True,
            "items": RELATIONSHIP_DEFINITION,
            "description": "Replaces the Klass's relationships when sent.",
        },
    },
    "additionalProperties": False,
}
METADATA_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "properties": {
            "type": "object",
            # klasses.schema.definitions.KNOWN_KEYS: what an attribute's metadata may say
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": sorted(KNOWN_KEYS)},
            },
            # klasses.schema.types.NAME_RE: a typed attribute name
            "propertyNames": {"pattern": f"^{NAME_RE.pattern.removesuffix(chr(92) + 'Z')}$"},
        },
        "rev": {"type": "integer"},
    },
    "required": ["properties"],
}
KVIEW_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "resource": {
            "type": "string",
            "description": "customer, conversation (the conversation in view) or kobject.<klass>",
        },
        "context": {"type": "string", "enum": ["timeline", "insight-card", "insight-details"]},
        "kind": {"type": "string", "enum": ["template", "iframe"]},
        "template": {"type": "string"},
        "urlTemplate": {"type": "string"},
        "position": {"type": "integer"},
        "active": {"type": "boolean"},
        "rev": {"type": "integer"},
    },
}

VALIDATION_BODY_SCHEMA = {
    "type": "object",
    "properties": {
        "resource": {
            "type": "string",
            "description": "customer, company, conversation, message or kobject.<klass>",
        },
        "attribute": {"type": "string", "description": "name, custom.<name> or data.<name>"},
        "when": {"type": "string", "enum": ["create", "update", "always", "status"]},
        "status": {"type": "string", "description": "For when=status: e.g. done"},
        "condition": {
            "type": "object",
            "properties": {
                "op": {
                    "type": "string",
                    "enum": [
                        "required",
                        "equals",
                        "not_equals",
                        "in",
                        "not_in",
                        "gt",
                        "gte",
                        "lt",
                        "lte",
                        "contains",
                        "starts_with",
                        "min_length",
                        "max_length",
                    ],
                },
                "value": {},
            },
        },
        "message": {"type": "string", "maxLength": 255},
        "active": {"type": "boolean"},
        "rev": {"type": "integer"},
    },
    "additionalProperties": False,
}


def body(schema):
    # a raw schema for the parsers' media type (application/json)
    return OpenApiRequest(request=schema)


KOBJECT_BODY = body(KOBJECT_BODY_SCHEMA)
# creating one (POST, or a PUT by externalId that finds none) needs a title
KOBJECT_CREATE_BODY = body({**KOBJECT_BODY_SCHEMA, "required": ["title"]})
_BULK_ITEM = copy.deepcopy({**KOBJECT_BODY_SCHEMA, "required": ["title"]})
del _BULK_ITEM["properties"]["relationships"]  # links go through the relationship endpoints
KOBJECT_BULK_BODY = body({"type": "array", "items": _BULK_ITEM, "maxItems": 1000})
KLASS_BODY = body(KLASS_BODY_SCHEMA)
KLASS_CREATE_BODY = body(
    {
        **KLASS_BODY_SCHEMA,
        "properties": {k: v for k, v in KLASS_BODY_SCHEMA["properties"].items() if k != "rev"},
        "required": ["name"],
    }
)
METADATA_BODY = body(METADATA_BODY_SCHEMA)
KVIEW_BODY = body(KVIEW_BODY_SCHEMA)
VALIDATION_BODY = body(VALIDATION_BODY_SCHEMA)


def _kview_create_schema():
    """klasses.services.kviews._kview_fields on a create: name, resource and context; a
    template KView (the default kind) needs a template, an iframe one a urlTemplate. Not stated:
    that the template parses, the URL template's own rules, and that kobject.<k> names a Klass."""
    from klasses.models import KView

    filled = {"type": "string", "minLength": 1}
    properties = {
        **KVIEW_BODY_SCHEMA["properties"],
        "name": {"type": "string", "maxLength": 120, "pattern": NOT_BLANK_PATTERN},
        "resource": {"type": "string", "minLength": 1, "maxLength": 120},
        "template": {"type": "string", "maxLength": 50000},
        "urlTemplate": {"type": "string", "maxLength": 2048},
        "position": {"type": "integer", "minimum": -1000, "maximum": 1000},
    }
    properties.pop("rev")
    iframe = {"required": ["kind"], "properties": {"kind": {"const": KView.Kind.IFRAME}}}
    return {
        "type": "object",
        "properties": properties,
        "required": ["name", "resource", "context"],
        "allOf": [
            {
                "if": iframe,
                "then": {"required": ["urlTemplate"], "properties": {"urlTemplate": filled}},
                "else": {"required": ["template"], "properties": {"template": filled}},
            }
        ],
    }


def _condition_schema():
    """A validation rule's condition, from klasses.services.rules.CONDITION_OPS: {} or
    {op, value} with the value each op takes."""
    from klasses.services.rules import CONDITION_OPS

    takes = {
        None: {"not": {"required": ["value"]}},
        "scalar": {"properties": {"value": {"type": ["string", "number", "boolean"]}}},
        "list": {
            "properties": {
                "value": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {"type": ["string", "number", "boolean"]},
                }
            }
        },
        "number": {
            "properties": {
                "value": {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}]}
            }
        },
        "text": {"properties": {"value": {"type": "string", "minLength": 1, "maxLength": 255}}},
        "count": {"properties": {"value": {"type": "integer", "minimum": 0}}},
    }
    rules = []
    for op, kind in CONDITION_OPS.items():
        then = dict(takes[kind])
        if kind is not None:
            then["required"] = ["value"]
        rules.append({"if": {"properties": {"op": {"const": op}}}, "then": then})
    return {
        "type": ["object", "null"],
        "properties": {"op": {"type": "string", "enum": list(CONDITION_OPS)}, "value": {}},
        "dependentRequired": {"value": ["op"]},
        "additionalProperties": False,
        "allOf": rules,
    }


def _validation_create_schema():
    """klasses.services.rules on a create: a resource, an attribute and when. Not stated: that
    kobject.<k> names a Klass and the attribute is one the resource has (both stored)."""
    properties = {
        **VALIDATION_BODY_SCHEMA["properties"],
        "resource": {"type": "string", "minLength": 1},
        "attribute": {"type": "string", "minLength": 1},
        "condition": _condition_schema(),
    }
    properties.pop("rev")
    return {
        "type": "object",
        "properties": properties,
        "required": ["resource", "attribute", "when"],
        "additionalProperties": False,
        # a status rule names the status it guards
        "if": {"required": ["when"], "properties": {"when": {"const": "status"}}},
        "then": {"required": ["status"], "properties": {"status": {"minLength": 1}}},
    }


KVIEW_CREATE_BODY = body(_kview_create_schema())
VALIDATION_CREATE_BODY = body(_validation_create_schema())

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


# ---- custom attributes in request bodies ------------------------------------------------------


_OBJ_SCALAR = {"type": ["string", "number", "boolean", "null"]}


def _attribute_value_schema(suffix):
    """What a value of an attribute with this type suffix may be (klasses.schema.types); null
    clears it. Strings in a canonical form ("8.5" for a Num) are accepted too, undocumented."""
    from klasses.schema import types

    kind = types.ATTRIBUTE_TYPES[suffix]
    node = f"[^.\\u0000]{{1,{types.NODE_ID_MAX}}}"
    schema = {
        "Str": {"type": "string", "maxLength": kind.max_length},
        "Txt": {"type": "string", "maxLength": kind.max_length},
        "Num": {"type": "number"},
        "At": {"type": "string", "anyOf": [{"format": "date-time"}, {"maxLength": 0}]},
        "Bool": {"type": "boolean"},
        "Url": {
            "type": "string",
            "maxLength": kind.max_length,
            # "" clears it, as null does
            "pattern": "^$|^https?://[A-Za-z0-9-]{1,63}(\\.[A-Za-z0-9-]{1,63})*(/[A-Za-z0-9._~-]*)*$",
        },
        # types.clean_id takes an integer too (stored as its digits), as Kustomer does
        "Id": {"type": ["string", "integer"], "maxLength": kind.max_length},
        # types.clean_obj_value: one level, each entry a scalar or a list of scalars
        "Obj": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [_OBJ_SCALAR, {"type": "array", "items": _OBJ_SCALAR}]
            },
        },
        "Tree": {
            "type": "string",
            "pattern": f"^({node}(\\.{node}){{0,{types.TREE_DEPTH - 1}}})?$",
        },
    }[suffix]
    return {**schema, "nullable": True, "description": kind.description}


def attributes_schema():
    """`custom` and `data` in a body: names follow klasses.schema.types.NAME_RE (camelCase or
    snake_case, then a type suffix) and each suffix types its value."""
    from klasses.schema import types

    base = types.NAME_RE.pattern.split("(Str|")[0]
    return {
        "type": "object",
        "description": "Attributes by name: a name ends in its type suffix ("
        + ", ".join(types.SUFFIXES)
        + "), e.g. tierStr, orderTotalNum, renewsAt; null clears one.",
        "patternProperties": {
            f"^{base}{suffix}$": _attribute_value_schema(suffix) for suffix in types.SUFFIXES
        },
        "additionalProperties": False,
    }


def _is_free_object(schema):
    return (
        isinstance(schema, dict)
        and "$ref" not in schema
        and "properties" not in schema
        and schema.get("type") in (None, "object")
        and "patternProperties" not in schema
    )


def _typed_attributes(schema, schemas, seen, typed):
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _typed_attributes(schemas.get(name), schemas, seen, typed)
        return
    for sub in [*schema.get("allOf", []), *schema.get("oneOf", []), schema.get("items")]:
        _typed_attributes(sub, schemas, seen, typed)
    for key, sub in schema.get("properties", {}).items():
        if key in ("custom", "data") and _is_free_object(sub):
            described = {k: v for k, v in sub.items() if k == "description"}
            # null is read as none sent, as the services do
            schema["properties"][key] = {**typed, **described, "nullable": True}
        else:
            _typed_attributes(sub, schemas, seen, typed)


def attribute_names_hook(result, generator, request, public):
    """Every request body's free-form `custom` and `data` objects say which attribute names and
    values the server takes (the org's own Klass models are typed by org_klasses_hook)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in schemas.items():
        # a bulk write answers null in `data` for each item that failed (?partial=true)
        if name == "KObjectBulkResult" or (name.startswith("KObject_") and name.endswith("_bulk")):
            data = component.get("properties", {}).get("data", {})
            if data.get("type") == "array" and "anyOf" not in data.get("items", {}):
                data["items"] = {"anyOf": [data["items"], {"type": "null"}]}
    typed = attributes_schema()
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _typed_attributes(media.get("schema"), schemas, set(), typed)
    return result
