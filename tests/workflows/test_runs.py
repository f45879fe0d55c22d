"""Event triggers with `changes`, idempotency per (workflow, event), the loop limit, atomic
runs, re-runs and the dry run."""

import pytest

from conversations.models import Conversation
from customers.models import Customer
from kdesk.models import Event
from workflows import outbox, runner
from workflows.models import Run

pytestmark = pytest.mark.django_db


def make(api, body):
    r = api.post("/v1/workflows", body)
    assert r.status_code == 201, r.json()
    return r.json()["data"]["id"]


def test_an_event_trigger_sees_data_and_changes(api, run_commits):
    make(
        api,
        {
            "name": "Closed conversations get a note",
            "trigger": {"type": "event", "event": "kustomer.conversation.update"},
            "conditions": {"and": [{"field": "status", "op": "changed_to", "value": "done"}]},
            "steps": [
                {
                    "id": "note",
                    "action": "note.create",
                    "params": {
                        "conversation": "{{ data.id }}",
                        "body": "Was {{ changes.attributes.status.before }}, by rule",
                    },
                }
            ],
        },
    )
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    conv = run_commits(api.post, "/v1/conversations", {"customer": customer}).json()["data"]["id"]
    run_commits(api.put, f"/v1/conversations/{conv}", {"priority": 4})
    assert not Run.objects.exists()  # status did not change
    run_commits(api.put, f"/v1/conversations/{conv}", {"status": "done"})
    run = Run.objects.get()
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.payload["name"] == "kustomer.conversation.update"
    assert run.payload["changes"]["attributes"]["status"]["after"] == "done"
    notes = api.get(f"/v1/conversations/{conv}/notes").json()["data"]
    assert notes[0]["attributes"]["body"] == "Was open, by rule"


def test_a_redelivered_event_does_not_run_twice(api, org, run_commits):
    make(
        api,
        {
            "name": "Welcome",
            "trigger": {"type": "event", "event": "kustomer.customer.create"},
            "steps": [
                {"id": "ping", "action": "customer.update", "params": {"id": "{{ data.id }}"}}
            ],
        },
    )
    run_commits(api.post, "/v1/customers", {"name": "Ada"})
    event = Event.objects.get(type="customer.create")
    assert Run.objects.count() == 1
    # the same event handed to the recorder again (a replayed log): no second run
    run_commits(outbox.record, org, [event])
    assert Run.objects.count() == 1
    # and a run handed to a second worker is not run again
    run = Run.objects.get()
    assert runner.execute(run.pk) is None


def test_the_loop_limit_stops_workflows_triggering_each_other(api, settings, run_commits):
    settings.WORKFLOW_MAX_DEPTH = 4
    make(
        api,
        {
            "name": "Echo",
            "trigger": {"type": "event", "event": "kustomer.customer.update"},
            "steps": [
                {
                    "id": "again",
                    "action": "customer.update",
                    "params": {"id": "{{ data.id }}", "name": "{{ data.attributes.name }}!"},
                }
            ],
        },
    )
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    run_commits(api.put, f"/v1/customers/{customer}", {"name": "Bea"})
    runs = list(Run.objects.order_by("id"))
    assert [r.depth for r in runs] == [1, 2, 3, 4, 5]
    assert [r.status for r in runs[:4]] == [Run.Status.SUCCEEDED] * 4
    assert runs[4].status == Run.Status.FAILED and "loop" in runs[4].error
    assert "limit is 4" in runs[4].error
    assert runs[4].parent_id == runs[3].pk
    assert Customer.objects.get().name == "Bea!!!!"


def test_a_workflow_calling_itself_stops_at_the_limit(api, web_hook, post_hook, settings):
    settings.WORKFLOW_MAX_DEPTH = 3
    wid = make(
        api,
        {
            "name": "Recursive",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {"id": "me", "action": "workflow.call", "params": {"workflow": "{{ workflow.id }}"}}
            ],
        },
    )
    assert wid
    post_hook({"go": True})
    top = Run.objects.get(trigger_type="hook")
    assert top.status == Run.Status.FAILED
    assert "would be 4 workflows deep" in top.error
    assert Run.objects.filter(trigger_type="call").count() == 2


def test_an_atomic_workflow_keeps_nothing_when_a_step_fails(api, web_hook, post_hook):
    make(
        api,
        {
            "name": "All or nothing",
            "atomic": True,
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {
                    "id": "customer",
                    "action": "customer.upsert",
                    "params": {"email": "{{ data.email }}"},
                },
                {
                    "id": "boom",
                    "action": "kobject.upsert",
                    "params": {"klass": "nope", "externalId": "1"},
                },
            ],
        },
    )
    post_hook({"email": "ada@x.io"})
    run = Run.objects.get()
    assert run.status == Run.Status.FAILED and run.failed_step == "boom"
    assert "one transaction: nothing it wrote was kept" in run.error
    assert run.steps[0]["status"] == "succeeded"  # what it did, though it was undone
    assert not Customer.objects.exists()
    assert not Event.objects.filter(type="customer.create").exists()


