"""An order system integrating with kdesk through the live server, end to end."""

import httpx
import pytest

from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_an_order_system_walks_the_whole_integration(live_server, org, make_key):
    agent = UserFactory(org=org, username="sam", display_name="Sam Rivera")
    _, token = make_key(org, name="Order system")
    api = httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )

    # 1. who is this shopper? nobody yet
    missing = api.get("/v1/customers/email=ada@lovelace.io")
    assert missing.status_code == 404 and missing.json()["errors"][0]["status"] == "404"

    # 2. create them
    created = api.post(
        "/v1/customers",
        json={"name": "Ada Lovelace", "emails": [{"type": "home", "email": "ada@lovelace.io"}]},
    )
    assert created.status_code == 201, created.text
    customer_id = created.json()["data"]["id"]

    # 3. the order Klass and its attributes
    assert (
        api.post("/v1/klasses", json={"name": "order", "displayName": "Order"}).status_code == 201
    )
    meta = api.put(
        "/v1/metadata/kobject.order",
        json={
            "properties": {
                "orderNumberStr": {"required": True},
                "totalNum": {"min": 0},
                "statusStr": {"enum": ["placed", "shipped"]},
            }
        },
    )
    assert meta.status_code == 200, meta.text

    # 4. an order on the customer, with our own id
    order = api.post(
        "/v1/klasses/order",
        json={
            "title": "Order 1001",
            "externalId": "1001",
            "customer": customer_id,
            "data": {"orderNumberStr": "1001", "totalNum": 42.5, "statusStr": "placed"},
        },
    )
    assert order.status_code == 201, order.text

    # 5. fetch it back by our id
    fetched = api.get("/v1/klasses/order/externalId=1001")
    assert fetched.status_code == 200
    order_id = fetched.json()["data"]["id"]
    assert fetched.json()["data"]["attributes"]["rev"] == 1

    # 6. ship it, with the rev we have
    shipped = api.patch(
        f"/v1/klasses/order/{order_id}", json={"rev": 1, "data": {"statusStr": "shipped"}}
    )
    assert shipped.status_code == 200 and shipped.json()["data"]["attributes"]["rev"] == 2

    # 7. a second writer with the old rev loses, and nothing changes
    stale = api.patch(
        f"/v1/klasses/order/{order_id}", json={"rev": 1, "data": {"statusStr": "placed"}}
    )
    assert stale.status_code == 409
    assert (
        api.get(f"/v1/klasses/order/{order_id}").json()["data"]["attributes"]["data"]["statusStr"]
        == "shipped"
    )

    # 8. the customer writes in; 9. an internal note mentions an agent
    message = api.post(
        f"/v1/customers/{customer_id}/messages",
        json={"direction": "in", "channel": "email", "body": "Where is my order 1001?"},
    )
    assert message.status_code == 201, message.text
    conversation_id = message.json()["data"]["relationships"]["conversation"]["data"]["id"]
    note = api.post(
        f"/v1/conversations/{conversation_id}/notes",
        json={
            "body": "Shipped yesterday, tracking sent",
            "userMentions": [{"user": str(agent.pk)}],
        },
    )
    assert note.status_code == 201, note.text

    # 10. the timeline holds the message, the note and the order
    timeline = api.get(f"/v1/customers/{customer_id}/timeline")
    assert timeline.status_code == 200
    entries = timeline.json()["data"]
    kinds = [e["attributes"]["kind"] for e in entries]
    assert {"message", "note", "kobject"} <= set(kinds)
    events = [e["attributes"]["event"] for e in entries]
    assert events.index("conversation.note.create") < events.index("conversation.message.create")
    assert events.index("conversation.message.create") < events.index("kobject.order.update")
    bodies = " ".join(str(e["attributes"]["data"]) for e in entries)
    assert "Where is my order 1001?" in bodies and "Shipped yesterday" in bodies

    from conversations.models import Notification

    assert Notification.objects.filter(user=agent).count() == 1
