"""Fixtures shared by the API tests."""

import pytest


@pytest.fixture
def world(api, org, admin_user):
    """One of everything in org A (the `api` key's org), made through the API itself."""
    ids = {}
    ids["customer"] = api.post(
        "/v1/customers", {"name": "Grace", "externalId": "g1", "emails": [{"email": "g@x.io"}]}
    ).json()["data"]["id"]
    ids["company"] = api.post("/v1/companies", {"name": "Navy"}).json()["data"]["id"]
    msg = api.post(
        f"/v1/customers/{ids['customer']}/messages",
        {"direction": "in", "channel": "email", "body": "Hello"},
    ).json()["data"]
    ids["message"] = msg["id"]
    ids["conversation"] = msg["relationships"]["conversation"]["data"]["id"]
    ids["note"] = api.post(
        f"/v1/conversations/{ids['conversation']}/notes", {"body": "internal"}
    ).json()["data"]["id"]
    api.post(
        "/v1/klasses",
        {
            "name": "order",
            "relationships": [{"name": "buyer", "target": "customer", "cardinality": "one-to-one"}],
        },
    )
    ids["kobject"] = api.post(
        "/v1/klasses/order", {"title": "O1", "externalId": "o1", "customer": ids["customer"]}
    ).json()["data"]["id"]
    ids["kview"] = api.post(
        "/v1/kviews",
        {
            "name": "Card",
            "resource": "kobject.order",
            "context": "insight-card",
            "template": "<p>x</p>",
        },
    ).json()["data"]["id"]
    ids["tag"] = api.post("/v1/tags", {"name": "vip", "color": "#aa0000"}).json()["data"]["id"]
    ids["shortcut"] = api.post(
        "/v1/shortcuts", {"name": "hi", "payload": "Hi!", "visibility": "shared"}
    ).json()["data"]["id"]
    api.put("/v1/metadata/customer", {"properties": {"tierStr": {}}})
    ids["validation"] = api.post(
        "/v1/validations", {"resource": "customer", "attribute": "custom.tierStr", "when": "update"}
    ).json()["data"]["id"]
    ids["user"] = str(admin_user.pk)
    from tests.factories import TeamFactory

    ids["team"] = str(TeamFactory(org=org).pk)
    ids["workflow"] = api.post(
        "/v1/workflows",
        {
            "name": "Notify",
            "trigger": {"type": "event", "event": "kustomer.customer.update"},
            "steps": [{"id": "ping", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    ).json()["data"]["id"]
    assert all(ids.values()), ids
    return ids
