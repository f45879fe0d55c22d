"""`/v1/workflows`: create, read, update, delete with every problem named; scopes and orgs."""

import pytest

from kdesk.models import Event
from tests.events import emitted_since
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

EVENT_WORKFLOW = {
    "name": "Tag VIP conversations",
    "trigger": {"type": "event", "event": "kustomer.conversation.create"},
    "conditions": {"or": [{"field": "data.attributes.priority", "op": "gte", "value": 4}]},
    "steps": [
        {
            "id": "tag",
            "action": "conversation.update",
            "params": {"id": "{{ data.id }}", "tags": ["vip"]},
        }
    ],
}


def test_it_creates_reads_updates_and_deletes(api):
    r = api.post("/v1/workflows", EVENT_WORKFLOW)
    assert r.status_code == 201, r.json()
    data = r.json()["data"]
    assert data["type"] == "workflow" and data["attributes"]["enabled"] is True
    assert data["attributes"]["trigger"] == EVENT_WORKFLOW["trigger"]
    assert data["attributes"]["rev"] == 1 and data["links"]["self"] == f"/v1/workflows/{data['id']}"
    wid = data["id"]
    assert api.get(f"/v1/workflows/{wid}/").json()["data"]["attributes"]["name"] == (
        "Tag VIP conversations"
    )
    listed = api.get("/v1/workflows").json()
    assert listed["meta"]["total"] == 1
    # a partial PUT changes only what it carries
    r = api.put(f"/v1/workflows/{wid}", {"enabled": False})
    assert r.status_code == 200, r.json()
    attrs = r.json()["data"]["attributes"]
    assert attrs["enabled"] is False and attrs["steps"] == EVENT_WORKFLOW["steps"]
    assert attrs["rev"] == 2
    assert api.put(f"/v1/workflows/{wid}", {"enabled": True, "rev": 1}).status_code == 409
    assert api.delete(f"/v1/workflows/{wid}").status_code == 204
    assert api.get(f"/v1/workflows/{wid}").status_code == 404
    assert emitted_since(resource="workflow") == [
        "workflow.create",
        "workflow.update",
        "workflow.delete",
    ]


def pointers(response):
    return {e["source"]["pointer"] for e in response.json()["errors"]}


def test_every_problem_is_named(api):
    body = {
        "name": "",
        "trigger": {"type": "event", "event": "kustomer.nothing.create", "extra": 1},
        "conditions": {
            "and": [
                {"field": "data.x", "op": "like", "value": 1},
                {"field": "", "op": "equals"},
                {"field": "data.y", "op": "in", "value": "a"},
            ]
        },
        "steps": [
            {"id": "1bad", "action": "customer.explode", "params": {}},
            {"id": "note", "action": "note.create", "params": {"body": "{{ steps.later.id }"}},
            {"id": "note", "action": "note.create", "params": {"bodyy": "x"}},
            {"id": "later", "action": "customer.update", "params": {"id": "{{ steps.later.id }}"}},
        ],
    }
    r = api.post("/v1/workflows", body)
    assert r.status_code == 400
    assert pointers(r) >= {
        "/name",
        "/trigger/event",
        "/trigger/extra",
        "/conditions/and/0/op",
        "/conditions/and/1/field",
        "/conditions/and/1/value",
        "/conditions/and/2/value",
        "/steps/0/id",
        "/steps/0/action",
        "/steps/1/params/conversation",
        "/steps/1/params/body",
        "/steps/2/id",
        "/steps/2/params/bodyy",
        "/steps/3/params/id",
    }, r.json()
    assert not Workflow.objects.exists() and not Event.objects.filter(resource="workflow").exists()


