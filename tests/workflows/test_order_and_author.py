"""Workflows are ordered (business rules apply in that order, reordered through the API and the
settings page), and what a workflow writes is by "Workflow <name>", whatever the action."""

import pytest

from conversations.models import Conversation, Message, Note, Notification
from customers.models import Customer
from kdesk.models import Event, User
from klasses.models import KObject
from tests.workflows.test_business_rules import rule
from workflows.models import Run, Workflow

pytestmark = pytest.mark.django_db


def _positions(api):
    rows = api.get("/v1/workflows").json()["data"]
    return [(r["attributes"]["name"], r["attributes"]["position"]) for r in rows]


def test_rules_apply_in_the_order_of_their_position(api, org):
    first = rule(api, "Low", {}, {"priority": 1, "tags": ["low"]}, on=["create"])
    second = rule(api, "High", {}, {"priority": 5, "tags": ["high"]}, on=["create"])
    assert _positions(api) == [("Low", 1), ("High", 2)]
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    conv = api.post("/v1/conversations", {"customer": customer}).json()["data"]["attributes"]
    assert conv["priority"] == 5 and conv["tags"] == ["low", "high"]  # High applied last

    r = api.put(f"/v1/workflows/{second}", {"position": 1})
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["attributes"]["position"] == 1
    assert _positions(api) == [("High", 1), ("Low", 2)]
    update = Event.objects.filter(type="workflow.update").latest("id")
    assert update.changes["position"] == {"before": 2, "after": 1}
    conv = api.post("/v1/conversations", {"customer": customer}).json()["data"]["attributes"]
    assert conv["priority"] == 1 and conv["tags"] == ["high", "low"]  # now Low applies last
    created = Event.objects.filter(type="conversation.create").latest("id")
    assert created.changes["priority"]["rule"] == f"Low (rule {first})"


def test_a_position_can_be_given_on_create_and_past_the_end_means_last(api):
    rule(api, "A", {}, {"priority": 1})
    rule(api, "B", {}, {"priority": 2})
    r = api.post(
        "/v1/workflows",
        {
            "name": "C",
            "position": 1,
            "trigger": {"type": "rule", "resource": "conversation"},
            "steps": [{"id": "set", "action": "set", "params": {"priority": 3}}],
        },
    )
    assert r.status_code == 201, r.json()
    assert _positions(api) == [("C", 1), ("A", 2), ("B", 3)]
    a = Workflow.objects.get(name="A")
    assert api.put(f"/v1/workflows/{a.pk}", {"position": 99}).status_code == 200
    assert _positions(api) == [("C", 1), ("B", 2), ("A", 3)]
    r = api.put(f"/v1/workflows/{a.pk}", {"position": 0})
    assert r.status_code == 400
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/position"]
    r = api.put(f"/v1/workflows/{a.pk}", {"position": "first"})
    assert r.status_code == 400 and _positions(api)[2] == ("A", 3)


