"""External ids may hold slashes ("shop/123"), for KObjects as for customers."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_kobject_external_id_with_slashes_is_reachable(api):
    api.post("/v1/klasses", {"name": "order"})
    created = api.put("/v1/klasses/order/externalId=shop/eu/123", {"title": "O"})
    assert created.status_code == 201, created.content
    assert created.json()["data"]["attributes"]["externalId"] == "shop/eu/123"
    for path in (
        "/v1/klasses/order/externalId=shop/eu/123",
        "/v1/klasses/order/externalId=shop/eu/123/",
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        assert response.json()["data"]["id"] == created.json()["data"]["id"]
    updated = api.put("/v1/klasses/order/externalId=shop/eu/123", {"title": "O2"})
    assert updated.status_code == 200
    assert api.get("/v1/klasses/order/externalId=shop/eu").status_code == 404


def test_a_customer_external_id_with_slashes_still_works(api):
    assert api.put("/v1/customers/externalId=crm/7", {"name": "Ada"}).status_code == 201
    assert api.get("/v1/customers/externalId=crm/7/").status_code == 200
