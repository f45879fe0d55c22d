"""`/v1/validations`: validation rules through the API, and every resource kind a rule can name
(customer, company, conversation, message, KObject) enforced on its writes."""

import json

import pytest

from kdesk.scopes import scope
from klasses.models import ValidationRule
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


def pointers(response):
    return [e["source"]["pointer"] for e in response.json()["errors"]]


def rule(api, **body):
    head, _, name = body.get("attribute", "").partition(".")
    if name and head in ("custom", "data"):  # a rule names attributes that exist
        api.put(f"/v1/metadata/{body['resource']}", {"properties": {name: {}}})
    response = api.post("/v1/validations", body)
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def test_crud_round_trip_with_both_slash_forms(api):
    created = rule(api, resource="customer", attribute="custom.tierStr", when="create")
    assert created["attributes"] == {
        **created["attributes"],
        "resource": "customer",
        "attribute": "custom.tierStr",
        "when": "create",
        "condition": {},
        "active": True,
        "rev": 1,
    }
    url = created["links"]["self"]
    assert api.get(url).json()["data"] == created
    assert api.get(url + "/").json()["data"] == created
    assert [r["id"] for r in api.get("/v1/validations/").json()["data"]] == [created["id"]]

    updated = api.put(url + "/", {"when": "always", "message": "Pick a tier.", "rev": 1})
    assert updated.status_code == 200, updated.json()
    assert updated.json()["data"]["attributes"]["when"] == "always"
    assert updated.json()["data"]["attributes"]["rev"] == 2
    assert api.put(url, {"message": "x", "rev": 1}).status_code == 409
    assert api.delete(url + "/").status_code == 204
    assert api.get(url).status_code == 404
    names = [e["attributes"]["name"] for e in api.get("/v1/events").json()["data"]]
    assert [n for n in names if n.startswith("validation_rule.")] == [
        "validation_rule.create",
        "validation_rule.update",
        "validation_rule.delete",
    ]


def test_bad_rules_are_400_naming_every_problem(api):
    api.post("/v1/klasses", {"name": "order"})
    api.put("/v1/metadata/kobject.order", {"properties": {"totalNum": {}}})
    cases = [
        ({"resource": "customer", "attribute": "shoeSize", "when": "create"}, ["/attribute"]),
        (
            {"resource": "customer", "attribute": "custom.neverStr", "when": "create"},
            ["/attribute"],
        ),
        ({"resource": "order", "attribute": "title", "when": "create"}, ["/resource"]),
        ({"resource": "kobject.order", "attribute": "nope", "when": "create"}, ["/attribute"]),
        ({"resource": "message", "attribute": "status", "when": "create"}, ["/attribute"]),
        (
            {"resource": "customer", "attribute": "name", "when": "sometimes", "extra": 1},
            ["/extra", "/when"],
        ),
        (
            {
                "resource": "customer",
                "attribute": "name",
                "when": "create",
                "condition": {"op": "like", "value": "x"},
            },
            ["/condition/op"],
        ),
        (
            {
                "resource": "kobject.order",
                "attribute": "data.totalNum",
                "when": "create",
                "condition": {"op": "in", "value": 3},
            },
            ["/condition/value"],
        ),
        ({}, ["/resource", "/attribute", "/when"]),
    ]
    for body, expected in cases:
        response = api.post("/v1/validations", body)
        assert response.status_code == 400, body
        assert sorted(pointers(response)) == sorted(expected), (body, response.json())
    assert not ValidationRule.objects.exists()
    one = rule(api, resource="customer", attribute="name", when="create")
    bad = api.put(f"/v1/validations/{one['id']}", {"attribute": "nope"})
    assert bad.status_code == 400 and pointers(bad) == ["/attribute"]


@pytest.mark.parametrize("condition", ["", 0, [], False, "x", ["x"]])
def test_a_condition_is_an_object(api, condition):
    """A condition is {} (the attribute must be present) or {op, value}: "", 0 or [] is neither,
    and is refused naming it rather than read as {}; nothing is written."""
    body = {"resource": "customer", "attribute": "name", "when": "always"}
    response = api.post("/v1/validations", {**body, "condition": condition})
    assert response.status_code == 400 and pointers(response) == ["/condition"]
    assert "{op, value}" in response.json()["errors"][0]["detail"]
    one = rule(api, **body, condition={"op": "min_length", "value": 2})
    response = api.put(f"/v1/validations/{one['id']}", {"condition": condition})
    assert response.status_code == 400 and pointers(response) == ["/condition"]
    assert ValidationRule.objects.get().condition == {"op": "min_length", "value": 2}


