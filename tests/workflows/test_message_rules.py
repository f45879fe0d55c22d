"""Business rules on messages: inside the message's write, before it commits, they set fields on
the message's conversation and the message's own custom attributes, in order, each change
recorded in the event's `changes` with the rule that made it."""

import pytest

from conversations.models import Conversation, Message
from kdesk.models import Event
from tests.factories import TeamFactory
from workflows.models import Run

pytestmark = pytest.mark.django_db

BILLING_EMAIL = {
    "and": [
        {"field": "message.direction", "op": "equals", "value": "in"},
        {"field": "message.channel", "op": "equals", "value": "email"},
        {"field": "message.custom.toStr", "op": "starts_with", "value": "billing@"},
    ]
}


def message_rule(api, name, conditions, params, **extra):
    r = api.post(
        "/v1/workflows",
        {
            "name": name,
            "trigger": {"type": "rule", "resource": "message", "on": ["create"]},
            "conditions": conditions,
            "steps": [{"id": "set", "action": "set", "params": params}],
            **extra,
        },
    )
    assert r.status_code == 201, r.json()
    return r.json()["data"]["id"]


@pytest.fixture
def fields(api):
    for resource, name in (("message", "toStr"), ("message", "queueStr")):
        r = api.put(f"/v1/metadata/{resource}", {"properties": {name: {}}})
        assert r.status_code == 200, r.json()


def _email(api, customer, to, body="My invoice"):
    r = api.post(
        f"/v1/customers/{customer}/messages",
        {"direction": "in", "channel": "email", "body": body, "custom": {"toStr": to}},
    )
    assert r.status_code == 201, r.json()
    return r.json()["data"]


def test_an_inbound_email_to_billing_routes_its_conversation(api, org, fields):
    billing = TeamFactory(org=org, name="Billing")
    rid = message_rule(
        api,
        "Billing inbox",
        BILLING_EMAIL,
        {
            "assignedTeam": str(billing.pk),
            "priority": 5,
            "tags": ["billing"],
            "message": {"custom": {"queueStr": "billing"}},
        },
    )
    label = f"Billing inbox (rule {rid})"
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    # the conversation is already there (opened by an earlier chat message)
    conv = api.post("/v1/conversations", {"customer": customer}).json()["data"]["id"]
    api.post(f"/v1/conversations/{conv}/messages", {"direction": "in", "channel": "email",
                                                      "body": "Hi", "custom": {"toStr": "x@y"}})  # fmt: skip
    assert Conversation.objects.get().priority == 3  # not to billing@: nothing changes
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first()

    message = _email(api, customer, "billing@acme.test")
    conversation = Conversation.objects.get()
    assert conversation.assigned_team_id == billing.pk
    assert conversation.priority == 5 and conversation.tags == ["billing"]
    assert conversation.rev == 2
    assert message["attributes"]["custom"] == {"toStr": "billing@acme.test", "queueStr": "billing"}
    assert Message.objects.get(pk=message["id"]).custom["queueStr"] == "billing"

    new = list(Event.objects.filter(id__gt=last_event).order_by("id"))
    assert [e.type for e in new] == ["conversation.update", "conversation.message.create"]
    update, created = new
    assert update.changes == {
        "priority": {"before": 3, "after": 5, "rule": label},
        "assignedTeam": {"before": None, "after": str(billing.pk), "rule": label},
        "tags": {"before": [], "after": ["billing"], "rule": label},
    }
    assert update.data["attributes"]["priority"] == 5 and update.rev == 2
    assert created.changes == {
        "custom.queueStr": {"before": None, "after": "billing", "rule": label}
    }
    assert not Run.objects.exists()  # rules run in the write, never as runs


def test_a_message_opening_a_conversation_routes_it_in_the_same_write(api, org, fields):
    billing = TeamFactory(org=org, name="Billing")
    rid = message_rule(api, "Billing", BILLING_EMAIL, {"assignedTeam": str(billing.pk)})
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    _email(api, customer, "billing@acme.test")
    conversation = Conversation.objects.get()
    assert conversation.assigned_team_id == billing.pk
    types = list(Event.objects.filter(resource__in=["conversation", "message"])
                 .order_by("id").values_list("type", flat=True))  # fmt: skip
    assert types == ["conversation.create", "conversation.update", "conversation.message.create"]
    update = Event.objects.get(type="conversation.update")
    assert update.changes["assignedTeam"]["rule"] == f"Billing (rule {rid})"
    # the live inbox and timeline read the event's meta: the team's name is there
    assert update.data["meta"]["assignedTeamName"] == "Billing"


