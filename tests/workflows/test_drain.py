"""The worker drains an org's pending runs a batch at a time: one task for a backlog, each run
still claimed, run and recorded on its own, oldest first, at most once."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer
from klasses.models import KObject
from workflows import outbox, runner, tasks
from workflows.models import Run, RunQueue

pytestmark = pytest.mark.django_db


def _order(i, email="ada@shop.test"):
    body = {"name": "Ada Lovelace", "order": {"id": f"A-{i}", "number": str(i), "total": 10 + i}}
    if email:
        body["email"] = email
    return body


def _pending(client, web_hook, body):
    """The run a hook call leaves pending (nothing commits in a test: no drain is queued)."""
    url = web_hook["attributes"]["url"]
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 202, r.content
    return Run.objects.filter(status=Run.Status.PENDING).latest("id")


@pytest.fixture
def deferring(settings):
    """A backend that queues (and can defer) without running: what was queued is inspected.
    django-tasks drops its cached backends when TASKS changes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = tasks.drain.get_backend()
    backend.clear()
    return backend


def _drains(backend):
    return [r for r in backend.results if r.task.module_path == tasks.drain.module_path]


def test_one_failing_run_in_a_batch_leaves_the_others_be(org, client, order_workflow, web_hook):
    runs = [
        _pending(client, web_hook, _order(1)),
        _pending(client, web_hook, _order(2, email=None)),  # customer.upsert has nothing to go by
        _pending(client, web_hook, _order(3)),
    ]
    assert runner.drain(org.pk) == 3
    first, failed, last = (Run.objects.get(pk=run.pk) for run in runs)
    assert first.status == last.status == Run.Status.SUCCEEDED, (first.error, last.error)
    assert failed.status == Run.Status.FAILED
    assert failed.failed_step == "customer" and "email, phone or externalId" in failed.error
    assert failed.steps[1]["status"] == "not_run"
    assert sorted(KObject.objects.values_list("external_id", flat=True)) == ["A-1", "A-3"]
    # oldest first: each run was claimed as it started
    assert first.started_at <= failed.started_at <= last.started_at


# A drain's own statements: clear its mark, reserve (select and hold, in a transaction: a
# savepoint here, as the test runs in one), the batch's workflows with their org, its Klass; a
# batch that was not full ends it without another look.
DRAIN_OVERHEAD = {"postgresql": 7, "sqlite": 7}


def _drain_queries(org, client, web_hook, first, count):
    for i in range(first, first + count):
        _pending(client, web_hook, _order(i))
    with CaptureQueriesContext(connection) as queries:
        assert runner.drain(org.pk) == count
    return [q["sql"] for q in queries.captured_queries]


def test_a_run_costs_the_same_queries_whatever_the_batch_size(
    org, client, order_workflow, web_hook
):
    _drain_queries(org, client, web_hook, 0, 1)  # creates the customer: the rest return
    one = len(_drain_queries(org, client, web_hook, 1, 1))
    three = len(_drain_queries(org, client, web_hook, 2, 3))
    queries = _drain_queries(org, client, web_hook, 5, 5)
    five = len(queries)
    per_run = (five - three) // 2
    assert five - three == 2 * per_run and three - one == 2 * per_run
    # the drain's own cost (its mark, the org, reserving, the batch's workflows and its Klass,
    # the last look that finds nothing) is paid once, not per run
    assert one - per_run == five - 5 * per_run == DRAIN_OVERHEAD[connection.vendor], one - per_run
    assert sum('FROM "klasses_klass" WHERE' in q and '"klasses_klass"."status"' in q
               for q in queries) == 1  # fmt: skip
    # a returning customer's run: claim, find the customer, the order upsert (its own
    # transaction), record the log; two queries fewer than a run by id (it is read with its
    # batch, and so is the Klass)
    assert per_run == {"postgresql": 14, "sqlite": 14}[connection.vendor]
    assert Customer.objects.filter(org=org).count() == 1


def test_a_redelivered_event_still_runs_once(api, org, run_commits):
    r = api.post(
        "/v1/workflows",
        {
            "name": "Welcome",
            "trigger": {"type": "event", "event": "kustomer.customer.create"},
            "steps": [
                {"id": "tag", "action": "customer.update", "params": {"id": "{{ data.id }}"}}
            ],
        },
    )
    assert r.status_code == 201, r.json()
    run_commits(api.post, "/v1/customers", {"name": "Ada"})
    run = Run.objects.get()
    assert run.status != Run.Status.PENDING
    event_id = run.event_id
    from kdesk.models import Event

    run_commits(outbox.record, org, [Event.objects.get(pk=event_id)])
    assert Run.objects.count() == 1
    assert runner.drain(org.pk) == 0


