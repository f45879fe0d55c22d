"""Custom attributes in request bodies: every free-form `custom` and `data` object says which
attribute names and values the server takes (klasses.schema.types)."""

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
        and not any(key in schema for key in ("oneOf", "anyOf", "allOf"))
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