def test_null_is_the_default_on_a_create_and_clears_on_an_update(api):
    """null: no status, the default message, the attribute must be present, active; on an
    update it clears the status, the message and the condition."""
    body = {"resource": "customer", "attribute": "name", "when": "always"}
    nulls = {"status": None, "message": None, "condition": None, "active": None}
    created = rule(api, **body, **nulls)["attributes"]
    assert (created["status"], created["message"], created["condition"]) == (None, "", {})
    assert created["active"] is True
    one = rule(api, **body, message="Name them.", condition={"op": "min_length", "value": 2})
    url = f"/v1/validations/{one['id']}"
    response = api.put(url, {"message": None, "condition": None, "status": None})
    assert response.status_code == 200, response.json()
    attributes = response.json()["data"]["attributes"]
    assert (attributes["message"], attributes["condition"]) == ("", {})
    # a status rule's status is what it guards: clearing it is refused by the rule's own check
    guard = rule(api, resource="conversation", attribute="name", when="status", status="done")
    response = api.put(f"/v1/validations/{guard['id']}", {"status": None})
    assert response.status_code == 400 and pointers(response) == ["/status"]


@pytest.mark.parametrize("attribute", ["resource", "attribute", "when", "active"])
def test_what_a_rule_is_cannot_be_cleared(api, attribute):
    """null clears what it names (API.md): a rule's resource, attribute, when and active cannot
    be, so null is a 400 naming it and nothing changes (not a silent no-op)."""
    one = rule(api, resource="customer", attribute="name", when="always")
    response = api.put(f"/v1/validations/{one['id']}", {attribute: None, "message": "x"})
    assert response.status_code == 400 and pointers(response) == [f"/{attribute}"]
    assert "cannot be cleared" in response.json()["errors"][0]["detail"]
    stored = ValidationRule.objects.get()
    assert (stored.resource, stored.attribute, stored.when, stored.active, stored.message) == (
        "customer",
        "name",
        "always",
        True,
        "",
    )
    assert stored.rev == 1


def test_scopes_and_isolation(api, other_api, org, make_key):
    created = rule(api, resource="company", attribute="domains", when="always")
    url = f"/v1/validations/{created['id']}"
    _, token = make_key(org, scopes=[scope("validation", "read")], name="reader")
    reader = ApiClient(token)
    assert reader.get(url).status_code == 200
    assert reader.post("/v1/validations", {}).status_code == 403
    assert reader.put(url, {"message": "x"}).status_code == 403
    assert reader.delete(url).status_code == 403
    _, token = make_key(org, scopes=[scope("klass", "read")], name="other")
    assert ApiClient(token).get("/v1/validations").status_code == 403
    assert ApiClient("nope").get("/v1/validations").status_code == 401

    assert other_api.get(url).status_code == 404
    assert other_api.put(url, {"message": "x"}).status_code == 404
    assert other_api.delete(url).status_code == 404
    assert other_api.get("/v1/validations").json()["data"] == []


def test_customer_rules_are_enforced(api):
    rule(api, resource="customer", attribute="custom.tierStr", when="create")
    rule(api, resource="customer", attribute="externalId", when="update")
    refused = api.post("/v1/customers", {"name": "Ada"})
    assert refused.status_code == 400 and pointers(refused) == ["/custom/tierStr"]
    ada = api.post("/v1/customers", {"name": "Ada", "custom": {"tierStr": "gold"}}).json()["data"]
    refused = api.put(f"/v1/customers/{ada['id']}", {"name": "Ada L."})
    assert refused.status_code == 400 and pointers(refused) == ["/externalId"]
    ok = api.put(f"/v1/customers/{ada['id']}", {"name": "Ada L.", "externalId": "a1"})
    assert ok.status_code == 200, ok.json()


