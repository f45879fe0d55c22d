"""Request bodies of the Klasses API: KObjects, Klasses and their metadata, KViews and
validation rules, as raw schemas (each what the services in klasses.services take)."""

import copy

from drf_spectacular.utils import OpenApiRequest

from kdesk.api.openapi import id_schema
from kdesk.text import NOT_BLANK_PATTERN
from klasses.schema.definitions import KNOWN_KEYS
from klasses.schema.types import NAME_RE
from klasses.services.kobject_fields import PLAIN_TEXTS, TAG_MAX_LENGTH, TAGS_MAX

IMAGES = {
    "type": "array",
    "items": {"type": "string", "maxLength": 2048, "pattern": "^https?://[A-Za-z0-9.-]+(/\\S*)?$"},
}
LINK = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "customer, company, conversation, kobject.<k>"},
        "id": id_schema(),
        "meta": {
            "type": "object",
            "properties": {"through": {**id_schema(), "description": "join object id"}},
            "nullable": True,
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
        "through": {
            "type": "string",
            "nullable": True,
            "description": "join Klass (many-to-many only); null: none",
        },
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
        "customer": {**id_schema(blank=True), "nullable": True},
        "company": {**id_schema(blank=True), "nullable": True},
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
        # klasses.services.kviews.KVIEW_CLEARED: what null clears each one to
        "urlTemplate": {
            "type": ["string", "null"],
            "description": "null: none (cleared; an iframe KView needs one).",
        },
        "position": {"type": ["integer", "null"], "description": "null: 0, the default."},
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
        # klasses.services.rules.RULE_CLEARED: what null clears each one to
        "status": {
            "type": ["string", "null"],
            "description": "For when=status: e.g. done. null: none (a status rule needs one).",
        },
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
        "message": {
            "type": ["string", "null"],
            "maxLength": 255,
            "description": "null: none (the default message, from the condition).",
        },
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
        # null: what a body without it makes
        "kind": {
            "type": ["string", "null"],
            "enum": [*KView.Kind.values, None],
            "description": "null: template, the default.",
        },
        "urlTemplate": {
            "type": ["string", "null"],
            "maxLength": 2048,
            "description": "null: none (an iframe KView needs one).",
        },
        "position": {
            "type": ["integer", "null"],
            "minimum": -1000,
            "maximum": 1000,
            "description": "null: 0, the default.",
        },
        "active": {"type": ["boolean", "null"], "description": "null: true, the default."},
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
        # only an object naming the op: `properties` and `required` hold for null and {} too
        rules.append(
            {
                "if": {"type": "object", "required": ["op"], "properties": {"op": {"const": op}}},
                "then": then,
            }
        )
    return {
        "type": ["object", "null"],
        "description": "{op, value}; {} or null: the attribute must be present.",
        "properties": {"op": {"type": "string", "enum": list(CONDITION_OPS)}, "value": {}},
        "dependentRequired": {"value": ["op"]},
        "additionalProperties": False,
        "allOf": rules,
    }


_STATUS_NAMED = {"type": "string", "minLength": 1}


def _validation_create_schema():
    """klasses.services.rules on a create: a resource, an attribute and when. Not stated: that
    kobject.<k> names a Klass and the attribute is one the resource has (both stored)."""
    properties = {
        **VALIDATION_BODY_SCHEMA["properties"],
        "resource": {"type": "string", "minLength": 1},
        "attribute": {"type": "string", "minLength": 1},
        "condition": _condition_schema(),
        "active": {"type": ["boolean", "null"], "description": "null: true, the default."},
    }
    properties.pop("rev")
    return {
        "type": "object",
        "properties": properties,
        "required": ["resource", "attribute", "when"],
        "additionalProperties": False,
        # a status rule names the status it guards
        "if": {"required": ["when"], "properties": {"when": {"const": "status"}}},
        "then": {"required": ["status"], "properties": {"status": _STATUS_NAMED}},
    }


def _validation_update_schema():
    """klasses.services.rules on an update: what it sends is checked against the rule as stored
    (not stated: a status rule keeps a status it does not send); resource, attribute, when and
    active cannot be cleared."""
    return {
        **VALIDATION_BODY_SCHEMA,
        "properties": {**VALIDATION_BODY_SCHEMA["properties"], "condition": _condition_schema()},
        # a status rule sent with its status names one
        "if": {"required": ["when", "status"], "properties": {"when": {"const": "status"}}},
        "then": {"properties": {"status": _STATUS_NAMED}},
    }


KVIEW_CREATE_BODY = body(_kview_create_schema())
VALIDATION_CREATE_BODY = body(_validation_create_schema())
VALIDATION_BODY = body(_validation_update_schema())