def test_message_rules_apply_in_order_and_see_what_earlier_ones_set(api, org, fields):
    first = message_rule(api, "Email is high", {"and": [
        {"field": "message.channel", "op": "equals", "value": "email"}]}, {"priority": 4})  # fmt: skip
    second = message_rule(
        api,
        "High gets a tag",
        {"and": [{"field": "conversation.priority", "op": "gte", "value": 4}]},
        {"tags": ["{{ 'p' ~ conversation.priority }}"], "priority": 5},
    )
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    _email(api, customer, "help@acme.test")
    conversation = Conversation.objects.get()
    assert conversation.priority == 5 and conversation.tags == ["p4"]
    update = Event.objects.get(type="conversation.update")
    assert update.changes["priority"] == {
        "before": 3,
        "after": 5,
        "rule": f"High gets a tag (rule {second})",
    }
    # second first: it no longer sees priority 4 when it runs
    api.put(f"/v1/workflows/{second}", {"position": 1})
    other = api.post("/v1/customers", {"name": "Bea"}).json()["data"]["id"]
    _email(api, other, "help@acme.test")
    conversation = Conversation.objects.get(customer_id=other)
    assert conversation.priority == 4 and conversation.tags == []
    update = Event.objects.filter(type="conversation.update").latest("id")
    assert update.changes == {"priority": {"before": 3, "after": 4,
                                           "rule": f"Email is high (rule {first})"}}  # fmt: skip


def test_a_rule_a_validation_rule_refuses_leaves_the_conversation_but_keeps_the_message(
    api, org, fields
):
    api.put("/v1/metadata/conversation", {"properties": {"reasonStr": {}}})
    r = api.post(
        "/v1/validations",
        {"resource": "conversation", "attribute": "custom.reasonStr", "when": "status",
         "status": "done"},
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    message_rule(api, "Close thanks", {"and": [
        {"field": "message.body", "op": "contains", "value": "thanks"}]}, {"status": "done"})  # fmt: skip
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    message = _email(api, customer, "help@acme.test", body="Many thanks!")
    assert Message.objects.filter(pk=message["id"]).exists()
    assert Conversation.objects.get().status == "open"
    assert not Event.objects.filter(type="conversation.update").exists()


def test_message_rule_definitions_are_checked(api):
    r = api.post(
        "/v1/workflows",
        {
            "name": "On message update",
            "trigger": {"type": "rule", "resource": "message", "on": ["update"]},
            "steps": [{"id": "s", "action": "set", "params": {"priority": 5}}],
        },
    )
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/trigger/on"]
    r = api.post(
        "/v1/workflows",
        {
            "name": "Conversation rule setting a message",
            "trigger": {"type": "rule", "resource": "conversation"},
            "steps": [{"id": "s", "action": "set", "params": {"message": {"custom": {}}}}],
        },
    )
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/steps/0/params/message"]
    r = api.post(
        "/v1/workflows",
        {
            "name": "Rule on customers",
            "trigger": {"type": "rule", "resource": "customer"},
            "steps": [{"id": "s", "action": "set", "params": {"priority": 5}}],
        },
    )
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/trigger/resource"]


def test_the_builder_saves_a_message_rule(api, client, admin_user):
    client.force_login(admin_user)
    r = client.post(
        "/settings/workflows/new/",
        {
            "name": "Billing by form",
            "enabled": "on",
            "trigger_type": "rule",
            "trigger_resource": "message",
            "trigger_on": ["create", "update"],  # a message rule applies on create only
            "match": "and",
            "cond-0-field": "message.channel",
            "cond-0-op": "equals",
            "cond-0-value": "email",
            "step-0-id": "set",
            "step-0-action": "set",
            "step-0-param-0-key": "priority",
            "step-0-param-0-value": "5",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    workflow = api.get("/v1/workflows").json()["data"][0]["attributes"]
    assert workflow["trigger"] == {"type": "rule", "resource": "message", "on": ["create"]}
    page = client.get("/settings/workflows/").content.decode()
    assert "Business rule: when a message is created" in page
    fields = client.get(
        "/settings/workflows/fields/", {"trigger_type": "rule", "trigger_resource": "message"}
    ).content.decode()
    assert "message.channel" in fields and "conversation.priority" in fields