def test_a_failed_run_can_be_run_again(api, web_hook, post_hook, run_commits, order_klass):
    wid = make(
        api,
        {
            "name": "Orders",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {
                    "id": "order",
                    "action": "kobject.upsert",
                    "params": {"klass": "{{ data.klass }}", "externalId": "1", "title": "x"},
                }
            ],
        },
    )
    post_hook({"klass": "order2"})
    failed = Run.objects.get()
    assert failed.status == Run.Status.FAILED
    api.post("/v1/klasses", {"name": "order2"})
    r = run_commits(api.post, f"/v1/workflows/{wid}/runs/{failed.pk}/rerun")
    assert r.status_code == 202, r.json()
    again = Run.objects.get(rerun_of=failed)
    assert again.status == Run.Status.SUCCEEDED and again.payload == failed.payload
    detail = api.get(f"/v1/workflows/{wid}/runs/{again.pk}").json()["data"]
    assert detail["relationships"]["rerunOf"]["data"]["id"] == str(failed.pk)
    # runs of another workflow are not reachable through this one
    other = make(
        api,
        {
            "name": "Other",
            "trigger": {"type": "call"},
            "steps": [{"id": "a", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    )
    assert api.get(f"/v1/workflows/{other}/runs/{failed.pk}").status_code == 404


def test_the_dry_run_writes_nothing(api, web_hook, order_klass):
    from tests.workflows.conftest import ORDER_WORKFLOW

    wid = make(api, {**ORDER_WORKFLOW, "trigger": {"type": "hook", "hook": web_hook["id"]}})
    before = Event.objects.count()
    sample = {
        "data": {
            "email": "ada@x.io",
            "name": "Ada",
            "order": {"id": "9", "number": "9", "total": 5},
        }
    }
    r = api.post(f"/v1/workflows/{wid}/test", {"payload": sample})
    assert r.status_code == 200, r.json()
    result = r.json()["data"]["attributes"]
    assert result["status"] == "succeeded"
    customer_step, order_step = result["steps"]
    assert customer_step["output"]["created"] is True
    assert (
        order_step["input"]["externalId"] == "9"
        and order_step["output"]["attributes"]["title"] == "Order 9"
    )
    assert not Customer.objects.exists() and Event.objects.count() == before
    assert not Run.objects.exists()
    # a draft is tried without saving it; its problems are named under /workflow
    bad = api.post(f"/v1/workflows/{wid}/test", {"payload": sample, "workflow": {"steps": []}})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/workflow/steps"
    failing = api.post(f"/v1/workflows/{wid}/test", {"payload": {"data": {"name": "x"}}})
    attrs = failing.json()["data"]["attributes"]
    assert attrs["status"] == "skipped"  # total is missing: the condition does not hold


def test_a_dry_runs_draft_is_checked_as_an_update_is(api, web_hook):
    """The `workflow` a dry run tries holds a workflow's attributes, each checked as an update
    checks it: anything else is a 400 naming it under /workflow, and nothing runs."""
    from tests.workflows.conftest import ORDER_WORKFLOW

    wid = make(api, {**ORDER_WORKFLOW, "trigger": {"type": "hook", "hook": web_hook["id"]}})
    url = f"/v1/workflows/{wid}/test"
    for draft, pointer in (
        ({"a": 1}, "/workflow/a"),
        ({"name": " "}, "/workflow/name"),
        ({"enabled": "yes"}, "/workflow/enabled"),
        ({"position": 0}, "/workflow/position"),
    ):
        r = api.post(url, {"payload": {}, "workflow": draft})
        assert r.status_code == 400, (draft, r.json())
        assert [e["source"]["pointer"] for e in r.json()["errors"]] == [pointer], draft
    # the attributes a GET gives (its rev too) are a draft
    r = api.post(url, {"payload": {}, "workflow": {"name": "Try", "atomic": True, "rev": 1}})
    assert r.status_code == 200, r.json()
    assert not Run.objects.exists()


def test_a_dry_run_sends_no_request(api, web_hook, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    wid = make(
        api,
        {
            "name": "Ping",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {
                    "id": "ping",
                    "action": "http.request",
                    "params": {"url": "https://{{ data.host }}/x", "body": {"a": 1}},
                }
            ],
        },
    )
    r = api.post(f"/v1/workflows/{wid}/test", {"payload": {"data": {"host": "127.0.0.1"}}})
    attrs = r.json()["data"]["attributes"]
    assert attrs["status"] == "failed" and "loopback" in attrs["error"]


def test_writes_cost_no_workflow_query_once_the_triggers_are_cached(api, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.services import customer_create

    make(
        api,
        {
            "name": "On conversations only",
            "trigger": {"type": "event", "event": "kustomer.conversation.create"},
            "steps": [{"id": "a", "action": "http.request", "params": {"url": "https://x.io"}}],
        },
    )
    customer_create(org=org, actor=None, data={"name": "warm"})  # the trigger cache is filled
    with CaptureQueriesContext(connection) as ctx:
        customer_create(org=org, actor=None, data={"name": "Ada"})
    assert ctx.captured_queries
    assert not any("workflows_" in q["sql"] for q in ctx.captured_queries)
    assert Conversation.objects.count() == 0