def test_schedule_and_hook_triggers_are_checked(api, other_api):
    bad = api.post(
        "/v1/workflows",
        {
            "name": "Nightly",
            "trigger": {"type": "schedule", "cron": "61 * * *", "timezone": "Mars/Olympus"},
            "steps": [{"id": "ping", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    )
    assert pointers(bad) == {"/trigger/cron", "/trigger/timezone"}
    theirs = other_api.post("/v1/hooks", {"name": "Theirs", "kind": "web"}).json()["data"]["id"]
    r = api.post(
        "/v1/workflows",
        {
            "name": "From a hook",
            "trigger": {"type": "hook", "hook": theirs},
            "steps": [{"id": "ping", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    )
    assert pointers(r) == {"/trigger/hook"}
    good = api.post(
        "/v1/workflows",
        {
            "name": "Nightly",
            "trigger": {"type": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Paris"},
            "steps": [{"id": "ping", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    )
    assert good.status_code == 201, good.json()
    next_run = good.json()["data"]["attributes"]["nextRunAt"]
    assert next_run.endswith(("T07:00:00.000Z", "T08:00:00.000Z"))  # 09:00 in Paris, CET or CEST


def test_scopes_and_orgs(api, other_api, org, make_key):
    wid = api.post("/v1/workflows", EVENT_WORKFLOW).json()["data"]["id"]
    assert other_api.get(f"/v1/workflows/{wid}").status_code == 404
    assert other_api.get(f"/v1/workflows/{wid}/runs").status_code == 404
    assert other_api.put(f"/v1/workflows/{wid}", {"enabled": False}).status_code == 404
    assert other_api.get("/v1/workflows").json()["meta"]["total"] == 0
    from tests.factories import ApiClient

    key, token = make_key(org, scopes=["org.permission.workflow.read"])
    reader = ApiClient(token, key=key)
    assert reader.get(f"/v1/workflows/{wid}").status_code == 200
    r = reader.post("/v1/workflows", EVENT_WORKFLOW)
    assert (
        r.status_code == 403 and "org.permission.workflow.create" in r.json()["errors"][0]["detail"]
    )
    assert reader.post(f"/v1/workflows/{wid}/test", {"payload": {}}).status_code == 403


def test_agents_may_read_but_not_change(client, agent, api):
    wid = api.post("/v1/workflows", EVENT_WORKFLOW).json()["data"]["id"]
    client.force_login(agent)
    assert client.get(f"/v1/workflows/{wid}").status_code == 200
    r = client.delete(f"/v1/workflows/{wid}")
    assert r.status_code == 403


def test_unknown_query_parameters_are_refused(api):
    wid = api.post("/v1/workflows", EVENT_WORKFLOW).json()["data"]["id"]
    assert api.get("/v1/workflows?sort=name").status_code == 400
    r = api.get(f"/v1/workflows/{wid}/runs?status=broken")
    assert r.status_code == 400


def test_an_object_as_action_or_false_as_conditions_is_refused_by_name(api):
    body = {
        "name": "Odd",
        "trigger": {"type": "event", "event": "kustomer.customer.create"},
        "conditions": False,
        "steps": [{"id": "one", "action": {"not": "a name"}, "params": {}}],
    }
    r = api.post("/v1/workflows", body)
    assert r.status_code == 400, r.content
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert "/conditions" in pointers
    assert any(p.startswith("/steps/0/action") for p in pointers), pointers
    assert not Workflow.objects.filter(name="Odd").exists()


def test_an_empty_status_filter_lists_every_run(api):
    wid = api.post("/v1/workflows", EVENT_WORKFLOW).json()["data"]["id"]
    r = api.get(f"/v1/workflows/{wid}/runs?status=")
    assert r.status_code == 200, r.json()
    assert api.get(f"/v1/workflows/{wid}/runs?status=odd").status_code == 400


def test_the_documented_bodies_take_what_the_service_takes():
    jsonschema = pytest.importorskip("jsonschema")
    from workflows.openapi import WORKFLOW_BODY, WORKFLOW_CREATE_BODY

    jsonschema.Draft202012Validator(WORKFLOW_CREATE_BODY).validate(EVENT_WORKFLOW)
    jsonschema.Draft202012Validator(WORKFLOW_BODY).validate({"enabled": False, "rev": 1})
    refused = [
        {**EVENT_WORKFLOW, "conditions": False},
        {**EVENT_WORKFLOW, "position": 0},
        {**EVENT_WORKFLOW, "steps": [{"id": "a", "action": "set"}]},  # only in business rules
        {**EVENT_WORKFLOW, "trigger": {"type": "call", "event": "kustomer.customer.create"}},
    ]
    for body in refused:
        assert not jsonschema.Draft202012Validator(WORKFLOW_CREATE_BODY).is_valid(body), body
