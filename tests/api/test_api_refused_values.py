"""Values the API used to take without a word, found by test_api_bodies_match_document: each is
now a 400 that names the attribute, and nothing is written."""

import pytest

from conversations.models import Conversation, Message
from klasses.models import KObject

pytestmark = pytest.mark.django_db


def pointers(response):
    assert response.status_code == 400, response.content
    return {e["source"]["pointer"] for e in response.json()["errors"]}


@pytest.mark.parametrize("custom", ["x", 1, True, [], ["tierStr"]])
def test_custom_that_is_not_an_object_is_refused(world, api, custom):
    conversations, messages = Conversation.objects.count(), Message.objects.count()
    conversation = f"/v1/conversations/{world['conversation']}"
    message = f"{conversation}/messages/{world['message']}"
    for method, path, body in (
        ("post", "/v1/conversations", {"customer": world["customer"], "custom": custom}),
        ("patch", conversation, {"custom": custom, "name": "Renamed"}),
        ("put", conversation, {"custom": custom}),
        ("post", f"{conversation}/messages", {"direction": "in", "channel": "email",
                                              "body": "Hi", "custom": custom}),
        ("patch", message, {"custom": custom, "status": None}),
    ):  # fmt: skip
        assert pointers(getattr(api, method)(path, body)) == {"/custom"}, (method, path)
    assert (Conversation.objects.count(), Message.objects.count()) == (conversations, messages)
    assert Conversation.objects.get(pk=world["conversation"]).name != "Renamed"


def test_a_message_body_may_repeat_its_conversation_but_not_name_another(world, api):
    other = api.post("/v1/conversations", {"customer": world["customer"]}).json()["data"]["id"]
    path = f"/v1/conversations/{world['conversation']}/messages"
    hello = {"direction": "in", "channel": "email", "body": "Hello"}
    before = Message.objects.count()
    for named in (other, "x", 0, True, [], {"a": 1}):
        response = api.post(path, {**hello, "conversation": named})
        assert pointers(response) == {"/conversation"}, named
    assert Message.objects.count() == before
    detail = api.post(path, {**hello, "conversation": other}).json()["errors"][0]["detail"]
    assert f"conversation {world['conversation']}" in detail
    for same in (world["conversation"], int(world["conversation"]), "", None):
        response = api.post(path, {**hello, "conversation": same})
        assert response.status_code == 201, (same, response.content)
        created = response.json()["data"]["relationships"]["conversation"]["data"]["id"]
        assert created == world["conversation"]


def test_a_customers_object_refuses_a_customer_that_is_not_the_paths(world, api):
    path = f"/v1/customers/{world['customer']}/klasses/order"
    before = KObject.objects.count()
    # `true` equals 1 in Python: it was taken as the id 1 (the path's, on SQLite's fresh ids)
    other = str(int(world["customer"]) + 1000)
    for named in (True, other, int(other), "x"):
        assert pointers(api.post(path, {"title": "O", "customer": named})) == {"/customer"}
    assert KObject.objects.count() == before
    for same in (int(world["customer"]), world["customer"], "", None):
        assert api.post(path, {"title": "O", "customer": same}).status_code == 201, same


def test_a_bulk_items_rev_is_an_integer_and_is_checked(world, api):
    stored = api.get("/v1/klasses/order/externalId=o1").json()["data"]["attributes"]
    rev = stored["rev"]
    for wrong in ("", "x", 1.5, True, [], {}):
        body = [{"externalId": "o1", "title": "Changed", "rev": wrong}]
        assert pointers(api.post("/v1/klasses/order/bulk", body)) == {"/0/rev"}, wrong
    stale = api.post(
        "/v1/klasses/order/bulk", [{"externalId": "o1", "title": "Changed", "rev": rev + 1}]
    )
    assert pointers(stale) == {"/0/rev"}
    assert "is stale" in stale.json()["errors"][0]["detail"]
    assert KObject.objects.get(external_id="o1").title == stored["title"]
    fresh = api.post(
        "/v1/klasses/order/bulk",
        [{"externalId": "o1", "title": "Changed", "rev": rev}, {"title": "New", "rev": 9}],
    )
    assert fresh.status_code == 200, fresh.content
    assert KObject.objects.get(external_id="o1").title == "Changed"


def test_ids_in_bodies_may_be_integers_as_documented(world, api):
    made = api.post(
        "/v1/conversations",
        {"customer": int(world["customer"]), "assignedUsers": [None], "tags": None, "name": None},
    )
    assert made.status_code == 201, made.content
    attributes = made.json()["data"]["attributes"]
    assert (attributes["name"], attributes["tags"], attributes["assignedUsers"]) == ("", [], [])


def test_a_links_meta_takes_only_through(world, api):
    path = f"/v1/klasses/order/{world['kobject']}/relationships/buyer"
    link = {"type": "customer", "id": world["customer"]}
    response = api.post(path, {"data": {**link, "meta": {"though": "1"}}})
    assert pointers(response) == {"/data/meta/though"}
    assert api.get(path).json()["data"] is None
    assert api.post(path, {"data": {**link, "meta": None}}).status_code == 200
    assert api.get(path).json()["data"]["id"] == world["customer"]
