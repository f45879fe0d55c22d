"""OpenAPI generation tweaks shared by every app's endpoints."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


def drop_trailing_slash_twins(endpoints, **kwargs):
    """Every API path answers with and without a slash; document only the slashless one."""
    return [e for e in endpoints if not (e[0].endswith("/") and e[0] != "/")]


class AutoSchema(BaseAutoSchema):
    def get_operation_id(self):
        # `GET /v1/customers/{id}/conversations` → getCustomersIdConversations: unique by path.
        path = re.sub(r"^/v1/", "", self.path)
        words = re.findall(r"[A-Za-z0-9]+", path)
        return self.method.lower() + "".join(w[:1].upper() + w[1:] for w in words)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "kdesk.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (kdk_…) sent as `Authorization: Bearer <key>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "kdesk.api.auth.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


# ---- what every operation can answer, and the constraints shared by every endpoint ------------

METHODS = ("get", "put", "patch", "delete", "post")
ERRORS_REF = {"$ref": "#/components/schemas/Errors"}


def _statuses(path, method, operation):
    """Every status the base view (kdesk.api.views.ApiView) and the guards in front of it can
    answer for this operation, besides what the view itself declares."""
    # bad input or query parameter, no key, scope, rate, DB away or a write that collided
    codes = {400, 401, 403, 429, 503}
    codes.add(414)  # a query string over the guard's limit (kdesk/serving/guard.py), any path
    if "{" in path:
        codes.add(404)
    if method != "get":
        codes |= {404, 409}  # a body naming what is gone; a stale rev, a busy Idempotency-Key
    if method in ("post", "put", "patch"):
        codes |= {413, 415}  # API_MAX_BODY_BYTES; a body that is not JSON
    if method == "post":
        codes.add(422)  # an Idempotency-Key reused with another body
    return codes


def _error_response(code):
    from kdesk.api.errors import TITLES

    return {
        "description": f"{TITLES.get(code, 'Error')}: `{{errors: [...]}}` (API.md)",
        "content": {"application/json": {"schema": ERRORS_REF}},
    }


def _shared_query_schemas():
    from kdesk.api.pagination import QUERY_SCHEMAS
    from kdesk.api.params import REV_SCHEMA

    return {**QUERY_SCHEMAS, "rev": REV_SCHEMA}


def _path_schema(schema):
    from kdesk.api.routing import IdConverter

    if schema.get("pattern") == f"^{IdConverter.regex}$":
        return dict(IdConverter.schema)
    return schema


def _strict(schema, schemas, seen):
    """additionalProperties: false on a request body object and the objects it is made of,
    unless it already says what extra properties may be (a dict of custom attributes)."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        _strict(schemas.get(name), schemas, seen)
        return
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key, []):
            _strict(sub, schemas, seen)
    if schema.get("type") == "array":
        _strict(schema.get("items"), schemas, seen)
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)
        if "rev" in schema["properties"]:
            from kdesk.api.params import BODY_REV_SCHEMA

            described = {k: v for k, v in schema["properties"]["rev"].items() if k == "description"}
            schema["properties"]["rev"] = {**BODY_REV_SCHEMA, **described}
        for sub in schema["properties"].values():
            _strict(sub, schemas, seen)


def _links(paths):
    """OpenAPI links from each create (a POST answering 201) to the operations that take the id
    it returns: `POST /v1/tags` → `GET|PUT|DELETE /v1/tags/{id}`, and deeper paths under it
    (`/v1/customers/{id}/timeline`); the other path parameters come from the create's own."""
    for path, item in paths.items():
        create = item.get("post")
        if not create or "201" not in create.get("responses", {}):
            continue
        links = {}
        for target_path, target_item in paths.items():
            if not target_path.startswith(path + "/{"):
                continue
            param = target_path[len(path) + 2 :].split("}", 1)[0]
            for method, operation in target_item.items():
                if method not in METHODS or "operationId" not in operation:
                    continue
                names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
                if param not in names or any(
                    name != param and "{" + name + "}" not in path for name in names
                ):
                    continue
                parameters = {
                    name: "$response.body#/data/id" if name == param else f"$request.path.{name}"
                    for name in names
                }
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                }
        if links:
            create["responses"]["201"]["links"] = links


def _null_as_a_type(node):
    """OpenAPI 3.1 (full JSON Schema, so `patternProperties` and `propertyNames` may say what
    attribute names are) has no `nullable`: the hand-written schemas' `nullable: true` becomes
    `null` among the types."""
    if isinstance(node, list):
        for item in node:
            _null_as_a_type(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in list(node.items()):
        if key != "nullable" or not isinstance(value, bool):
            _null_as_a_type(value)
    if not isinstance(node.get("nullable"), bool) or not node.pop("nullable"):
        return
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    elif isinstance(kind, list):
        node["type"] = kind if "null" in kind else [*kind, "null"]
    elif any(key in node for key in ("$ref", "allOf", "oneOf", "anyOf")):
        inner = dict(node)
        description = inner.pop("description", None)
        node.clear()
        node["anyOf"] = [inner, {"type": "null"}]
        if description:
            node["description"] = description


# Rules across the fields of a request body component that a serializer cannot state
# (`not: {required: [a, b]}`, `if`/`then`), registered by the app whose service enforces them.
_BODY_RULES = {}


def body_rules(component, *rules):
    """State `rules` (JSON Schema 2020-12) on the request body component `component`."""
    _BODY_RULES.setdefault(component, []).extend(rules)


# Operations that take a request without a body as an empty one (every other write with a
# documented body answers 400 to none).
_OPTIONAL_BODIES = set()


def optional_body(operation_id):
    _OPTIONAL_BODIES.add(operation_id)


def conformance_hook(result, generator, request, public):
    """Runs last: the document says what the server enforces on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    shared = _shared_query_schemas()
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = _path_schema(parameter["schema"])
                elif parameter["in"] == "query":
                    if parameter["name"] in shared:
                        parameter["schema"] = dict(shared[parameter["name"]])
                    # every list and filter reads `name=` as if the parameter were left out
                    # (a repeatable filter's choices do not include "")
                    if parameter["schema"].get("type") != "array":
                        parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code in sorted(_statuses(path, method, operation)):
                responses.setdefault(str(code), _error_response(code))
            body = operation.get("requestBody")
            if body:
                optional = operation.get("operationId") in _OPTIONAL_BODIES
                body["required"] = not optional
                for media in body.get("content", {}).values():
                    _strict(media.get("schema"), schemas, set())
                    if optional and media.get("schema"):  # null reads as no body too
                        media["schema"] = {"anyOf": [media["schema"], {"type": "null"}]}
    for component, rules in _BODY_RULES.items():
        # COMPONENT_SPLIT_REQUEST names a body <name>Request, and a PATCH's Patched<name>Request
        for name in (component, f"{component}Request", f"Patched{component}Request"):
            if name in schemas:
                schemas[name].setdefault("allOf", []).extend(rules)
    _links(result.get("paths", {}))
    _null_as_a_type(result.get("paths", {}))
    _null_as_a_type(schemas)
    return result
