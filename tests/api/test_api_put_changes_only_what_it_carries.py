"""PUT (like PATCH) changes only the attributes the body carries, for every resource with one:
what it leaves out is kept, an attribute sent as null is cleared, `custom`/`data` merge key by
key, a required attribute sent as null is a 400 naming it, and a stale rev is still a 409."""

import pytest

from kdesk.models import Event

pytestmark = pytest.mark.django_db


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()["data"]


def _pointers(response):
    assert response.status_code == 400, response.content
    return [e["source"]["pointer"] for e in response.json()["errors"]]


@pytest.fixture
def company_id(api):
    return _ok(api.post("/v1/companies", {"name": "Initech"}), 201)["id"]


@pytest.fixture
def order_klass(api):
    _ok(api.post("/v1/klasses", {"name": "order", "description": "Shop orders"}), 201)
    return "order"


def _customer(api, company_id):
    body = {
        "name": "Grace Hopper",
        "externalId": "gh-1",
        "emails": [{"type": "work", "email": "grace@example.com"}],
        "phones": [{"type": "mobile", "phone": "+14155552671"}],
        "company": company_id,
        "custom": {"tierStr": "gold", "seatsNum": 3},
    }
    return _ok(api.post("/v1/customers", body), 201)


def test_a_customer_put_with_only_custom_keeps_everything_else(api, company_id):
    created = _customer(api, company_id)
    path = f"/v1/customers/{created['id']}"

    put = _ok(api.put(path, {"custom": {"tierStr": "platinum"}}))

    attrs = put["attributes"]
    assert attrs["name"] == "Grace Hopper" and attrs["externalId"] == "gh-1"
    assert attrs["emails"] == created["attributes"]["emails"]
    assert attrs["phones"] == created["attributes"]["phones"]
    assert put["relationships"]["company"]["data"]["id"] == company_id
    assert attrs["custom"] == {"tierStr": "platinum", "seatsNum": 3}
    event = Event.objects.filter(type="customer.update").get()
    assert set(event.changes) == {"custom.tierStr"}


def test_a_customer_put_clears_what_it_sends_as_null(api, company_id):
    created = _customer(api, company_id)
    path = f"/v1/customers/{created['id']}"

    put = _ok(api.put(path, {"externalId": None, "company": None, "custom": {"seatsNum": None}}))

    attrs = put["attributes"]
    assert attrs["externalId"] is None and "company" not in put["relationships"]
    assert attrs["custom"] == {"tierStr": "gold"}
    assert attrs["name"] == "Grace Hopper" and attrs["emails"]
    # the externalId is free again
    assert api.get("/v1/customers/externalId=gh-1").status_code == 404


def test_a_customer_put_with_a_stale_rev_is_409_and_changes_nothing(api, company_id):
    created = _customer(api, company_id)
    path = f"/v1/customers/{created['id']}"
    _ok(api.put(path, {"name": "Admiral Hopper", "rev": 1}))

    stale = api.put(path, {"name": "Stale", "rev": 1})

    assert stale.status_code == 409
    assert _ok(api.get(path))["attributes"]["name"] == "Admiral Hopper"


def test_a_customer_upsert_by_external_id_keeps_what_it_leaves_out(api, company_id):
    _customer(api, company_id)

    put = _ok(api.put("/v1/customers/externalId=gh-1", {"custom": {"seatsNum": 4}}))

    attrs = put["attributes"]
    assert attrs["name"] == "Grace Hopper" and attrs["emails"] and attrs["phones"]
    assert attrs["custom"] == {"tierStr": "gold", "seatsNum": 4}


def test_a_company_put(api):
    body = {"name": "Initech", "externalId": "c-1", "domains": ["initech.com"], "tags": ["b2b"]}
    created = _ok(api.post("/v1/companies", {**body, "custom": {"segStr": "smb"}}), 201)
    path = f"/v1/companies/{created['id']}"

    attrs = _ok(api.put(path, {"custom": {"sizeNum": 40}}))["attributes"]
    assert attrs["name"] == "Initech" and attrs["domains"] == ["initech.com"]
    assert attrs["tags"] == ["b2b"] and attrs["externalId"] == "c-1"
    assert attrs["custom"] == {"segStr": "smb", "sizeNum": 40}

    attrs = _ok(api.put(path, {"externalId": None, "domains": None}))["attributes"]
    assert attrs["externalId"] is None and attrs["domains"] == [] and attrs["tags"] == ["b2b"]

    assert _pointers(api.put(path, {"name": None})) == ["/name"]
    assert api.put(path, {"tags": [], "rev": 1}).status_code == 409
    assert _ok(api.get(path))["attributes"]["tags"] == ["b2b"]


