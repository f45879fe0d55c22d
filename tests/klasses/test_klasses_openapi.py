import json

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


def test_docs_page_works_offline(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
