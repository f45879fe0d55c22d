"""/v1/outbound-webhooks: create (token once), read, update, delete, limits, scopes, orgs."""

import pytest

pytestmark = pytest.mark.django_db

BODY = {"name": "Shop", "url": "https://93.184.215.14/hook", "events": ["kustomer.customer.create"]}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Names resolve to a public address without touching the network."""
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])


def test_it_creates_and_shows_the_token_once(api):
    r = api.post("/v1/outbound-webhooks", {**BODY, "headers": {"X-A": "1"}})
    assert r.status_code == 201
    data = r.json()["data"]
    assert data["type"] == "outbound_webhook"
    attrs = data["attributes"]
    assert attrs["token"].startswith("whsec_")
    assert attrs["enabled"] is True and attrs["headers"] == {"X-A": "1"} and attrs["rev"] == 1
    again = api.get(f"/v1/outbound-webhooks/{data['id']}").json()["data"]["attributes"]
    assert "token" not in again
    listing = api.get("/v1/outbound-webhooks").json()
    assert listing["meta"]["total"] == 1 and "token" not in listing["data"][0]["attributes"]


def test_every_problem_is_reported_at_once(api):
    r = api.post(
        "/v1/outbound-webhooks",
        {
            "url": "ftp://x",
            "events": ["kustomer.customer.create", "kustomer.nope", 3],
            "headers": {"Host": "evil", "bad name": "x", "X-Ok": 5},
            "colour": "red",
        },
    )
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert {
        "/name",
        "/url",
        "/events/1",
        "/events/2",
        "/headers/Host",
        "/headers/bad name",
        "/headers/X-Ok",
        "/colour",
    } <= pointers
    from apps_directory.webhooks.models import OutboundWebhook

    assert not OutboundWebhook.objects.exists()


def test_events_are_required_and_kobject_names_allowed(api):
    r = api.post("/v1/outbound-webhooks", {**BODY, "events": []})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/events"
    r = api.post(
        "/v1/outbound-webhooks",
        {**BODY, "events": ["kustomer.kobject.order.create", "kustomer.note.delete"]},
    )
    assert r.status_code == 201


def test_the_sixth_is_refused(api, settings):
    for i in range(5):
        assert api.post("/v1/outbound-webhooks", {**BODY, "name": f"w{i}"}).status_code == 201
    r = api.post("/v1/outbound-webhooks", {**BODY, "name": "w6"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "limit_reached"
    assert "at most 5" in r.json()["errors"][0]["detail"]
    settings.WEBHOOK_MAX_PER_ORG = 6
    assert api.post("/v1/outbound-webhooks", {**BODY, "name": "w6"}).status_code == 201


def test_update_is_partial_and_checks_rev(api):
    wid = api.post("/v1/outbound-webhooks", BODY).json()["data"]["id"]
    r = api.put(f"/v1/outbound-webhooks/{wid}", {"name": "Renamed", "rev": 1})
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["name"] == "Renamed" and attrs["url"] == BODY["url"] and attrs["rev"] == 2
    assert api.put(f"/v1/outbound-webhooks/{wid}", {"name": "X", "rev": 1}).status_code == 409
    r = api.put(f"/v1/outbound-webhooks/{wid}", {"url": "http://plain.example/"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/url"
    assert api.get(f"/v1/outbound-webhooks/{wid}").json()["data"]["attributes"]["name"] == "Renamed"


def test_delete(api):
    wid = api.post("/v1/outbound-webhooks", BODY).json()["data"]["id"]
    assert api.delete(f"/v1/outbound-webhooks/{wid}").status_code == 204
    assert api.get(f"/v1/outbound-webhooks/{wid}").status_code == 404


def test_other_orgs_see_nothing(api, other_api):
    wid = api.post("/v1/outbound-webhooks", BODY).json()["data"]["id"]
    for path in (
        f"/v1/outbound-webhooks/{wid}",
        f"/v1/outbound-webhooks/{wid}/deliveries",
    ):
        assert other_api.get(path).status_code == 404
    assert other_api.put(f"/v1/outbound-webhooks/{wid}", {"name": "x"}).status_code == 404
    assert other_api.delete(f"/v1/outbound-webhooks/{wid}").status_code == 404
    assert other_api.post(f"/v1/outbound-webhooks/{wid}/rotate").status_code == 404
    assert other_api.get("/v1/outbound-webhooks").json()["meta"]["total"] == 0


def test_scopes(org, make_key):
    from tests.factories import ApiClient

    _, token = make_key(org, scopes=["org.permission.outbound_webhook.read"])
    reader = ApiClient(token)
    assert reader.get("/v1/outbound-webhooks").status_code == 200
    r = reader.post("/v1/outbound-webhooks", BODY)
    assert r.status_code == 403
    assert "org.permission.outbound_webhook.create" in r.json()["errors"][0]["detail"]


def test_agents_sessions_may_not_manage_webhooks(client, agent, admin_user):
    client.force_login(agent)
    r = client.post("/v1/outbound-webhooks", BODY, content_type="application/json")
    assert r.status_code == 403
    client.force_login(admin_user)
    r = client.post("/v1/outbound-webhooks", BODY, content_type="application/json")
    assert r.status_code == 201


def test_unknown_list_parameters_are_refused(api):
    r = api.get("/v1/outbound-webhooks?colour=red")
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/colour"
