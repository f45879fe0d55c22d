"""Scheduled work: cron workflows fire once per tick (even with two workers ticking at once),
in their time zone; snoozed conversations wake when their time comes; lost runs are picked up."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from conversations import services as conversation_services
from conversations.models import Conversation, Notification
from kdesk.models import Event
from tests.customers.factories import CustomerFactory
from workflows import scheduler
from workflows.models import Run, Workflow

NIGHTLY = {
    "name": "Weekday mornings",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1-5", "timezone": "Europe/Paris"},
    "steps": [
        {
            "id": "customer",
            "action": "customer.upsert",
            "params": {"externalId": "cron-{{ data.scheduledAt[:10] }}", "name": "Cron"},
        }
    ],
}


def make_due(wid, at):
    Workflow.objects.filter(pk=wid).update(next_run_at=at)


@pytest.mark.django_db
def test_a_cron_workflow_fires_once_per_tick(api, run_commits):
    wid = api.post("/v1/workflows", NIGHTLY).json()["data"]["id"]
    # Monday 2026-12-07 09:00 in Paris is 08:00 UTC
    tick = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    make_due(wid, tick)
    run_commits(scheduler.tick_once, tick + dt.timedelta(seconds=20))
    run_commits(scheduler.tick_once, tick + dt.timedelta(seconds=40))
    run = Run.objects.get()
    assert run.trigger_type == "schedule" and run.status == Run.Status.SUCCEEDED, run.error
    assert run.payload["data"]["scheduledAt"] == tick.isoformat()
    assert run.payload["data"]["timezone"] == "Europe/Paris"
    # the next one is Tuesday 09:00 Paris time
    nxt = Workflow.objects.get(pk=wid).next_run_at
    assert nxt == dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_disabled_and_not_yet_due_workflows_do_not_fire(api, run_commits):
    wid = api.post("/v1/workflows", NIGHTLY).json()["data"]["id"]
    now = timezone.now()
    make_due(wid, now + dt.timedelta(minutes=5))
    assert run_commits(scheduler.tick_once, now)["scheduled"] == 0
    api.put(f"/v1/workflows/{wid}", {"enabled": False})
    assert Workflow.objects.get(pk=wid).next_run_at is None
    assert run_commits(scheduler.tick_once, now + dt.timedelta(hours=1))["scheduled"] == 0
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_start_one_run(org, make_key, settings):
    from tests.factories import ApiClient

    key, token = make_key(org)
    api = ApiClient(token, key=key)
    wid = api.post("/v1/workflows", NIGHTLY).json()["data"]["id"]
    tick = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    make_due(wid, tick)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def worker():
        try:
            barrier.wait()
            results.append(scheduler.fire_schedules(tick + dt.timedelta(seconds=1)))
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures, failures
    assert sorted(results) == [0, 1]
    assert Run.objects.filter(trigger_type="schedule").count() == 1


@pytest.fixture
def snoozed(org, agent, admin_user):
    def make(name, minutes_ago):
        customer = CustomerFactory(org=org, name=name)
        conversation = conversation_services.conversation_create(
            org=org,
            actor=admin_user,
            customer=customer,
            data={"name": f"{name}'s refund", "assignedUser": str(agent.pk)},
        )
        conversation_services.conversation_update(
            org=org,
            actor=admin_user,
            conversation=conversation,
            data={
                "status": "snoozed",
                "snoozeUntil": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
            },
        )
        # time passes
        Conversation.objects.filter(pk=conversation.pk).update(
            snooze_until=timezone.now() - dt.timedelta(minutes=minutes_ago)
        )
        return conversation

    return make


@pytest.mark.django_db
def test_a_snoozed_conversation_wakes_when_its_time_comes(org, agent, snoozed, run_commits):
    due = snoozed("Ken", 1)
    later = snoozed("Mia", -30)  # still 30 minutes to go
    events_before = Event.objects.order_by("-id").values_list("id", flat=True).first()
    done = run_commits(scheduler.tick_once)
    assert done["woken"] == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "open" and due.snooze_until is None
    assert later.status == "snoozed"
    (event,) = Event.objects.filter(pk__gt=events_before)
    assert event.type == "conversation.update" and event.resource_id == str(due.pk)
    assert event.changes["status"] == {"before": "snoozed", "after": "open"}
    assert event.data["meta"]["reason"] == "snoozeEnded"
    assert event.data["notified"] == [agent.pk]
    note = Notification.objects.get(user=agent, kind="snooze")
    assert note.conversation_id == due.pk and "Snooze ended" in note.text
    # a second tick finds nothing to do
    assert run_commits(scheduler.tick_once)["woken"] == 0


@pytest.mark.django_db
def test_a_wake_up_starts_workflows_on_the_event(api, snoozed, run_commits):
    api.post(
        "/v1/workflows",
        {
            "name": "Woken conversations get a note",
            "trigger": {"type": "event", "event": "kustomer.conversation.update"},
            "conditions": {
                "and": [{"field": "data.meta.reason", "op": "equals", "value": "snoozeEnded"}]
            },
            "steps": [
                {
                    "id": "note",
                    "action": "note.create",
                    "params": {"conversation": "{{ data.id }}", "body": "Back from snooze"},
                }
            ],
        },
    )
    conversation = snoozed("Ken", 1)
    run_commits(scheduler.tick_once)
    assert Run.objects.get().status == Run.Status.SUCCEEDED
    notes = api.get(f"/v1/conversations/{conversation.pk}/notes").json()["data"]
    assert notes[0]["attributes"]["body"] == "Back from snooze"


@pytest.mark.django_db
def test_an_agent_reopening_first_wins(org, admin_user, snoozed):
    conversation = snoozed("Ken", 1)
    conversation_services.conversation_update(
        org=org, actor=admin_user, conversation=conversation, data={"status": "open"}
    )
    assert not conversation_services.conversation_snooze_end(
        org=org, conversation_id=conversation.pk
    )


@pytest.mark.django_db
def test_lost_and_abandoned_runs_are_swept(api, web_hook, client, run_commits):
    api.post(
        "/v1/workflows",
        {
            "name": "Lost",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {"id": "c", "action": "customer.upsert", "params": {"email": "{{ data.e }}"}}
            ],
        },
    )
    # a call whose task was never queued (the process died after commit)
    client.post(web_hook["attributes"]["url"], '{"e": "a@x.io"}', content_type="application/json")
    lost = Run.objects.get()
    assert lost.status == Run.Status.PENDING
    Run.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    # and a run whose worker was killed half-way
    dead = Run.objects.create(
        org=lost.org,
        workflow=lost.workflow,
        trigger_key="event:999999",
        trigger_type="hook",
        status=Run.Status.RUNNING,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    run_commits(scheduler.tick_once)
    lost.refresh_from_db()
    dead.refresh_from_db()
    assert lost.status == Run.Status.SUCCEEDED
    assert dead.status == Run.Status.FAILED and "worker" in dead.error


@pytest.mark.django_db
def test_the_tick_chain_keeps_one_link_alive(settings, run_commits):
    from apps_directory.webhooks.models import DispatchClock

    # a backend that can defer (django-tasks drops its cached backends when TASKS changes)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    scheduler.ensure_ticking()
    clock = DispatchClock.objects.get(name="workflows")
    token = clock.token
    assert token and clock.next_at > timezone.now()
    scheduler.ensure_ticking()  # alive: no second chain
    assert DispatchClock.objects.get(name="workflows").token == token
    assert scheduler.tick("someone-else") == "retired"
    assert run_commits(scheduler.tick, token) == {"scheduled": 0, "woken": 0, "swept": 0}
    # the next link is queued, deferred by one tick
    from workflows import tasks

    queued = tasks.tick.get_backend().results
    assert queued and queued[-1].task.run_after is not None