def test_a_conversation_put(api, company_id, agent):
    customer = _customer(api, company_id)
    created = _ok(
        api.post(
            "/v1/conversations",
            {
                "customer": customer["id"],
                "name": "Refund",
                "priority": 4,
                "assignedUser": str(agent.pk),
                "tags": ["billing"],
                "custom": {"reasonStr": "refund", "amountNum": 12},
            },
        ),
        201,
    )
    path = f"/v1/conversations/{created['id']}"

    put = _ok(api.put(path, {"custom": {"amountNum": 15}}))
    attrs = put["attributes"]
    assert attrs["name"] == "Refund" and attrs["priority"] == 4 and attrs["tags"] == ["billing"]
    assert put["relationships"]["assignedUser"]["data"]["id"] == str(agent.pk)
    assert attrs["custom"] == {"reasonStr": "refund", "amountNum": 15}

    put = _ok(api.put(path, {"assignedUser": None, "custom": {"reasonStr": None}}))
    assert "assignedUser" not in put["relationships"]
    assert put["attributes"]["custom"] == {"amountNum": 15}
    assert put["attributes"]["priority"] == 4

    assert _pointers(api.put(path, {"status": None})) == ["/status"]
    assert api.put(path, {"name": "Stale", "rev": 1}).status_code == 409
    assert _ok(api.get(path))["attributes"]["name"] == "Refund"


def test_a_kobject_put(api, order_klass, company_id):
    customer = _customer(api, company_id)
    created = _ok(
        api.post(
            "/v1/klasses/order",
            {
                "title": "Order 1001",
                "externalId": "o-1001",
                "description": "Two shirts",
                "customer": customer["id"],
                "images": ["https://shop.example/1001.png"],
                "tags": ["paid"],
                "data": {"totalNum": 40, "statusStr": "paid"},
                "custom": {"giftBool": True},
            },
        ),
        201,
    )
    path = f"/v1/klasses/order/{created['id']}"

    put = _ok(api.put(path, {"data": {"statusStr": "shipped"}}))
    attrs = put["attributes"]
    assert attrs["title"] == "Order 1001" and attrs["externalId"] == "o-1001"
    assert attrs["description"] == "Two shirts" and attrs["tags"] == ["paid"]
    assert attrs["images"] == ["https://shop.example/1001.png"]
    assert attrs["data"] == {"totalNum": 40, "statusStr": "shipped"}
    assert attrs["custom"] == {"giftBool": True}
    assert put["relationships"]["customer"]["data"]["id"] == customer["id"]

    put = _ok(api.put(path, {"externalId": None, "customer": None, "images": None, "custom": None}))
    attrs = put["attributes"]
    assert attrs["externalId"] is None and attrs["images"] == [] and attrs["custom"] == {}
    assert "customer" not in put["relationships"]
    assert attrs["title"] == "Order 1001" and attrs["data"]["totalNum"] == 40

    assert _pointers(api.put(path, {"title": None})) == ["/title"]
    assert api.put(path, {"title": "Stale", "rev": 1}).status_code == 409
    assert _ok(api.get(path))["attributes"]["title"] == "Order 1001"


def test_a_kobject_put_keeps_a_required_data_attribute_and_refuses_to_clear_it(api, order_klass):
    definition = {"properties": {"totalNum": {"required": True}}}
    assert api.put("/v1/metadata/kobject.order", definition).status_code == 200
    created = _ok(api.post("/v1/klasses/order", {"title": "O", "data": {"totalNum": 5}}), 201)
    path = f"/v1/klasses/order/{created['id']}"

    assert _ok(api.put(path, {"title": "O2"}))["attributes"]["data"] == {"totalNum": 5}
    assert _pointers(api.put(path, {"data": {"totalNum": None}})) == ["/data/totalNum"]
    assert _pointers(api.put(path, {"data": None})) == ["/data/totalNum"]
    assert _ok(api.get(path))["attributes"]["data"] == {"totalNum": 5}


