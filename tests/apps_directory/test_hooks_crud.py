"""/v1/hooks: create, read, update, delete, scopes and orgs."""

import pytest

pytestmark = pytest.mark.django_db


def test_crud(api):
    r = api.post("/v1/hooks", {"name": "Orders", "kind": "web"})
    assert r.status_code == 201
    hook = r.json()["data"]
    assert hook["attributes"]["enabled"] is True and hook["attributes"]["kind"] == "web"
    hid = hook["id"]
    r = api.put(f"/v1/hooks/{hid}", {"name": "Shop orders", "rev": 1})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["rev"] == 2
    assert api.put(f"/v1/hooks/{hid}", {"name": "x", "rev": 1}).status_code == 409
    r = api.put(f"/v1/hooks/{hid}", {"kind": "email"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/kind"
    assert api.get("/v1/hooks").json()["meta"]["total"] == 1
    assert api.delete(f"/v1/hooks/{hid}").status_code == 204
    assert api.get(f"/v1/hooks/{hid}").status_code == 404


def test_every_problem_at_once(api):
    r = api.post("/v1/hooks", {"kind": "fax", "rateLimitPerMinute": 0, "x": 1})
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/name", "/kind", "/rateLimitPerMinute", "/x"}


def test_orgs_and_scopes(api, other_api, org, make_key):
    from tests.factories import ApiClient

    hid = api.post("/v1/hooks", {"name": "Orders", "kind": "web"}).json()["data"]["id"]
    assert other_api.get(f"/v1/hooks/{hid}").status_code == 404
    assert other_api.delete(f"/v1/hooks/{hid}").status_code == 404
    assert other_api.post(f"/v1/hooks/{hid}/rotate").status_code == 404
    _, token = make_key(org, scopes=["org.permission.hook.read"])
    reader = ApiClient(token)
    assert reader.get(f"/v1/hooks/{hid}").status_code == 200
    assert reader.post("/v1/hooks", {"name": "x", "kind": "web"}).status_code == 403


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_hooks_name_cannot_be_cleared(api, method):
    """null clears what it names (API.md); a hook cannot be left without a name, so null is a
    400 naming it, not a silent no-op, and nothing changes."""
    from kdesk.models import Event

    hid = api.post("/v1/hooks", {"name": "Orders", "kind": "web"}).json()["data"]["id"]
    before = Event.objects.count()
    r = getattr(api, method)(f"/v1/hooks/{hid}", {"name": None, "enabled": False})
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["source"]["pointer"] == "/name" and "cannot be cleared" in error["detail"]
    attributes = api.get(f"/v1/hooks/{hid}").json()["data"]["attributes"]
    assert attributes["name"] == "Orders" and attributes["enabled"] is True
    assert Event.objects.count() == before
