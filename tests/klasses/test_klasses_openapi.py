import json

import jsonschema_rs
import pytest

pytestmark = pytest.mark.django_db


def test_schema_for_an_org_types_its_klasses(api, other_api):
    api.post("/v1/klasses", {"name": "order"})
    api.put(
        "/v1/metadata/kobject.order",
        {
            "properties": {
                "totalNum": {"min": 0},
                "currencyStr": {"enum": ["USD", "EUR"]},
                "orderNumberStr": {"required": True},
                "sizesStr": {"enum": ["S", "M"], "multi": True},
            }
        },
    )
    schema = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    data = schema["components"]["schemas"]["KObject_order_data"]
    assert data["properties"]["totalNum"]["type"] == ["number", "null"]  # OpenAPI 3.1
    assert data["properties"]["totalNum"]["minimum"] == 0
    assert data["properties"]["currencyStr"]["enum"] == ["USD", "EUR", None]
    assert data["properties"]["sizesStr"]["uniqueItems"] is True
    assert data["required"] == ["orderNumberStr"]
    post = schema["paths"]["/v1/klasses/order"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/KObject_order"
    }
    other = json.loads(
        other_api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    assert "KObject_order_data" not in other["components"]["schemas"]
    assert "/v1/klasses/order" not in other["paths"]


def test_a_klass_model_says_what_its_bodies_may_hold(api):
    """The typed body names the Klass's own relationships, takes null data as the service does,
    and a disabled Klass's creates say they answer 400; tags and texts carry the service's
    limits (klasses.services.kobject_fields)."""
    api.post("/v1/klasses", {"name": "invoice"})
    api.post(
        "/v1/klasses",
        {
            "name": "order",
            "relationships": [
                {"name": "invoice", "target": "invoice", "cardinality": "one-to-one"}
            ],
        },
    )
    api.post("/v1/klasses", {"name": "archive", "status": "disabled"})
    schema = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    components, paths = schema["components"]["schemas"], schema["paths"]
    order = components["KObject_order"]["properties"]
    assert order["relationships"]["propertyNames"] == {"enum": ["invoice"]}
    assert components["KObject_invoice"]["properties"]["relationships"]["maxProperties"] == 0
    assert {"type": "null"} in order["data"]["anyOf"]
    assert order["tags"]["maxItems"] == 100 and order["tags"]["items"]["maxLength"] == 255
    assert order["description"]["maxLength"] == 10000 and order["icon"]["maxLength"] == 64
    for path, method in (("", "post"), ("/bulk", "post"), ("/externalId={external_id}", "put")):
        said = paths[f"/v1/klasses/archive{path}"][method]["description"]
        assert "answers 400: the Klass archive is disabled" in said
        assert "disabled" not in paths[f"/v1/klasses/order{path}"][method].get("description", "")
    for bad in ({"title": "x", "tags": [" "]}, {"title": "x", "relationships": {"other": None}}):
        assert api.post("/v1/klasses/order", bad).status_code == 400
    assert api.post("/v1/klasses/order", {"title": "x", "data": None}).status_code == 201
    assert api.post("/v1/klasses/archive", {"title": "x"}).status_code == 400


def test_a_klass_model_takes_the_values_its_attributes_take(api):
    """ "" clears an At or a Url and an Id may be an integer: the typed model says what the
    service takes, read as clients read it (ECMA-262, jsonschema_rs)."""
    api.post("/v1/klasses", {"name": "visit"})
    api.put(
        "/v1/metadata/kobject.visit",
        {"properties": {"seenAt": {}, "siteUrl": {}, "refId": {}}},
    )
    schema = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    data = schema["components"]["schemas"]["KObject_visit_data"]
    body = {"seenAt": "", "siteUrl": "", "refId": 5}
    for name, value in body.items():
        validator = jsonschema_rs.validator_for(data["properties"][name], validate_formats=True)
        assert validator.is_valid(value), name
    assert api.post("/v1/klasses/visit", {"title": "x", "data": body}).status_code == 201


def test_docs_page_works_offline(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
