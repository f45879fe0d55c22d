"""A shared shortcut is everyone's to use but only its owner's and admins' to change or delete;
anyone else copies it (API and desk enforce the same rule)."""

import json

import pytest

from conversations import services
from conversations.models import Shortcut
from kdesk.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def lee(org):
    from tests.factories import UserFactory

    return UserFactory(org=org, username="lee", display_name="Lee Chen")


@pytest.fixture
def shared(org, agent):
    return services.shortcut_create(
        org=org,
        actor=agent,
        data={
            "name": "refund",
            "payload": "Refunded, {{customer.firstName}}.",
            "conversation": {"tags": {"operator": "append", "value": ["refund"]}},
        },
    )


def session(client, user):
    client.force_login(user)

    def call(method, path, body=None):
        return client.generic(
            method, path, json.dumps(body) if body is not None else "", "application/json"
        )

    return call


def test_another_agent_cannot_change_or_delete_it_through_the_api(client, shared, lee):
    call = session(client, lee)
    r = call("PUT", f"/v1/shortcuts/{shared.pk}", {"isPrivate": True})
    assert r.status_code == 403
    assert "copy it" in r.json()["errors"][0]["detail"]
    assert call("DELETE", f"/v1/shortcuts/{shared.pk}/").status_code == 403
    shared.refresh_from_db()
    assert shared.visibility == "shared" and shared.rev == 1
    assert not Event.objects.filter(type__in=["shortcut.update", "shortcut.delete"]).exists()
    assert call("GET", f"/v1/shortcuts/{shared.pk}").status_code == 200


def test_the_owner_and_an_admin_can(client, shared, agent, admin_user):
    owner = session(client, agent)
    r = owner("PUT", f"/v1/shortcuts/{shared.pk}", {"payload": "Refund sent."})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["modifiedBy"] == str(agent.pk)
    admin = session(client, admin_user)
    r = admin("PUT", f"/v1/shortcuts/{shared.pk}", {"name": "refunded"})
    attrs = r.json()["data"]["attributes"]
    assert r.status_code == 200
    assert (attrs["createdBy"], attrs["modifiedBy"]) == (str(agent.pk), str(admin_user.pk))
    assert admin("DELETE", f"/v1/shortcuts/{shared.pk}").status_code == 204


def test_an_api_key_that_does_not_own_it_is_refused_too(api, shared):
    assert api.put(f"/v1/shortcuts/{shared.pk}", {"name": "mine now"}).status_code == 403
    assert api.delete(f"/v1/shortcuts/{shared.pk}").status_code == 403


def test_anyone_who_sees_it_may_copy_it(client, org, shared, lee, other_api, make_key):
    call = session(client, lee)
    r = call("POST", f"/v1/shortcuts/{shared.pk}/copy")
    assert r.status_code == 201, r.json()
    copy = r.json()["data"]
    attrs = copy["attributes"]
    assert attrs["name"] == "refund-copy" and attrs["isPrivate"] is True
    assert attrs["createdBy"] == str(lee.pk)
    assert attrs["payload"]["text"]["blocks"][0]["text"] == "Refunded, {{customer.firstName}}."
    assert attrs["conversation"] == {"tags": {"operator": "append", "value": ["refund"]}}
    assert call("PUT", f"/v1/shortcuts/{copy['id']}", {"payload": "Mine."}).status_code == 200
    again = call("POST", f"/v1/shortcuts/{shared.pk}/copy/", {"name": "ours", "isPrivate": False})
    assert again.status_code == 201
    assert again.json()["data"]["attributes"]["isPrivate"] is False
    assert call("POST", f"/v1/shortcuts/{shared.pk}/copy", {"name": "ours"}).status_code == 409
    # null is the default for a copy, private, and the document says so
    nulled = call("POST", f"/v1/shortcuts/{shared.pk}/copy", {"name": "n", "isPrivate": None})
    assert nulled.status_code == 201 and nulled.json()["data"]["attributes"]["isPrivate"] is True
    doc = json.loads(
        client.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    copy_body = doc["components"]["schemas"]["ShortcutCopyBodyRequest"]["properties"]
    assert copy_body["isPrivate"]["type"] == ["boolean", "null"]
    bad = call("POST", f"/v1/shortcuts/{shared.pk}/copy", {"owner": 1})
    assert bad.json()["errors"][0]["source"]["pointer"] == "/owner"
    # another org's id is not found; a key without the create scope is refused
    assert other_api.post(f"/v1/shortcuts/{shared.pk}/copy").status_code == 404
    from tests.factories import ApiClient

    _, token = make_key(org, scopes=["org.permission.shortcut.read"])
    assert ApiClient(token).post(f"/v1/shortcuts/{shared.pk}/copy").status_code == 403
    assert Shortcut.objects.filter(org=org).count() == 4


def test_a_private_shortcut_cannot_be_copied_by_others(client, org, agent, lee):
    private = services.shortcut_create(
        org=org, actor=agent, data={"name": "mine", "payload": "x", "isPrivate": True}
    )
    assert session(client, lee)("POST", f"/v1/shortcuts/{private.pk}/copy").status_code == 404


def test_the_desk_offers_copy_instead_of_edit(client, shared, lee, agent, admin_user):
    client.force_login(lee)
    page = client.get("/shortcuts/").content.decode()
    assert f'action="/shortcuts/{shared.pk}/copy/"' in page
    assert f'href="/shortcuts/{shared.pk}/edit/"' not in page
    assert client.get(f"/shortcuts/{shared.pk}/edit/").status_code == 403
    r = client.post(
        f"/shortcuts/{shared.pk}/edit/",
        {"name": "refund", "payload": "hijacked", "visibility": "private", "tags": ""},
    )
    assert r.status_code == 403 and "copy it" in r.content.decode().lower()
    assert client.post(f"/shortcuts/{shared.pk}/delete/").status_code == 403
    shared.refresh_from_db()
    assert shared.payload == "Refunded, {{customer.firstName}}." and shared.visibility == "shared"
    r = client.post(f"/shortcuts/{shared.pk}/copy/")
    copy = Shortcut.objects.get(owner=lee)
    assert r.status_code == 302 and r["Location"] == f"/shortcuts/{copy.pk}/edit/"
    assert client.get(r["Location"]).status_code == 200
    for user in (agent, admin_user):
        client.force_login(user)
        assert f'href="/shortcuts/{shared.pk}/edit/"' in client.get("/shortcuts/").content.decode()
        assert client.get(f"/shortcuts/{shared.pk}/edit/").status_code == 200
