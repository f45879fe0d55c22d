"""Upserts need the scope of what they turn out to do: updating an existing record needs
update, creating a new one needs create (PUT …/externalId=…, and each item of a bulk call)."""

import pytest

from tests.factories import ApiClient

pytestmark = pytest.mark.django_db

P = "org.permission."


@pytest.fixture
def keyed(org, make_key):
    def client(*scopes):
        _, token = make_key(org, scopes=[P + s for s in scopes], name="-".join(scopes) or "none")
        return ApiClient(token)

    return client


@pytest.fixture
def seeded(api):
    api.post("/v1/klasses", {"name": "order"})
    api.post("/v1/klasses/order", {"title": "Old", "externalId": "o-1"})
    api.post("/v1/customers", {"name": "Old", "externalId": "c-1"})


def titles(org):
    from klasses.models import KObject

    return dict(KObject.objects.filter(org=org).values_list("external_id", "title"))


def names(org):
    from customers.models import Customer

    return dict(Customer.objects.filter(org=org).values_list("external_id", "name"))


def test_bulk_with_create_only_cannot_overwrite(org, seeded, keyed):
    client = keyed("kobject.create")
    items = [{"title": "New", "externalId": "o-2"}, {"title": "Hijack", "externalId": "o-1"}]
    response = client.post("/v1/klasses/order/bulk", items)
    assert response.status_code == 403, response.content
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/1"]
    assert titles(org) == {"o-1": "Old"}
    # new items alone are fine
    response = client.post("/v1/klasses/order/bulk", items[:1])
    assert response.status_code == 200, response.content
    assert titles(org) == {"o-1": "Old", "o-2": "New"}


def test_bulk_with_update_only_updates_but_never_creates(org, seeded, keyed):
    client = keyed("kobject.update")
    response = client.post(
        "/v1/klasses/order/bulk",
        [{"title": "Renamed", "externalId": "o-1"}, {"title": "New", "externalId": "o-9"}],
    )
    assert response.status_code == 403
    assert titles(org) == {"o-1": "Old"}
    response = client.post("/v1/klasses/order/bulk", [{"title": "Renamed", "externalId": "o-1"}])
    assert response.status_code == 200, response.content
    assert titles(org) == {"o-1": "Renamed"}


def test_bulk_without_either_scope_is_403(seeded, keyed):
    response = keyed("kobject.read", "kobject.delete").post(
        "/v1/klasses/order/bulk", [{"title": "x"}]
    )
    assert response.status_code == 403
    assert "org.permission.kobject.create" in response.json()["errors"][0]["detail"]


def test_kobject_upsert_with_update_only_cannot_create(org, seeded, keyed):
    client = keyed("kobject.update")
    response = client.put("/v1/klasses/order/externalId=o-new", {"title": "New"})
    assert response.status_code == 403
    assert "org.permission.kobject.create" in response.json()["errors"][0]["detail"]
    assert titles(org) == {"o-1": "Old"}
    response = client.put("/v1/klasses/order/externalId=o-1", {"title": "Renamed"})
    assert response.status_code == 200
    assert titles(org) == {"o-1": "Renamed"}


def test_kobject_upsert_with_create_only_cannot_overwrite(org, seeded, keyed):
    client = keyed("kobject.create")
    response = client.put("/v1/klasses/order/externalId=o-1", {"title": "Hijack"})
    assert response.status_code == 403
    assert "org.permission.kobject.update" in response.json()["errors"][0]["detail"]
    assert client.put("/v1/klasses/order/externalId=o-2", {"title": "New"}).status_code == 201
    assert titles(org) == {"o-1": "Old", "o-2": "New"}


def test_customer_upsert_with_update_only_cannot_create(org, seeded, keyed):
    client = keyed("customer.update")
    assert client.put("/v1/customers/externalId=c-new", {"name": "New"}).status_code == 403
    assert names(org) == {"c-1": "Old"}
    assert client.put("/v1/customers/externalId=c-1", {"name": "Renamed"}).status_code == 200
    assert names(org) == {"c-1": "Renamed"}


def test_customer_upsert_with_create_only_cannot_overwrite(org, seeded, keyed):
    client = keyed("customer.create")
    assert client.put("/v1/customers/externalId=c-1", {"name": "Hijack"}).status_code == 403
    assert client.put("/v1/customers/externalId=c-2", {"name": "New"}).status_code == 201
    assert names(org) == {"c-1": "Old", "c-2": "New"}


def test_agents_sessions_upsert_as_their_role_allows(client, agent, seeded, org):
    client.force_login(agent)
    response = client.put(
        "/v1/customers/externalId=c-3", {"name": "Agent made"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
