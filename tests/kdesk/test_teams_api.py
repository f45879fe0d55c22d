"""Teams through the API: create, change, delete with members; events team.create/update/
delete; users' memberships follow; validation names each bad member; names are unique (409)."""

import json

import pytest

from conversations.models import Conversation
from kdesk.models import Event, Team
from tests.conversations.factories import ConversationCustomerFactory, ConversationFactory
from tests.events import emitted_since
from tests.factories import ApiClient, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return [UserFactory(org=org, username=f"p{i}", display_name=f"P {i}") for i in range(3)]


def test_create_read_update_delete_round_trip(api, people):
    a, b, c = people
    r = api.post(
        "/v1/teams", {"name": "Billing", "displayName": "Billing team", "members": [a.pk, b.pk]}
    )
    assert r.status_code == 201, r.json()
    team = r.json()["data"]
    attrs = team["attributes"]
    assert (attrs["name"], attrs["displayName"], attrs["slug"]) == (
        "Billing",
        "Billing team",
        "billing",
    )
    assert attrs["members"] == [str(a.pk), str(b.pk)] and attrs["rev"] == 1
    assert [m["id"] for m in team["relationships"]["members"]["data"]] == attrs["members"]
    assert api.get(f"/v1/teams/{team['id']}/").json()["data"] == team
    # users' memberships follow the team
    assert api.get(f"/v1/users/{a.pk}").json()["data"]["relationships"]["teams"]["data"] == [
        {"type": "team", "id": team["id"]}
    ]
    # sending back what was read changes nothing
    same = api.put(f"/v1/teams/{team['id']}", attrs)
    assert same.status_code == 200 and same.json()["data"]["attributes"]["rev"] == 1
    # a partial PUT changes only what it carries
    r = api.put(f"/v1/teams/{team['id']}", {"members": [str(c.pk), str(b.pk)], "rev": 1})
    attrs = r.json()["data"]["attributes"]
    assert r.status_code == 200 and attrs["rev"] == 2 and attrs["name"] == "Billing"
    assert attrs["members"] == [str(b.pk), str(c.pk)]
    assert api.get(f"/v1/users/{a.pk}").json()["data"]["relationships"] == {}
    assert set(Team.objects.get().members.values_list("pk", flat=True)) == {b.pk, c.pk}
    assert api.put(f"/v1/teams/{team['id']}", {"name": "X", "rev": 1}).status_code == 409
    renamed = api.put(f"/v1/teams/{team['id']}?rev=2", {"name": "Money"}).json()["data"]
    assert renamed["attributes"]["slug"] == "billing"  # mention handles stay put
    assert api.delete(f"/v1/teams/{team['id']}").status_code == 204
    assert api.get(f"/v1/teams/{team['id']}").status_code == 404
    assert not Team.members.through.objects.exists()
    types = ["team.create", "team.update", "team.update", "team.delete"]
    assert emitted_since(resource="team") == types
    events = list(Event.objects.filter(resource="team").order_by("id"))
    assert events[1].changes == {
        "members": {"before": [str(a.pk), str(b.pk)], "after": [str(b.pk), str(c.pk)]}
    }
    assert events[2].changes["name"] == {"before": "Billing", "after": "Money"}
    assert events[3].data["attributes"]["members"] == [str(b.pk), str(c.pk)]
    feed = api.get("/v1/events?types=team.*").json()["data"]
    assert [e["attributes"]["name"] for e in feed] == types


def test_members_are_validated_one_by_one(api, org, other_org, people):
    stranger = UserFactory(org=other_org)
    machine = api.get("/v1/users/current").json()["data"]["id"]
    r = api.post(
        "/v1/teams",
        {"name": "Ops", "members": [people[0].pk, stranger.pk, "abc", 99999999, machine]},
    )
    assert r.status_code == 400
    errors = {e["source"]["pointer"]: e for e in r.json()["errors"]}
    assert set(errors) == {"/members/1", "/members/2", "/members/3", "/members/4"}
    assert str(stranger.pk) in errors["/members/1"]["detail"]
    r = api.post("/v1/teams", {"name": "", "members": "all", "color": "red"})
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/name", "/members", "/color"}
    assert not Team.objects.exists() and not Event.objects.filter(resource="team").exists()


def test_names_and_slugs_are_unique_in_the_org(api, other_api):
    assert api.post("/v1/teams", {"name": "Billing"}).status_code == 201
    for body, pointer in (
        ({"name": "billing"}, "/name"),
        ({"name": "B2", "slug": "billing"}, "/slug"),
    ):
        r = api.post("/v1/teams/", body)
        assert r.status_code == 409, r.json()
        assert r.json()["errors"][0]["source"]["pointer"] == pointer
    other = api.post("/v1/teams", {"name": "Support"}).json()["data"]
    r = api.put(f"/v1/teams/{other['id']}", {"name": "BILLING"})
    assert r.status_code == 409
    assert other_api.post("/v1/teams", {"name": "Billing"}).status_code == 201  # another org


def test_another_orgs_team_is_not_found(api, other_org):
    theirs = TeamFactory(org=other_org)
    assert api.get(f"/v1/teams/{theirs.pk}").status_code == 404
    assert api.put(f"/v1/teams/{theirs.pk}", {"name": "Mine"}).status_code == 404
    assert api.delete(f"/v1/teams/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.name != "Mine"


def test_agents_read_teams_admins_change_them(client, org, agent, admin_user):
    client.force_login(agent)

    def post(body):
        return client.post("/v1/teams", json.dumps(body), "application/json")

    assert client.get("/v1/teams").status_code == 200
    assert post({"name": "Agents"}).status_code == 403
    client.force_login(admin_user)
    assert post({"name": "Admins"}).status_code == 201
    assert ApiClient("kdk_nope").post("/v1/teams", {"name": "x"}).status_code == 401


def test_deleting_a_team_unassigns_its_conversations(api, org, agent):
    team = api.post("/v1/teams", {"name": "Billing", "members": [agent.pk]}).json()["data"]
    customer = ConversationCustomerFactory(org=org)
    conv = ConversationFactory(
        org=org, customer=customer, assigned_user=agent, assigned_team_id=int(team["id"])
    )
    assert api.delete(f"/v1/teams/{team['id']}").status_code == 204
    conv.refresh_from_db()
    assert conv.assigned_team_id is None and conv.assigned_user == agent and conv.rev == 2
    update = Event.objects.get(type="conversation.update")
    assert update.changes == {"assignedTeam": {"before": team["id"], "after": None}}
    assert Conversation.objects.get().pk == conv.pk


def test_teams_are_in_the_schema(api):
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    assert {"get", "post"} <= set(doc["paths"]["/v1/teams"])
    assert {"get", "put", "delete"} <= set(doc["paths"]["/v1/teams/{id}"])


def test_without_a_slug_the_name_needs_a_letter_or_digit_as_documented(api):
    """The document says a name makes the handle only with a letter or digit of A-Z, 0-9: the
    server holds to the same rule (slugify alone would fold "ï" but not "ø")."""
    for name in ("ï", "ø", "—"):
        r = api.post("/v1/teams", {"name": name})
        assert r.status_code == 400, name
        assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/slug"]
    assert not Team.objects.exists()
    r = api.post("/v1/teams", {"name": "ï", "slug": "i-team"})
    assert r.status_code == 201 and r.json()["data"]["attributes"]["slug"] == "i-team"
    r = api.post("/v1/teams", {"name": "Équipe Nord"})
    assert r.status_code == 201 and r.json()["data"]["attributes"]["slug"] == "equipe-nord"