@pytest.mark.parametrize("count", [3, 30])
def test_moving_to_the_top_renumbers_the_others_in_one_statement(api, org, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(count):
        rule(api, f"R{n}", {}, {"priority": 1})
    Workflow.objects.filter(org=org).update(position=1000)  # gaps and ties: all must move
    last = Workflow.objects.filter(org=org).order_by("id").last()

    with CaptureQueriesContext(connection) as queries:
        r = api.put(f"/v1/workflows/{last.pk}", {"position": 1})

    assert r.status_code == 200, r.json()
    renumbering = [
        q for q in queries if q["sql"].startswith('UPDATE "workflows_workflow" SET "position"')
    ]
    assert len(renumbering) == 1
    names = [name for name, _ in _positions(api)]
    assert names == [last.name] + [f"R{n}" for n in range(count - 1)]
    assert [p for _, p in _positions(api)] == list(range(1, count + 1))


def test_the_settings_page_moves_a_workflow_up_and_down(api, client, admin_user, agent):
    rule(api, "A", {}, {"priority": 1})
    b = rule(api, "B", {}, {"priority": 2})
    client.force_login(admin_user)
    page = client.get("/settings/workflows/").content.decode()
    assert page.index(">A</a>") < page.index(">B</a>")
    assert f'action="/settings/workflows/{b}/move/"' in page
    r = client.post(f"/settings/workflows/{b}/move/", {"to": "up"})
    assert r.status_code == 302
    assert _positions(api) == [("B", 1), ("A", 2)]
    page = client.get("/settings/workflows/").content.decode()
    assert page.index(">B</a>") < page.index(">A</a>")
    assert client.post(f"/settings/workflows/{b}/move/", {"to": "sideways"}).status_code == 404
    client.force_login(agent)
    assert client.post(f"/settings/workflows/{b}/move/", {"to": "down"}).status_code == 403
    assert _positions(api) == [("B", 1), ("A", 2)]


def test_what_a_workflow_writes_is_by_the_workflow(api, org, agent, run_commits):
    """Every writing action, one run: events, notes and messages name the workflow."""
    api.post("/v1/klasses", {"name": "order", "displayName": "Order"})
    r = api.post(
        "/v1/workflows",
        {
            "name": "Welcome",
            "trigger": {"type": "event", "event": "kustomer.customer.create"},
            "conditions": {"and": [{"field": "data.attributes.name", "op": "equals", "value": "Ada"}]},
            "steps": [
                {"id": "upd", "action": "customer.update",
                 "params": {"id": "{{ data.id }}", "name": "Ada L."}},
                {"id": "order", "action": "kobject.upsert",
                 "params": {"klass": "order", "externalId": "o-1", "title": "Order 1",
                            "customer": "{{ data.id }}"}},
                {"id": "conv", "action": "conversation.create",
                 "params": {"customer": "{{ data.id }}", "assignedUser": str(agent.pk)}},
                {"id": "note", "action": "note.create",
                 "params": {"conversation": "{{ steps.conv.id }}", "body": "Hello"}},
                {"id": "msg", "action": "message.create",
                 "params": {"conversation": "{{ steps.conv.id }}", "body": "Welcome!"}},
                {"id": "close", "action": "conversation.update",
                 "params": {"id": "{{ steps.conv.id }}", "status": "done"}},
            ],
        },
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    actor_id = r.json()["data"]["relationships"]["actor"]["data"]["id"]
    machine = User.objects.get(pk=actor_id)
    assert machine.display_name == "Workflow Welcome" and machine.is_machine
    assert not machine.has_usable_password()

    run_commits(api.post, "/v1/customers", {"name": "Ada"})
    run = Run.objects.get()
    assert run.status == Run.Status.SUCCEEDED, run.error
    written = Event.objects.filter(id__gt=run.event_id).exclude(type__startswith="workflow")
    assert {e.type for e in written} >= {
        "customer.update",
        "kobject.order.create",
        "conversation.create",
        "conversation.note.create",
        "conversation.message.create",
        "conversation.update",
    }
    assert {e.actor_id for e in written} == {machine.pk}
    assert Note.objects.get().author_id == machine.pk
    assert Message.objects.get().author_id == machine.pk
    assert KObject.objects.count() == 1 and Conversation.objects.get().status == "done"
    # the assignee is told who by
    bell = agent.notifications.get(kind=Notification.Kind.ASSIGNMENT)
    assert bell.text.startswith("Workflow Welcome assigned you") and bell.actor_id == machine.pk
    # the customer's timeline names the workflow
    customer = Customer.objects.get()
    timeline = api.get(f"/v1/customers/{customer.pk}/timeline").json()
    actors = {
        item["relationships"]["actor"]["data"]["id"]
        for item in timeline["data"]
        if item["attributes"]["event"] == "kobject.order.create"
    }
    assert actors == {str(machine.pk)}

    # a rename renames the author; a delete keeps it (inactive) so history still names it
    wid = Workflow.objects.get().pk
    assert api.put(f"/v1/workflows/{wid}", {"name": "Greeter"}).status_code == 200
    machine.refresh_from_db()
    assert machine.display_name == "Workflow Greeter"
    assert api.delete(f"/v1/workflows/{wid}").status_code == 204
    machine.refresh_from_db()
    assert not machine.is_active
    assert Event.objects.filter(actor=machine).count() == written.count()


def test_a_workflow_saved_before_authors_gets_one_on_its_first_run(api, org, run_commits):
    r = api.post(
        "/v1/workflows",
        {
            "name": "Tagger",
            "trigger": {"type": "event", "event": "kustomer.customer.create"},
            "conditions": {"and": [{"field": "data.attributes.name", "op": "equals", "value": "Ada"}]},
            "steps": [{"id": "t", "action": "customer.update",
                       "params": {"id": "{{ data.id }}", "name": "Ada T."}}],
        },
    )  # fmt: skip
    Workflow.objects.filter(pk=r.json()["data"]["id"]).update(actor=None)
    run_commits(api.post, "/v1/customers", {"name": "Ada"})
    workflow = Workflow.objects.get()
    assert workflow.actor.display_name == "Workflow Tagger"
    assert Event.objects.get(type="customer.update").actor_id == workflow.actor_id
