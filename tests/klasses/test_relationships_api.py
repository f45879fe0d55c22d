"""Relationships through the API: Klass definitions declare them, KObject bodies carry them,
the JSON:API relationship endpoints add, replace and remove links, cardinality is a 409 naming
the relationship, and every link and unlink is in the change feed."""

import json

import pytest

from kdesk.scopes import scope
from klasses.models import Link
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db

REL = "/v1/klasses/{klass}/{id}/relationships/{rel}"


def pointers(response):
    return [e["source"]["pointer"] for e in response.json()["errors"]]


def make(api, klass, title, **body):
    response = api.post(f"/v1/klasses/{klass}", {"title": title, **body})
    assert response.status_code == 201, response.json()
    return response.json()["data"]["id"]


@pytest.fixture
def shop(api):
    """order → shipments (one-to-many), order → invoice (one-to-one), product ↔ customers
    through ownership (many-to-many), product ↔ related products (many-to-many, no join)."""
    for name in ("shipment", "invoice", "ownership"):
        assert api.post("/v1/klasses", {"name": name}).status_code == 201
    order = api.post(
        "/v1/klasses",
        {
            "name": "order",
            "relationships": [
                {"name": "shipments", "target": "shipment", "cardinality": "one-to-many"},
                {"name": "invoice", "target": "invoice", "cardinality": "one-to-one"},
                {"name": "buyer", "target": "customer", "cardinality": "one-to-one"},
            ],
        },
    )
    assert order.status_code == 201, order.json()
    product = api.post(
        "/v1/klasses",
        {
            "name": "product",
            "relationships": [
                {
                    "name": "owners",
                    "target": "customer",
                    "cardinality": "many-to-many",
                    "through": "ownership",
                },
                {"name": "alike", "target": "product", "cardinality": "many-to-many"},
            ],
        },
    )
    assert product.status_code == 201, product.json()
    return order.json()["data"]


def test_the_klass_definition_returns_its_relationships(api, shop):
    assert shop["attributes"]["relationships"][0] == {
        "name": "shipments",
        "target": "shipment",
        "cardinality": "one-to-many",
    }
    got = api.get("/v1/klasses/product/definition").json()["data"]["attributes"]
    assert got["relationships"] == [
        {
            "name": "owners",
            "target": "customer",
            "cardinality": "many-to-many",
            "through": "ownership",
        },
        {"name": "alike", "target": "product", "cardinality": "many-to-many"},
    ]
    listed = {k["id"]: k for k in api.get("/v1/klasses").json()["data"]}
    assert len(listed["order"]["attributes"]["relationships"]) == 3


def test_bad_definitions_are_400_with_every_pointer(api, shop):
    response = api.post(
        "/v1/klasses",
        {
            "name": "parcel",
            "relationships": [
                {"name": "x", "target": "nowhere", "cardinality": "one-to-many"},
                {"name": "customer", "target": "customer", "cardinality": "one-to-one"},
                {"name": "y", "target": "order", "cardinality": "several"},
                {"name": "z", "target": "order", "cardinality": "one-to-many", "through": "order"},
                {"name": "z", "target": "order", "cardinality": "many-to-many", "through": "no"},
            ],
        },
    )
    assert response.status_code == 400
    assert pointers(response) == [
        "/relationships/0/target",
        "/relationships/1/name",
        "/relationships/2/cardinality",
        "/relationships/3/through",
        "/relationships/4/name",
        "/relationships/4/through",
    ]
    assert api.get("/v1/klasses/parcel/definition").status_code == 404


def test_one_to_many_links_and_the_409_naming_the_relationship(api, shop):
    first, second = make(api, "order", "#1"), make(api, "order", "#2")
    s1, s2 = make(api, "shipment", "S1"), make(api, "shipment", "S2")
    url = REL.format(klass="order", id=first, rel="shipments")

    response = api.post(url, {"data": [{"type": "shipment", "id": s1}]})
    assert response.status_code == 200, response.json()
    response = api.post(url + "/", {"data": [{"type": "kobject.shipment", "id": s2}]})
    assert [d["id"] for d in response.json()["data"]] == [s1, s2]
    assert response.json()["links"]["self"] == url

    taken = api.post(
        REL.format(klass="order", id=second, rel="shipments"),
        {"data": [{"type": "shipment", "id": s2}]},
    )
    assert taken.status_code == 409
    assert "'shipments'" in taken.json()["errors"][0]["detail"]
    assert pointers(taken) == ["/data"]

    obj = api.get(f"/v1/klasses/order/{first}").json()["data"]
    assert obj["relationships"]["shipments"] == {
        "data": [
            {"type": "kobject.shipment", "id": s1},
            {"type": "kobject.shipment", "id": s2},
        ]
    }
    listed = api.get("/v1/klasses/order").json()["data"]
    assert {o["id"]: "shipments" in o["relationships"] for o in listed} == {
        first: True,
        second: False,
    }

    removed = api.request("DELETE", url, {"data": [{"type": "shipment", "id": s1}]})
    assert [d["id"] for d in removed.json()["data"]] == [s2]
    assert (
        api.post(
            REL.format(klass="order", id=second, rel="shipments"),
            {"data": [{"type": "shipment", "id": s1}]},
        ).status_code
        == 200
    )
    cleared = api.patch(url, {"data": []})
    assert cleared.json()["data"] == []


