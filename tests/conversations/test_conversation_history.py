"""`GET /v1/conversations/{id}/history`: status, assignment and attribute changes in order,
from the event log; `assignedUsers`/`assignedTeams` as lists while kdesk keeps one owner."""

import json

import pytest

from conversations import services
from klasses.services import metadata_update
from tests.conversations.factories import ConversationCustomerFactory
from tests.factories import ApiClient, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return ConversationCustomerFactory(org=org, name="Jane")


def test_history_round_trip(api, org, admin_user, customer):
    metadata_update(
        org=org, actor=admin_user, resource="conversation", data={"properties": {"reasonStr": {}}}
    )
    lee = UserFactory(org=org, username="lee")
    team = TeamFactory(org=org)
    conv = api.post(
        "/v1/conversations", {"customer": customer.pk, "name": "Refund", "tags": ["vip"]}
    ).json()["data"]
    path = f"/v1/conversations/{conv['id']}"
    api.patch(path, {"assignedUsers": [str(lee.pk)], "assignedTeams": [str(team.pk)]})
    api.patch(path, {"status": "done", "custom": {"reasonStr": "refund"}})
    api.patch(path, {"assignedUser": None})
    r = api.get(f"{path}/history")
    assert r.status_code == 200, r.json()
    steps = [s["attributes"] for s in r.json()["data"]]
    assert [s["event"] for s in steps] == ["conversation.create"] + ["conversation.update"] * 3
    assert steps[0]["changes"] == {
        "name": {"before": None, "after": "Refund"},
        "status": {"before": None, "after": "open"},
        "priority": {"before": None, "after": 3},
        "tags": {"before": None, "after": ["vip"]},
    }
    assert steps[1]["changes"] == {
        "assignedUser": {"before": None, "after": str(lee.pk)},
        "assignedTeam": {"before": None, "after": str(team.pk)},
    }
    assert (steps[1]["assignedUsers"], steps[1]["assignedTeams"]) == ([str(lee.pk)], [str(team.pk)])
    assert steps[2]["changes"] == {
        "status": {"before": "open", "after": "done"},
        "custom.reasonStr": {"before": None, "after": "refund"},
    }
    assert steps[2]["status"] == "done"
    assert steps[3]["assignedUsers"] == [] and steps[3]["assignedTeams"] == [str(team.pk)]
    assert [s["rev"] for s in steps] == [1, 2, 3, 4]
    assert api.get(f"{path}/history/").json()["data"] == r.json()["data"]


def test_history_pages_with_a_cursor(api, customer):
    conv = services.conversation_create(
        org=customer.org, actor=None, data={"customer": customer.pk}
    )
    for i in range(4):
        services.conversation_update(
            org=customer.org, actor=None, conversation=conv, data={"priority": 1 + i % 2 + 1}
        )
    first = api.get(f"/v1/conversations/{conv.pk}/history?limit=3").json()
    assert len(first["data"]) == 3 and first["links"]["next"]
    rest = api.get(first["links"]["next"]).json()
    assert len(rest["data"]) == 2 and rest["links"]["next"] is None
    ids = [int(s["id"]) for s in first["data"] + rest["data"]]
    assert ids == sorted(ids)
    bad = api.get(f"/v1/conversations/{conv.pk}/history?cursor=nope")
    assert bad.status_code == 400 and bad.json()["errors"][0]["source"]["pointer"] == "/cursor"


def test_history_outlives_the_conversation_and_stays_in_its_org(api, other_api, customer, make_key):
    conv = api.post("/v1/conversations", {"customer": customer.pk}).json()["data"]
    path = f"/v1/conversations/{conv['id']}/history"
    assert other_api.get(path).status_code == 404
    assert api.get("/v1/conversations/99999999/history").status_code == 404
    _, token = make_key(customer.org, scopes=["org.permission.customer.read"])
    assert ApiClient(token).get(path).status_code == 403
    assert api.delete(f"/v1/conversations/{conv['id']}").status_code == 204
    steps = [s["attributes"]["event"] for s in api.get(path).json()["data"]]
    assert steps == ["conversation.create", "conversation.delete"]


def test_owner_lists_are_read_and_written(api, org, customer):
    lee, kim = UserFactory(org=org), UserFactory(org=org)
    r = api.post("/v1/conversations", {"customer": customer.pk, "assignedUsers": [lee.pk]})
    attrs = r.json()["data"]["attributes"]
    assert r.status_code == 201 and attrs["assignedUsers"] == [str(lee.pk)]
    assert attrs["assignedTeams"] == []
    path = f"/v1/conversations/{r.json()['data']['id']}"
    r = api.patch(path, {"assignedUsers": [lee.pk, kim.pk]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["source"]["pointer"] == "/assignedUsers/1"
    r = api.patch(path, {"assignedUsers": [99999999], "assignedTeams": "x"})
    assert {e["source"]["pointer"] for e in r.json()["errors"]} == {
        "/assignedUsers/0",
        "/assignedTeams",
    }
    r = api.patch(path, {"assignedUsers": [kim.pk], "assignedUser": str(lee.pk)})
    assert r.json()["errors"][0]["source"]["pointer"] == "/assignedUsers"
    # one owner said one way, even when both ways agree (the document says not both)
    r = api.patch(path, {"assignedUsers": [], "assignedUser": None})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/assignedUsers"
    r = api.patch(path, {"assignedUsers": []})
    assert r.json()["data"]["attributes"]["assignedUsers"] == []
    assert r.json()["data"]["relationships"].get("assignedUser") is None


def test_history_is_in_the_schema(api):
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    assert "get" in doc["paths"]["/v1/conversations/{id}/history"]
    assert "assignedUsers" in doc["components"]["schemas"]["ConversationAttributes"]["properties"]
