"""/v1/schema documents every answer as a typed model: resources, pages with meta and links,
errors; with an org's credentials KObject answers are typed by that org's Klasses."""

import json

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db
ACCEPT = {"Accept": "application/vnd.oai.openapi+json"}


def fetch(client):
    return json.loads(client.get("/v1/schema", headers=ACCEPT).content)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def answers(schema):
    """JSON answers (a file download, declared with its own media type only, is not one)."""
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for code, response in op["responses"].items():
                media = response.get("content", {})
                if media and "application/json" not in media:
                    continue
                content = media.get("application/json")
                yield path, method, code, content and content["schema"]


def test_the_document_is_valid_openapi(api):
    validate_schema(fetch(api))


def test_no_answer_is_an_untyped_object(api):
    for path, method, code, schema in answers(fetch(api)):
        if code == "204":
            continue
        assert schema, (path, method, code)
        assert "$ref" in schema or schema.get("properties"), (path, method, code, schema)


@pytest.mark.parametrize(
    "path,name",
    [
        ("/v1/conversations/{id}", "ConversationDocument"),
        ("/v1/conversations/{id}/messages", "MessagePage"),
        ("/v1/conversations/{id}/notes/{note_pk}", "NoteDocument"),
        ("/v1/tags", "TagPage"),
        ("/v1/shortcuts/{id}", "ShortcutDocument"),
        ("/v1/klasses", "KlassPage"),
        ("/v1/klasses/{name}/{id}", "KObjectDocument"),
        ("/v1/kviews/{id}", "KViewDocument"),
        ("/v1/metadata/{resource}", "MetadataDocument"),
        ("/v1/users", "UserPage"),
        ("/v1/teams/{id}", "TeamDocument"),
        ("/v1/customers/{id}/timeline", "TimelineEntryCursorPage"),
        ("/v1/events", "EventCursorPage"),
    ],
)
def test_reads_name_their_models(api, path, name):
    schema = fetch(api)
    ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": f"#/components/schemas/{name}"}
    model = resolve(schema, ok["schema"])
    if name.endswith("Page"):
        links = resolve(schema, model["properties"]["links"])
        assert {"self", "first", "prev", "next"} <= set(links["properties"])
        assert {"meta", "links", "data"} <= set(model["required"])
    resource = resolve(schema, model["properties"]["data"])
    resource = resolve(schema, resource.get("items", resource))
    assert {"type", "id", "attributes", "relationships", "links"} <= set(resource["required"])
    attributes = resolve(schema, resource["properties"]["attributes"])
    assert attributes["properties"], name


def test_errors_are_typed(api):
    schema = fetch(api)
    bad = schema["paths"]["/v1/tags"]["post"]["responses"]["400"]["content"]["application/json"]
    errors = resolve(schema, bad["schema"])
    item = resolve(schema, errors["properties"]["errors"]["items"])
    assert {"status", "code", "title", "detail"} <= set(item["required"])
    assert "source" in item["properties"]


def test_kobject_answers_are_typed_by_the_orgs_klass(api):
    api.post("/v1/klasses", {"name": "order"})
    api.put("/v1/metadata/kobject.order", {"properties": {"totalNum": {"min": 0}}})
    schema = fetch(api)
    validate_schema(schema)
    components = schema["components"]["schemas"]
    attributes = components["KObject_order_attributes"]
    assert attributes["properties"]["data"] == {"$ref": "#/components/schemas/KObject_order_data"}
    for path, method, code, name in [
        ("/v1/klasses/order", "get", "200", "KObject_order_page"),
        ("/v1/klasses/order", "post", "201", "KObject_order_document"),
        ("/v1/klasses/order/{id}", "get", "200", "KObject_order_document"),
        ("/v1/klasses/order/{id}", "patch", "200", "KObject_order_document"),
        ("/v1/klasses/order/externalId={external_id}", "put", "201", "KObject_order_document"),
        ("/v1/klasses/order/bulk", "post", "200", "KObject_order_bulk"),
    ]:
        content = schema["paths"][path][method]["responses"][code]["content"]
        assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}, (
            path,
            method,
        )
    resource = resolve(schema, components["KObject_order_document"]["properties"]["data"])
    assert resource["properties"]["attributes"] == {
        "$ref": "#/components/schemas/KObject_order_attributes"
    }
    assert json.dumps(components["KObject_order_bulk"]).count("KObject_order_resource") >= 1
    assert len(
        {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    ) == sum(len(ops) for ops in schema["paths"].values())


def test_request_bodies_are_schemas_not_media_type_maps(api):
    schema = fetch(api)
    body = schema["paths"]["/v1/klasses/{name}"]["post"]["requestBody"]["content"]
    assert "application/json" not in resolve(schema, body["application/json"]["schema"])
    assert "title" in resolve(schema, body["application/json"]["schema"])["properties"]
