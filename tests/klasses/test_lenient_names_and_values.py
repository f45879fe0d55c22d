"""API.md's lenient names and values: Klass names keep their case (`Purchase_History`) and are
unique ignoring it; attribute names may be snake_case before the suffix; values sent as strings
in canonical form are stored typed, anything else is a 400 naming the attribute."""

import pytest

from klasses.models import Klass, KObject

pytestmark = pytest.mark.django_db


def pointers(response):
    return {e["source"]["pointer"] for e in response.json()["errors"]}


def test_klass_names_keep_their_case_and_clash_ignoring_it(api):
    r = api.post("/v1/klasses", {"name": "Purchase_History"})
    assert r.status_code == 201, r.json()
    klass = Klass.objects.get()
    assert klass.name == "Purchase_History" and klass.display_name == "Purchase History"
    assert api.get("/v1/klasses/Purchase_History/definition").status_code == 200
    again = api.post("/v1/klasses", {"name": "purchase_HISTORY"})
    assert again.status_code == 409 and pointers(again) == {"/name"}
    assert "Purchase_History" in again.json()["errors"][0]["detail"]
    for bad in ("9lives", "_x", "a b", "or\nder", "x" * 65, "Shop.Order"):
        r = api.post("/v1/klasses", {"name": bad})
        assert r.status_code == 400 and pointers(r) == {"/name"}, bad
    reserved = api.post("/v1/klasses", {"name": "Customer"})
    assert reserved.json()["errors"][0]["code"] == "reserved"
    assert api.post("/v1/klasses", {"name": "Order-Line_2"}).status_code == 201
    assert Klass.objects.count() == 2


def test_values_as_strings_are_stored_typed(api):
    api.post("/v1/klasses", {"name": "Purchase_History"})
    r = api.put(
        "/v1/metadata/kobject.Purchase_History",
        {
            "properties": {
                "preferred_contact_methodStr": {"enum": ["email", "phone"]},
                "amountNum": {"min": 0},
                "itemsNum": {},
                "giftBool": {},
                "bought_onAt": {},
            }
        },
    )
    assert r.status_code == 200, r.json()
    body = {
        "title": "P-1",
        "data": {
            "preferred_contact_methodStr": "email",
            "amountNum": "8.5",
            "itemsNum": "3",
            "giftBool": "true",
            "bought_onAt": "2026-01-02T10:00:00+01:00",
        },
    }
    r = api.post("/v1/klasses/Purchase_History", body)
    assert r.status_code == 201, r.json()
    data = r.json()["data"]["attributes"]["data"]
    assert data == {
        "preferred_contact_methodStr": "email",
        "amountNum": 8.5,
        "itemsNum": 3,
        "giftBool": True,
        "bought_onAt": "2026-01-02T09:00:00.000Z",
    }
    stored = KObject.objects.get().data
    assert type(stored["amountNum"]) is float and type(stored["itemsNum"]) is int
    assert stored["giftBool"] is True
    assert api.get(r.json()["data"]["links"]["self"]).json()["data"]["attributes"]["data"] == data


def test_anything_else_is_a_400_naming_each_attribute(api):
    api.post("/v1/klasses", {"name": "Purchase_History"})
    api.put(
        "/v1/metadata/kobject.Purchase_History",
        {"properties": {"amountNum": {"min": 0}, "giftBool": {}, "bought_onAt": {}}},
    )
    r = api.post(
        "/v1/klasses/Purchase_History",
        {
            "title": "P-2",
            "data": {
                "amountNum": "8,5",
                "giftBool": "yes",
                "bought_onAt": "tomorrow",
                "bad__nameStr": "x",
            },
        },
    )
    assert r.status_code == 400
    assert pointers(r) == {
        "/data/amountNum",
        "/data/giftBool",
        "/data/bought_onAt",
        "/data/bad__nameStr",
    }
    below = api.post("/v1/klasses/Purchase_History", {"title": "P", "data": {"amountNum": "-1"}})
    assert below.json()["errors"][0]["code"] == "min"
    assert not KObject.objects.exists()


def test_standard_objects_take_them_too_and_search_finds_them(api):
    r = api.put(
        "/v1/metadata/customer",
        {"properties": {"preferred_contact_methodStr": {}, "loyaltyNum": {}, "vipBool": {}}},
    )
    assert r.status_code == 200, r.json()
    r = api.post(
        "/v1/customers",
        {
            "name": "Ada",
            "custom": {
                "preferred_contact_methodStr": "sms",
                "loyaltyNum": "12",
                "vipBool": "false",
            },
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["data"]["attributes"]["custom"] == {
        "preferred_contact_methodStr": "sms",
        "loyaltyNum": 12,
        "vipBool": False,
    }
    found = api.post(
        "/v1/customers/search",
        {
            "queryContext": "customer",
            "and": [
                {"customer_custom_preferred_contact_methodStr": {"equals": "sms"}},
                {"customer_custom_loyaltyNum": {"gte": 10}},
            ],
        },
    )
    assert found.status_code == 200, found.json()
    assert [c["attributes"]["name"] for c in found.json()["data"]] == ["Ada"]