def test_company_rules_are_enforced(api):
    rule(
        api,
        resource="company",
        attribute="name",
        when="always",
        condition={"op": "min_length", "value": 3},
    )
    refused = api.post("/v1/companies", {"name": "IB"})
    assert refused.status_code == 400 and pointers(refused) == ["/name"]
    assert "at least" in refused.json()["errors"][0]["detail"]
    assert api.post("/v1/companies", {"name": "IBM"}).status_code == 201


def test_conversation_rules_are_enforced(api):
    rule(
        api,
        resource="conversation",
        attribute="custom.resolutionStr",
        when="status",
        status="done",
        message="Pick a resolution first.",
    )
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    conv = api.post("/v1/conversations", {"customer": customer, "name": "Hi"}).json()["data"]
    refused = api.put(f"/v1/conversations/{conv['id']}", {"status": "done"})
    assert refused.status_code == 400 and pointers(refused) == ["/custom/resolutionStr"]
    assert refused.json()["errors"][0]["detail"] == "Pick a resolution first."
    ok = api.put(
        f"/v1/conversations/{conv['id']}",
        {"status": "done", "custom": {"resolutionStr": "fixed"}},
    )
    assert ok.status_code == 200, ok.json()


def test_message_rules_are_enforced(api):
    rule(api, resource="message", attribute="custom.topicStr", when="create")
    rule(
        api,
        resource="message",
        attribute="channel",
        when="create",
        condition={"op": "in", "value": ["email", "chat"]},
    )
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    url = f"/v1/customers/{customer}/messages"
    refused = api.post(url, {"direction": "in", "channel": "sms", "body": "Hello"})
    assert refused.status_code == 400
    assert pointers(refused) == ["/custom/topicStr", "/channel"]
    assert api.get(f"/v1/customers/{customer}/conversations").json()["data"] == []
    ok = api.post(
        url, {"direction": "in", "channel": "email", "body": "Hello", "custom": {"topicStr": "x"}}
    )
    assert ok.status_code == 201, ok.json()


def test_kobject_rules_are_enforced(api):
    api.post("/v1/klasses", {"name": "order"})
    rule(
        api,
        resource="kobject.order",
        attribute="data.totalNum",
        when="always",
        condition={"op": "gte", "value": 0},
    )
    refused = api.post("/v1/klasses/order", {"title": "#1", "data": {"totalNum": -5}})
    assert refused.status_code == 400 and pointers(refused) == ["/data/totalNum"]
    assert refused.json()["errors"][0]["code"] == "rule"
    missing = api.post("/v1/klasses/order", {"title": "#1"})
    assert pointers(missing) == ["/data/totalNum"]
    assert (
        api.post("/v1/klasses/order", {"title": "#1", "data": {"totalNum": 5}}).status_code == 201
    )


def test_an_inactive_rule_is_not_enforced(api):
    created = rule(api, resource="company", attribute="domains", when="always")
    assert api.post("/v1/companies", {"name": "IBM"}).status_code == 400
    api.put(f"/v1/validations/{created['id']}", {"active": False})
    assert api.post("/v1/companies", {"name": "IBM"}).status_code == 201


def test_the_openapi_document_has_the_validation_endpoints(api):
    schema = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    assert set(schema["paths"]["/v1/validations"]) >= {"get", "post"}
    assert set(schema["paths"]["/v1/validations/{id}"]) >= {"get", "put", "delete"}
    assert "ValidationResource" in schema["components"]["schemas"]


def test_message_update_rules_are_enforced(api):
    rule(api, resource="message", attribute="custom.topicStr", when="update")
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    created = api.post(
        f"/v1/customers/{customer}/messages", {"direction": "out", "channel": "email", "body": "Hi"}
    )
    assert created.status_code == 201, created.json()
    path = created.json()["data"]["links"]["self"]
    refused = api.put(path, {"status": "read"})
    assert refused.status_code == 400 and pointers(refused) == ["/custom/topicStr"]
    assert api.get(path).json()["data"]["attributes"]["rev"] == 1
    ok = api.put(path, {"status": "read", "custom": {"topicStr": "billing"}})
    assert ok.status_code == 200, ok.json()
