import pytest

from customers.models import Customer
from kdesk.models import Event
from klasses.models import KObject

pytestmark = pytest.mark.django_db

ORDER_META = {
    "properties": {
        "orderNumberStr": {"required": True},
        "totalNum": {"min": 0},
        "currencyStr": {"enum": ["USD", "EUR"]},
        "placedAt": {},
        "trackingUrl": {},
    }
}


@pytest.fixture
def order(api):
    assert api.post("/v1/klasses", {"name": "order", "displayName": "Order"}).status_code == 201
    assert api.put("/v1/metadata/kobject.order", ORDER_META).status_code == 200
    return "order"


@pytest.fixture
def grace(org):
    return Customer.objects.create(org=org, name="Grace")


def body(**extra):
    return {
        "title": "Order A-1",
        "externalId": "A-1",
        "data": {"orderNumberStr": "A-1", "totalNum": 10, "currencyStr": "USD"},
        **extra,
    }


def test_klass_names_are_checked(api):
    r = api.post("/v1/klasses", {"name": "Customer!"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/name"
    assert api.post("/v1/klasses", {"name": "customer"}).status_code == 400
    assert (
        api.post("/v1/klasses", {"name": "order", "bogus": 1}).json()["errors"][0]["source"][
            "pointer"
        ]
        == "/bogus"
    )


def test_kobject_lifecycle(api, order, grace):
    created = api.post("/v1/klasses/order", body(customer=str(grace.pk)))
    assert created.status_code == 201, created.content
    obj = created.json()["data"]
    assert obj["type"] == "kobject.order" and obj["attributes"]["rev"] == 1
    assert obj["relationships"]["customer"]["data"] == {"type": "customer", "id": str(grace.pk)}
    by_ext = api.get("/v1/klasses/order/externalId=A-1").json()["data"]
    assert by_ext["id"] == obj["id"]
    path = f"/v1/klasses/order/{obj['id']}"
    updated = api.patch(path, {"rev": 1, "data": {"totalNum": 12}})
    assert updated.status_code == 200 and updated.json()["data"]["attributes"]["rev"] == 2
    assert updated.json()["data"]["attributes"]["data"]["orderNumberStr"] == "A-1"
    stale = api.patch(path, {"rev": 1, "data": {"totalNum": 99}})
    assert stale.status_code == 409
    assert KObject.objects.get().data["totalNum"] == 12
    event = Event.objects.filter(type="kobject.order.update").get()
    assert event.changes == {"data.totalNum": {"before": 10, "after": 12}}
    assert event.customer_id == grace.pk
    assert api.delete(path).status_code == 204
    assert api.get(path).status_code == 404
    assert Event.objects.filter(type="kobject.order.delete").count() == 1


def test_every_invalid_field_is_reported(api, order):
    r = api.post("/v1/klasses/order", {"data": {"totalNum": -1, "currencyStr": "XXX"}})
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert r.status_code == 400
    assert pointers == {"/title", "/data/totalNum", "/data/currencyStr", "/data/orderNumberStr"}
    assert not KObject.objects.exists()


def test_unknown_klass_is_404(api):
    assert api.get("/v1/klasses/nope").status_code == 404
    assert api.post("/v1/klasses/nope", body()).status_code == 404


def test_upsert_by_external_id(api, order):
    first = api.put("/v1/klasses/order/externalId=B-7", body(externalId="B-7"))
    assert first.status_code == 201
    second = api.put("/v1/klasses/order/externalId=B-7", {"title": "Renamed"})
    assert second.status_code == 200
    assert second.json()["data"]["attributes"]["title"] == "Renamed"
    assert KObject.objects.count() == 1


def test_bulk_is_all_or_nothing(api, order):
    items = [body(externalId=f"X{i}", title=f"X{i}") for i in range(5)]
    items[3]["data"] = {"totalNum": "lots"}
    r = api.post("/v1/klasses/order/bulk", items)
    assert r.status_code == 400
    assert {e["source"]["pointer"] for e in r.json()["errors"]} >= {"/3/data/totalNum"}
    assert not KObject.objects.exists()


def test_bulk_partial_reports_each_item(api, order):
    items = [body(externalId=f"X{i}", title=f"X{i}") for i in range(4)]
    items[1]["title"] = ""
    r = api.post("/v1/klasses/order/bulk?partial=true", items)
    assert r.status_code == 200
    statuses = [x["status"] for x in r.json()["meta"]["results"]]
    assert statuses == ["created", "failed", "created", "created"]
    again = api.post("/v1/klasses/order/bulk", [body(externalId="X0", title="new")])
    assert again.json()["meta"]["updated"] == 1
    assert KObject.objects.count() == 3


def test_bulk_refuses_more_than_1000(api, order):
    r = api.post("/v1/klasses/order/bulk", [body()] * 1001)
    assert r.status_code == 400 and "1000" in r.json()["errors"][0]["detail"]


def test_metadata_change_that_breaks_rows_is_refused_then_forced(api, order):
    api.post("/v1/klasses/order", body())
    r = api.put("/v1/metadata/kobject.order", {"properties": {"totalNum": {"max": 5}}})
    assert r.status_code == 409 and "1 existing row" in r.json()["errors"][0]["detail"]
    forced = api.put(
        "/v1/metadata/kobject.order?force=true", {"properties": {"totalNum": {"max": 5}}}
    )
    assert forced.status_code == 200 and forced.json()["meta"]["violatingRows"] == 1
    assert KObject.objects.get().data["totalNum"] == 10


def test_undefined_attributes_get_recorded(api, order):
    api.post("/v1/klasses/order", body(data={"orderNumberStr": "1", "giftBool": True}))
    props = api.get("/v1/metadata/kobject.order").json()["data"]["attributes"]["properties"]
    assert props["giftBool"]["type"] == "Bool" and props["giftBool"]["displayName"] == "Gift"


def test_customer_kobjects_and_cross_org(api, other_api, order, grace, other_org):
    api.post(f"/v1/customers/{grace.pk}/klasses/order", body())
    listing = api.get(f"/v1/customers/{grace.pk}/klasses/order").json()
    assert listing["meta"]["total"] == 1
    assert other_api.get(f"/v1/customers/{grace.pk}/klasses/order").status_code == 404
    stranger = Customer.objects.create(org=other_org, name="X")
    r = api.post("/v1/klasses/order", body(externalId="Z", customer=str(stranger.pk)))
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/customer"
    obj_id = listing["data"][0]["id"]
    assert other_api.get(f"/v1/klasses/order/{obj_id}").status_code == 404


def test_list_costs_fixed_queries(api, order, grace, django_assert_num_queries):
    api.post("/v1/klasses/order/bulk", [body(externalId=f"Q{i}") for i in range(3)])
    # the Klass, the count, the page, the page's relationship links
    with django_assert_num_queries(4):
        api.get("/v1/klasses/order")
    api.post("/v1/klasses/order/bulk", [body(externalId=f"R{i}") for i in range(40)])
    with django_assert_num_queries(4):
        r = api.get("/v1/klasses/order?pageSize=50")
    assert len(r.json()["data"]) == 43


def test_kviews_crud_and_template_errors(api, order):
    bad = api.post(
        "/v1/kviews",
        {
            "name": "Card",
            "resource": "kobject.order",
            "context": "insight-card",
            "template": "{% if %}",
        },
    )
    assert bad.status_code == 400 and "line 1" in bad.json()["errors"][0]["detail"]
    ok = api.post(
        "/v1/kviews",
        {
            "name": "Card",
            "resource": "kobject.order",
            "context": "insight-card",
            "template": "<p>{{ object.title }}</p>",
        },
    )
    assert ok.status_code == 201
    kid = ok.json()["data"]["id"]
    assert api.put(f"/v1/kviews/{kid}", {"name": "Orders", "rev": 1}).status_code == 200
    assert api.put(f"/v1/kviews/{kid}", {"name": "Stale", "rev": 1}).status_code == 409
    assert api.delete(f"/v1/kviews/{kid}").status_code == 204


def test_a_kviews_nulls_are_its_defaults_or_clear_it(api, order):
    """On a create null is what leaving the attribute out makes (a template KView, no URL
    template, position 0, active); on an update null clears urlTemplate and position, and is
    refused for what cannot be cleared."""
    body = {
        "name": "Card",
        "resource": "kobject.order",
        "context": "insight-card",
        "template": "<p>{{ object.title }}</p>",
    }
    nulls = {"kind": None, "urlTemplate": None, "position": None, "active": None}
    created = api.post("/v1/kviews", {**body, **nulls})
    assert created.status_code == 201, created.json()
    attributes = created.json()["data"]["attributes"]
    assert (attributes["kind"], attributes["urlTemplate"]) == ("template", "")
    assert (attributes["position"], attributes["active"]) == (0, True)
    kid = api.post("/v1/kviews", {**body, "name": "Other", "position": 5}).json()["data"]["id"]
    updated = api.put(f"/v1/kviews/{kid}", {"urlTemplate": None, "position": None})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["position"] == 0
    refused = api.put(f"/v1/kviews/{kid}", {"active": None})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"]["pointer"] == "/active"


def test_scopes(org, make_key, order):
    from tests.factories import ApiClient

    _, token = make_key(org, scopes=["org.permission.kobject.read"])
    client = ApiClient(token)
    assert client.get("/v1/klasses/order").status_code == 200
    assert client.post("/v1/klasses/order", body()).status_code == 403
    assert client.get("/v1/metadata/kobject.order").status_code == 403


def test_kobject_filters(api, order, grace):
    api.post("/v1/klasses/order", body(customer=str(grace.pk)))
    api.post("/v1/klasses/order", body(externalId="A-2", title="Second"))
    assert api.get(f"/v1/klasses/order?customer={grace.pk}").json()["meta"]["total"] == 1
    assert (
        api.get("/v1/klasses/order?externalId=A-2").json()["data"][0]["attributes"]["title"]
        == "Second"
    )
    titles = [
        o["attributes"]["title"] for o in api.get("/v1/klasses/order?sort=title").json()["data"]
    ]
    assert titles == sorted(titles)
    assert (
        api.get("/v1/klasses/order?updatedSince=2000-01-01T00:00:00Z").json()["meta"]["total"] == 2
    )
    bad = api.get("/v1/klasses/order?updatedSince=soon&customer=x")
    assert bad.status_code == 400
    assert {e["source"]["pointer"] for e in bad.json()["errors"]} == {"/updatedSince", "/customer"}
