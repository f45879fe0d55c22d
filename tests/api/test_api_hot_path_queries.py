"""The reads and the bulk write that bench/api.py serves cost a known number of queries
(bench/inprocess.py measures their CPU): the email lookup one, a KObject by externalId one, a
timeline's first page two, and a bulk call the same whatever its size, with or without a
workflow and an outbound webhook listening to its events."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code < 300, response.content
    return [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def order(api):
    api.post("/v1/klasses", {"name": "order"})
    return "order"


def test_email_lookup_is_one_query(api):
    api.post("/v1/customers", {"name": "Ada", "emails": [{"type": "work", "email": "a@x.io"}]})
    api.get("/v1/customers/email=nobody@x.io")  # the key and its org are cached from here on
    sql = queries(lambda: api.get("/v1/customers/email=a@x.io"))
    assert len(sql) == 1, sql


def test_kobject_by_external_id_is_one_query(api, order):
    api.post("/v1/klasses/order", {"title": "O", "externalId": "o-1", "data": {"totalNum": 3}})
    api.get("/v1/customers/email=nobody@x.io")
    sql = queries(lambda: api.get("/v1/klasses/order/externalId=o-1"))
    assert len(sql) == 1, sql
    # a Klass that declares relationships reads the object's links too (one more query)
    api.post("/v1/klasses", {"name": "shipment"})
    r = api.post(
        "/v1/klasses",
        {
            "name": "parcel",
            "relationships": [
                {"name": "shipments", "target": "shipment", "cardinality": "one-to-many"}
            ],
        },
    )
    assert r.status_code == 201, r.json()
    parcel = api.post("/v1/klasses/parcel", {"title": "P", "externalId": "p-1"}).json()["data"]
    shipment = api.post("/v1/klasses/shipment", {"title": "S"}).json()["data"]["id"]
    r = api.post(
        f"/v1/klasses/parcel/{parcel['id']}/relationships/shipments",
        {"data": [{"type": "shipment", "id": shipment}]},
    )
    assert r.status_code < 300, r.json()
    sql = queries(lambda: api.get("/v1/klasses/parcel/externalId=p-1"))
    assert len(sql) == 2, sql
    doc = api.get("/v1/klasses/parcel/externalId=p-1").json()["data"]
    assert doc["relationships"]["shipments"]["data"][0]["id"] == shipment
    assert doc == api.get(f"/v1/klasses/parcel/{parcel['id']}").json()["data"]


def test_a_missing_kobject_or_klass_is_still_named(api, order):
    r = api.get("/v1/klasses/order/externalId=nope")
    assert r.status_code == 404 and "externalId" in r.json()["errors"][0]["detail"]
    r = api.get("/v1/klasses/nothing/externalId=nope")
    assert r.status_code == 404 and "nothing" in r.json()["errors"][0]["detail"]


def test_timeline_first_page_is_two_queries(api, order):
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    for n in range(3):
        api.post("/v1/klasses/order", {"title": f"O{n}", "customer": customer})
    api.get("/v1/customers/email=nobody@x.io")
    # the customer's existence, then the page with each message's latest state in it
    sql = queries(lambda: api.get(f"/v1/customers/{customer}/timeline"))
    assert len(sql) == 2, sql


def _items(size, prefix):
    return [
        {"title": f"T{i}", "externalId": f"{prefix}-{i}", "data": {"totalNum": i}}
        for i in range(size)
    ]


def _bulk_counts(api, sizes):
    """Queries of a bulk creating `size` objects, then of one updating them all, per size."""
    api.post("/v1/klasses/order/bulk", _items(1, "warm"))  # the attribute is defined once
    out = []
    for size in sizes:
        body = _items(size, f"s{size}")
        created = len(queries(lambda body=body: api.post("/v1/klasses/order/bulk", body)))
        updated = len(queries(lambda body=body: api.post("/v1/klasses/order/bulk", body)))
        out.append((created, updated))
    return out


def _sizes():
    from kdesk import bulk

    # SQLite writes through bulk_create, which splits a large batch by its parameter limit;
    # PostgreSQL streams any size in one COPY
    large = 1000 if connection.vendor == "postgresql" else bulk.COPY_THRESHOLD + 40
    return [bulk.COPY_THRESHOLD + 5, large]


def test_bulk_costs_the_same_whatever_its_size(api, order):
    small, large = _bulk_counts(api, _sizes())
    assert small == large


@pytest.fixture
def listeners(api, monkeypatch):
    """A workflow and an outbound webhook listening to order events."""
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])
    r = api.post(
        "/v1/outbound-webhooks",
        {
            "name": "Shop",
            "url": "https://93.184.215.14/hook",
            "events": ["kustomer.kobject.order.create"],
        },
    )
    assert r.status_code == 201, r.json()
    r = api.post(
        "/v1/workflows",
        {
            "name": "Big orders",
            "trigger": {"type": "event", "event": "kustomer.kobject.order.create"},
            "conditions": {"and": [{"field": "data.totalNum", "op": "gte", "value": 10**9}]},
            "steps": [
                {"id": "n", "action": "kobject.update", "params": {"klass": "order", "id": "1"}}
            ],
        },
    )
    assert r.status_code == 201, r.json()


def test_bulk_with_listeners_costs_the_same_whatever_its_size(api, order, listeners):
    from apps_directory.webhooks.models import Delivery

    sizes = _sizes()
    small, large = _bulk_counts(api, sizes)
    assert small == large
    # the webhook did get one delivery per object created (the warm-up's one included)
    assert Delivery.objects.count() == 1 + sum(sizes)