def test_one_to_one_links(api, shop):
    first, second = make(api, "order", "#1"), make(api, "order", "#2")
    i1, i2 = make(api, "invoice", "I1"), make(api, "invoice", "I2")
    url = REL.format(klass="order", id=first, rel="invoice")

    response = api.patch(url, {"data": {"type": "invoice", "id": i1}})
    assert response.json()["data"] == {"type": "kobject.invoice", "id": i1}
    assert api.get(url).json()["data"] == {"type": "kobject.invoice", "id": i1}

    second_invoice = api.post(url, {"data": {"type": "invoice", "id": i2}})
    assert second_invoice.status_code == 409
    assert "'invoice' (one-to-one)" in second_invoice.json()["errors"][0]["detail"]
    other_order = api.patch(
        REL.format(klass="order", id=second, rel="invoice"), {"data": {"type": "invoice", "id": i1}}
    )
    assert other_order.status_code == 409
    assert Link.objects.count() == 1

    assert api.patch(url, {"data": {"type": "invoice", "id": i2}}).status_code == 200
    assert api.patch(url, {"data": None}).json()["data"] is None
    assert "invoice" not in api.get(f"/v1/klasses/order/{first}").json()["data"]["relationships"]


def test_many_to_many_through_a_join_klass(api, shop):
    ada = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    bob = api.post("/v1/customers", {"name": "Bob"}).json()["data"]["id"]
    lamp, desk = make(api, "product", "Lamp"), make(api, "product", "Desk")
    j1, j2, j3 = (make(api, "ownership", t) for t in ("a-lamp", "b-lamp", "a-desk"))

    missing = api.post(
        REL.format(klass="product", id=lamp, rel="owners"),
        {"data": [{"type": "customer", "id": ada}]},
    )
    assert missing.status_code == 400
    assert pointers(missing) == ["/data/0/meta/through"]

    lamp_owners = [
        {"type": "customer", "id": ada, "meta": {"through": j1}},
        {"type": "customer", "id": bob, "meta": {"through": j2}},
    ]
    response = api.post(REL.format(klass="product", id=lamp, rel="owners"), {"data": lamp_owners})
    assert response.status_code == 200, response.json()
    assert response.json()["data"] == lamp_owners
    desk_owner = [{"type": "customer", "id": ada, "meta": {"through": j3}}]
    assert (
        api.post(
            REL.format(klass="product", id=desk, rel="owners"), {"data": desk_owner}
        ).status_code
        == 200
    )
    # no join Klass: plain many-to-many, a product alike many, each alike by many
    alike = REL.format(klass="product", id=lamp, rel="alike")
    assert api.post(alike, {"data": [{"type": "product", "id": desk}]}).status_code == 200
    back = REL.format(klass="product", id=desk, rel="alike")
    assert api.post(back, {"data": [{"type": "product", "id": lamp}]}).status_code == 200