def test_a_klass_definition_put(api, order_klass):
    path = "/v1/klasses/order/definition"
    _ok(api.put(path, {"color": "#aa0000", "icon": "cart"}))

    attrs = _ok(api.put(path, {"displayName": "Orders"}))["attributes"]
    assert attrs["description"] == "Shop orders" and attrs["color"] == "#aa0000"
    assert attrs["icon"] == "cart" and attrs["displayName"] == "Orders"

    attrs = _ok(api.put(path, {"color": None, "description": None}))["attributes"]
    assert attrs["color"] == "" and attrs["description"] == ""
    assert attrs["displayName"] == "Orders"

    assert _pointers(api.put(path, {"displayName": None})) == ["/displayName"]
    assert api.put(path, {"icon": "box", "rev": 1}).status_code == 409
    assert _ok(api.get(path))["attributes"]["icon"] == "cart"


def test_a_metadata_put_merges_each_definition(api):
    path = "/v1/metadata/customer"
    first = {"properties": {"tierStr": {"displayName": "Tier", "enum": ["gold", "silver"]}}}
    _ok(api.put(path, first))

    props = _ok(api.put(path, {"properties": {"tierStr": {"required": True}}}))["attributes"]
    tier = props["properties"]["tierStr"]
    assert tier["displayName"] == "Tier" and tier["enum"] == ["gold", "silver"]
    assert tier["required"] is True

    props = _ok(api.put(path, {"properties": {"tierStr": {"enum": None}}}))["attributes"]
    assert "enum" not in props["properties"]["tierStr"]
    assert props["properties"]["tierStr"]["displayName"] == "Tier"
    assert api.put(path, {"properties": {"tierStr": {}}, "rev": 1}).status_code == 409


def test_a_kview_put(api):
    created = _ok(
        api.post(
            "/v1/kviews",
            {
                "name": "Tier card",
                "resource": "customer",
                "context": "insight-card",
                "template": "<p>{{ customer.custom.tierStr }}</p>",
                "position": 3,
            },
        ),
        201,
    )
    path = f"/v1/kviews/{created['id']}"

    attrs = _ok(api.put(path, {"name": "Tier"}))["attributes"]
    assert attrs["template"] == "<p>{{ customer.custom.tierStr }}</p>"
    assert attrs["position"] == 3 and attrs["context"] == "insight-card"

    attrs = _ok(api.put(path, {"position": None}))["attributes"]
    assert attrs["position"] == 0 and attrs["name"] == "Tier"

    assert _pointers(api.put(path, {"template": None})) == ["/template"]
    assert _pointers(api.put(path, {"name": None, "context": None})) == ["/name", "/context"]
    assert api.put(path, {"name": "Stale", "rev": 1}).status_code == 409
    assert _ok(api.get(path))["attributes"]["name"] == "Tier"


def test_a_tag_put(api):
    created = _ok(api.post("/v1/tags", {"name": "vip", "color": "#112233"}), 201)
    path = f"/v1/tags/{created['id']}"

    attrs = _ok(api.put(path, {"name": "VIP"}))["attributes"]
    assert attrs["color"] == "#112233"
    assert _ok(api.put(path, {"color": "#445566"}))["attributes"]["name"] == "VIP"
    assert _pointers(api.put(path, {"name": None})) == ["/name"]
    assert api.put(path, {"color": "#000000", "rev": 1}).status_code == 409


def test_a_shortcut_put(api):
    created = _ok(api.post("/v1/shortcuts", {"name": "hello", "payload": "Hi there"}), 201)
    path = f"/v1/shortcuts/{created['id']}"

    attrs = _ok(api.put(path, {"name": "greeting"}))["attributes"]
    assert attrs["name"] == "greeting"
    assert _ok(api.get(path))["attributes"] == {**attrs}
    assert "Hi there" in str(attrs)
    assert _pointers(api.put(path, {"name": None})) == ["/name"]
    assert api.put(path, {"name": "stale", "rev": 1}).status_code == 409
