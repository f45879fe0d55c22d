"""Ids that look like digits but are not (Unicode digits) or do not fit a key: 400, never 500."""

import pytest

pytestmark = pytest.mark.django_db

BAD = ["²", "1²", 10**30, "99999999999999999999999"]


@pytest.fixture
def customer_id(api):
    return api.post("/v1/customers", {"name": "Grace"}).json()["data"]["id"]


@pytest.mark.parametrize("bad", BAD)
def test_body_ids(api, customer_id, bad):
    api.post("/v1/klasses", {"name": "order"})
    conv = api.post("/v1/conversations", {"customer": customer_id, "name": "x"}).json()["data"]
    requests = [
        ("post", "/v1/customers", {"name": "x", "company": bad}),
        ("post", "/v1/klasses/order", {"title": "x", "customer": bad}),
        ("post", "/v1/conversations", {"customer": bad}),
        ("post", "/v1/customers/merges", {"source": bad, "target": customer_id}),
        (
            "post",
            f"/v1/conversations/{conv['id']}/notes",
            {"body": "hi", "userMentions": [{"user": bad}]},
        ),
        ("patch", f"/v1/conversations/{conv['id']}", {"assignedUser": bad}),
    ]
    for method, path, body in requests:
        response = getattr(api, method)(path, body)
        assert response.status_code in (400, 404), (path, response.status_code, response.content)


@pytest.mark.parametrize(
    "query", ["page=99999999999999999999", "page=²", "pageSize=²", "company=99999999999999999999"]
)
def test_query_ids(api, query):
    assert api.get(f"/v1/customers?{query}").status_code == 400


def test_feed_cursor(api):
    assert api.get("/v1/events?after=²").status_code == 400
    assert api.get("/v1/events?after=99999999999999999999999").status_code == 400


def test_conversation_needs_a_customer(api):
    response = api.post("/v1/conversations", {"customer": None})
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/customer"