def test_kobject_bodies_carry_relationships(api, shop):
    s1, s2 = make(api, "shipment", "S1"), make(api, "shipment", "S2")
    created = api.post(
        "/v1/klasses/order",
        {
            "title": "#1",
            "relationships": {"shipments": {"data": [{"type": "shipment", "id": s1}]}},
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()["data"]
    assert body["relationships"]["shipments"]["data"] == [{"type": "kobject.shipment", "id": s1}]

    updated = api.put(
        f"/v1/klasses/order/{body['id']}",
        {
            "title": "#1",
            "relationships": {"shipments": {"data": [{"type": "shipment", "id": s2}]}},
        },
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["relationships"]["shipments"]["data"] == [
        {"type": "kobject.shipment", "id": s2}
    ]
    untouched = api.patch(f"/v1/klasses/order/{body['id']}", {"title": "#1b"}).json()["data"]
    assert untouched["relationships"]["shipments"]["data"] == [
        {"type": "kobject.shipment", "id": s2}
    ]

    bad = api.post(
        "/v1/klasses/order",
        {
            "title": "#2",
            "relationships": {
                "parcels": {"data": []},
                "shipments": {
                    "data": [{"type": "customer", "id": s1}, {"type": "shipment", "id": "999999"}]
                },
            },
        },
    )
    assert bad.status_code == 400
    assert pointers(bad) == [
        "/relationships/parcels",
        "/relationships/shipments/data/0/type",
    ]
    missing = api.post(
        "/v1/klasses/order",
        {
            "title": "#2",
            "relationships": {"shipments": {"data": [{"type": "shipment", "id": "999999"}]}},
        },
    )
    assert pointers(missing) == ["/relationships/shipments/data/0/id"]
    conflict = api.post(
        "/v1/klasses/order",
        {"title": "#3", "relationships": {"shipments": {"data": [{"type": "shipment", "id": s2}]}}},
    )
    assert conflict.status_code == 409
    assert api.get("/v1/klasses/order").json()["meta"]["total"] == 1  # nothing half-written
    bulk = api.post("/v1/klasses/order/bulk", [{"title": "x", "relationships": {}}])
    assert pointers(bulk) == ["/0/relationships"]


def test_links_are_in_the_change_feed(api, shop):
    order, s1 = make(api, "order", "#1"), make(api, "shipment", "S1")
    url = REL.format(klass="order", id=order, rel="shipments")
    api.post(url, {"data": [{"type": "shipment", "id": s1}]})
    api.request("DELETE", url, {"data": [{"type": "shipment", "id": s1}]})

    events = api.get("/v1/events?types=relationship.link,relationship.unlink").json()["data"]
    kinds = [(e["attributes"]["name"], e["attributes"]["data"]) for e in events]
    link = {
        "name": "shipments",
        "from": order,
        "to": s1,
        "fromType": "kobject.order",
        "toType": "kobject.shipment",
    }
    assert kinds == [("relationship.link", link), ("relationship.unlink", link)]


def test_definition_changes_keep_links_consistent(api, shop):
    order, s1, s2 = (
        make(api, "order", "#1"),
        make(api, "shipment", "S1"),
        make(api, "shipment", "S2"),
    )
    api.post(
        REL.format(klass="order", id=order, rel="shipments"),
        {"data": [{"type": "shipment", "id": s1}, {"type": "shipment", "id": s2}]},
    )
    rels = api.get("/v1/klasses/order/definition").json()["data"]["attributes"]["relationships"]
    tighter = [dict(r, cardinality="one-to-one") if r["name"] == "shipments" else r for r in rels]
    refused = api.put("/v1/klasses/order/definition", {"relationships": tighter})
    assert refused.status_code == 409
    assert pointers(refused) == ["/relationships/0/cardinality"]

    dropped = [r for r in rels if r["name"] != "shipments"]
    assert api.put("/v1/klasses/order/definition", {"relationships": dropped}).status_code == 200
    assert not Link.objects.exists()
    assert api.get(REL.format(klass="order", id=order, rel="shipments")).status_code == 404
    unlinks = api.get("/v1/events?types=relationship.unlink").json()["data"]
    assert len(unlinks) == 2


def test_scopes_isolation_and_errors(api, other_api, org, make_key, shop):
    order, s1 = make(api, "order", "#1"), make(api, "shipment", "S1")
    url = REL.format(klass="order", id=order, rel="shipments")
    body = {"data": [{"type": "shipment", "id": s1}]}
    _, token = make_key(org, scopes=[scope("kobject", "read")], name="reader")
    reader = ApiClient(token)
    assert reader.get(url).status_code == 200
    assert reader.post(url, body).status_code == 403
    assert reader.patch(url, body).status_code == 403
    assert reader.request("DELETE", url, body).status_code == 403
    _, token = make_key(org, scopes=[scope("customer", "read")], name="none")
    assert ApiClient(token).get(url).status_code == 403
    assert ApiClient("nope").get(url).status_code == 401

    assert other_api.get(url).status_code == 404
    other_api.post("/v1/klasses", {"name": "shipment"})
    theirs = other_api.post("/v1/klasses/shipment", {"title": "T"}).json()["data"]["id"]
    foreign = api.post(url, {"data": [{"type": "shipment", "id": theirs}]})
    assert foreign.status_code == 400 and pointers(foreign) == ["/data/0/id"]

    assert api.get(REL.format(klass="order", id=order, rel="nope")).status_code == 404
    assert api.get(REL.format(klass="order", id="999999", rel="shipments")).status_code == 404
    assert pointers(api.post(url, {})) == ["/data"]
    assert pointers(api.post(url, {"data": "x"})) == ["/data"]
    assert pointers(api.post(url, {"data": [{"id": s1}]})) == ["/data/0/type"]


def test_the_openapi_document_has_the_relationship_endpoints(api):
    schema = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    path = schema["paths"]["/v1/klasses/{name}/{id}/relationships/{rel}"]
    assert set(path) >= {"get", "post", "patch", "delete"}
    klass_body = schema["paths"]["/v1/klasses"]["post"]["requestBody"]["content"]
    assert "relationships" in klass_body["application/json"]["schema"]["properties"]
