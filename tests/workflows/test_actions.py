"""Every action, in one workflow whose later steps read earlier outputs."""

import json

import pytest

from conversations.models import Conversation, Message, Note, Notification
from customers.models import Customer
from klasses.models import KObject
from tests.apps_directory.conftest import Receiver
from tests.factories import TeamFactory
from workflows.models import Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_every_action_in_one_run(
    api, org, agent, web_hook, order_klass, post_hook, receiver, settings
):
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the receiver listens on loopback
    team = TeamFactory(org=org, name="billing")
    helper = api.post(
        "/v1/workflows",
        {
            "name": "Helper",
            "trigger": {"type": "call"},
            "steps": [
                {
                    "id": "tagged",
                    "action": "customer.update",
                    "params": {"id": "{{ data.customer }}", "custom": {}},
                }
            ],
        },
    ).json()["data"]["id"]
    steps = [
        {"id": "customer", "action": "customer.upsert", "params": {"email": "{{ data.email }}"}},
        {
            "id": "renamed",
            "action": "customer.update",
            "params": {"id": "{{ steps.customer.id }}", "name": "{{ data.name | upper }}"},
        },
        {
            "id": "conv",
            "action": "conversation.create",
            "params": {"customer": "{{ steps.customer.id }}", "name": "Order {{ data.number }}"},
        },
        {
            "id": "routed",
            "action": "conversation.update",
            "params": {
                "id": "{{ steps.conv.id }}",
                "assignedUser": str(agent.pk),
                "assignedTeam": str(team.pk),
                "tags": ["billing"],
                "priority": "{{ data.priority }}",
                "status": "open",
            },
        },
        {
            "id": "note",
            "action": "note.create",
            "params": {
                "conversation": "{{ steps.conv.id }}",
                "body": "New order {{ data.number }} for @sam",
            },
        },
        {
            "id": "reply",
            "action": "message.create",
            "params": {
                "conversation": "{{ steps.conv.id }}",
                "body": "Thanks for order {{ data.number }}",
            },
        },
        {
            "id": "order",
            "action": "kobject.upsert",
            "params": {
                "klass": "order",
                "externalId": "{{ data.number }}",
                "title": "Order",
                "customer": "{{ steps.customer.id }}",
            },
        },
        {
            "id": "retitled",
            "action": "kobject.update",
            "params": {
                "klass": "order",
                "id": "{{ steps.order.id }}",
                "title": "Order {{ data.number }}",
            },
        },
        {
            "id": "erp",
            "action": "http.request",
            "params": {
                "url": receiver.url,
                "method": "POST",
                "body": {"order": "{{ steps.order.id }}", "total": "{{ data.total }}"},
            },
        },
        {
            "id": "helper",
            "action": "workflow.call",
            "params": {"workflow": helper, "data": {"customer": "{{ steps.customer.id }}"}},
        },
        {
            "id": "confirm",
            "action": "note.create",
            "params": {
                "conversation": "{{ steps.conv.id }}",
                "body": "ERP said {{ steps.erp.json.ok }}",
            },
        },
    ]
    r = api.post(
        "/v1/workflows",
        {"name": "Everything", "trigger": {"type": "hook", "hook": web_hook["id"]}, "steps": steps},
    )
    assert r.status_code == 201, r.json()
    post_hook({"email": "grace@x.io", "name": "Grace", "number": "77", "priority": 5, "total": 9.5})

    run = Run.objects.get(trigger_type="hook")
    assert run.status == Run.Status.SUCCEEDED, (run.error, run.steps)
    assert [s["status"] for s in run.steps] == ["succeeded"] * len(steps)
    customer = Customer.objects.get()
    assert customer.name == "GRACE"
    conversation = Conversation.objects.get()
    assert conversation.name == "Order 77" and conversation.priority == 5
    assert conversation.assigned_user_id == agent.pk and conversation.assigned_team_id == team.pk
    assert conversation.tags == ["billing"]
    notes = list(Note.objects.order_by("id"))
    assert notes[0].mentioned_user_ids == [agent.pk]
    assert Notification.objects.filter(user=agent, kind="mention").exists()
    assert notes[1].body == "ERP said True"
    assert Message.objects.get().body.startswith("Thanks for order 77")
    order = KObject.objects.get()
    assert order.title == "Order 77" and order.customer_id == customer.pk
    (sent,) = receiver.bodies()
    assert sent == {"order": str(order.pk), "total": 9.5}
    erp = next(s for s in run.steps if s["id"] == "erp")
    assert erp["output"]["status"] == 200 and erp["output"]["json"] == {"ok": True}
    child = Run.objects.get(trigger_type="call")
    assert child.parent_id == run.pk and child.depth == 2 and child.status == Run.Status.SUCCEEDED
    assert json.loads(json.dumps(child.payload))["data"] == {"customer": str(customer.pk)}


def test_http_request_refuses_private_addresses(api, web_hook, post_hook, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    api.post(
        "/v1/workflows",
        {
            "name": "Leak",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {"id": "steal", "action": "http.request", "params": {"url": "http://127.0.0.1:9/x"}}
            ],
        },
    )
    post_hook({"a": 1})
    run = Run.objects.get()
    assert run.status == Run.Status.FAILED
    assert "Refused" in run.error and "loopback" in run.error


def test_http_request_non_2xx_fails_unless_told(api, web_hook, post_hook, receiver, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    receiver.answers = [500, 500]
    for name, params in (
        ("Strict", {"url": receiver.url}),
        ("Lenient", {"url": receiver.url, "failOnError": False}),
    ):
        api.post(
            "/v1/workflows",
            {
                "name": name,
                "trigger": {"type": "hook", "hook": web_hook["id"]},
                "steps": [{"id": "call", "action": "http.request", "params": params}],
            },
        )
    post_hook({"a": 1})
    strict, lenient = Run.objects.order_by("workflow_id")
    assert strict.status == Run.Status.FAILED and "HTTP 500" in strict.error
    assert lenient.status == Run.Status.SUCCEEDED
    assert lenient.steps[0]["output"]["status"] == 500


def test_a_template_error_names_the_param(api, web_hook, post_hook):
    api.post(
        "/v1/workflows",
        {
            "name": "Broken",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {
                    "id": "customer",
                    "action": "customer.upsert",
                    "params": {"email": "{{ data.a.b.c }}", "name": "Ada"},
                }
            ],
        },
    )
    post_hook({"a": 1})
    run = Run.objects.get()
    assert run.status == Run.Status.FAILED
    assert "could not be rendered" in run.error and "/email" in run.error


def test_the_sandbox_holds(api, web_hook, post_hook):
    api.post(
        "/v1/workflows",
        {
            "name": "Escape",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {
                    "id": "customer",
                    "action": "customer.upsert",
                    "params": {
                        "email": "{{ data.__class__.__mro__ }}",
                        "name": "{{ 'x' * 10**9 }}",
                    },
                }
            ],
        },
    )
    post_hook({"a": 1})
    run = Run.objects.get()
    assert run.status == Run.Status.FAILED
    assert not Customer.objects.exists()