def test_a_run_reserved_twice_runs_once(org, client, order_workflow, web_hook):
    run = _pending(client, web_hook, _order(1))
    held = runner._reserve(org.pk, runner.BATCH)
    assert [r.pk for r in held] == [run.pk]
    # held: another drain passes it by
    assert runner._reserve(org.pk, runner.BATCH) == []
    # a task of run ids (queued before drains) gets it first: the holder's claim then fails
    assert tasks.execute_runs.func([run.pk]) == [Run.Status.SUCCEEDED]
    assert not runner.claim(run.pk)
    Run.objects.filter(pk=run.pk).update(lease_until=None)
    assert runner.drain(org.pk) == 0
    assert KObject.objects.count() == 1


def test_runs_held_by_a_killed_worker_are_run_once_their_hold_ends(
    org, client, order_workflow, web_hook
):
    runs = [_pending(client, web_hook, _order(i)) for i in range(3)]
    runner._reserve(org.pk, runner.BATCH)  # and the worker dies
    assert runner.drain(org.pk) == 0  # still held
    Run.objects.filter(pk__in=[r.pk for r in runs]).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert runner.drain(org.pk) == 3
    assert set(Run.objects.values_list("status", flat=True)) == {Run.Status.SUCCEEDED}


def test_a_backlog_queues_one_drain(org, client, order_workflow, web_hook, run_commits, deferring):
    url = web_hook["attributes"]["url"]
    for i in range(5):
        body = json.dumps(_order(i))
        r = run_commits(client.post, url, body, content_type="application/json")
        assert r.status_code == 202
    assert Run.objects.filter(status=Run.Status.PENDING).count() == 5
    queued = _drains(deferring)
    assert [q.args for q in queued] == [[org.pk]]
    # the drain clears the mark as it starts: what commits after it queues the next drain
    assert runner.drain(org.pk) == 5
    assert RunQueue.objects.get(org=org).kicked_at is None
    run_commits(client.post, url, json.dumps(_order(9)), content_type="application/json")
    assert len(_drains(deferring)) == 2


def test_a_stale_mark_is_taken_over(org, client, order_workflow, web_hook, deferring):
    """A drain queued long ago that never started (its task was lost): the next kick queues
    another, as does the scheduler's sweep of old pending runs."""
    _pending(client, web_hook, _order(1))
    RunQueue.objects.create(org=org, kicked_at=timezone.now())
    outbox.kick(org.pk)
    assert _drains(deferring) == []  # fresh: a drain is on its way
    RunQueue.objects.filter(org=org).update(kicked_at=timezone.now() - dt.timedelta(minutes=2))
    outbox.kick(org.pk)
    assert len(_drains(deferring)) == 1


def test_a_full_batch_lets_a_second_worker_share_the_backlog(
    org, client, order_workflow, web_hook, deferring, monkeypatch
):
    monkeypatch.setattr(runner, "BATCH", 2)
    for i in range(5):
        _pending(client, web_hook, _order(i))
    assert runner.drain(org.pk) == 5
    # the first full batch queued a drain for another worker; the mark then held
    assert len(_drains(deferring)) == 1
    assert set(Run.objects.values_list("status", flat=True)) == {Run.Status.SUCCEEDED}


def test_a_drain_past_its_budget_hands_over(
    org, client, order_workflow, web_hook, deferring, monkeypatch
):
    monkeypatch.setattr(runner, "BATCH", 2)
    monkeypatch.setattr(runner, "DRAIN_SECONDS", 0)
    RunQueue.objects.create(org=org, kicked_at=None)
    for i in range(5):
        _pending(client, web_hook, _order(i))
    monkeypatch.setattr(outbox, "kick", lambda org_id: kicked.append(org_id))
    kicked = []
    assert runner.drain(org.pk) == 2  # one batch, then its successor is queued
    assert kicked == [org.pk, org.pk]  # full batch, and past the budget
    assert Run.objects.filter(status=Run.Status.PENDING).count() == 3


def test_drains_stay_in_their_org(org, other_org, client, order_workflow, web_hook):
    _pending(client, web_hook, _order(1))
    assert runner.drain(other_org.pk) == 0
    assert Run.objects.get().status == Run.Status.PENDING
    assert runner.drain(org.pk) == 1
