"""Scheduled work, run by the worker every WORKFLOW_TICK_SECONDS: cron workflows that are due,
snoozed conversations whose time has come, and runs a lost task or a killed worker left behind.

The tick is a chain of deferred tasks with one alive at a time (its token is kept in a clock
row; a restarted chain retires the old one). Several workers may still tick at once (two
chains briefly, or `manage.py workflows_tick` by hand): a cron workflow fires only through a
conditional UPDATE of its next run time, and its run's key is unique per tick, so each tick
starts one run whatever the number of workers.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps_directory.webhooks.models import DispatchClock
from conversations import services as conversation_services
from conversations.models import Conversation
from workflows import definition, outbox
from workflows.models import Run, Workflow

log = logging.getLogger(__name__)

CLOCK = "workflows"
BATCH = 500


def _tasks():
    from workflows import tasks

    return tasks


def _can_defer():
    return bool(getattr(_tasks().tick.get_backend(), "supports_defer", False))


def _interval():
    return timedelta(seconds=settings.WORKFLOW_TICK_SECONDS)


def ensure_ticking():
    """Start the tick chain unless one is alive. Backends that cannot defer (the immediate
    one, in tests) have no chain: tests and the shell call `tick_once`."""
    if not _can_defer():
        return
    now = timezone.now()
    with transaction.atomic():
        clock, _ = DispatchClock.objects.select_for_update().get_or_create(name=CLOCK)
        if clock.next_at is not None and clock.next_at > now - 2 * _interval():
            return
        _schedule(clock, secrets.token_hex(8), now)


def _schedule(clock, token, now):
    clock.token = token
    clock.next_at = now + _interval()
    clock.save()
    run_after = clock.next_at
    transaction.on_commit(lambda: _tasks().tick.using(run_after=run_after).enqueue(token))


def tick(token):
    """One link of the chain: queue the next link first (a worker killed now still leaves one
    queued), then do what is due."""
    now = timezone.now()
    with transaction.atomic():
        clock = DispatchClock.objects.select_for_update().filter(name=CLOCK).first()
        if clock is None or clock.token != token:
            return "retired"
        _schedule(clock, token, now)
    return tick_once(now)


def tick_once(now=None):
    now = now or timezone.now()
    return {
        "scheduled": fire_schedules(now),
        "woken": wake_snoozed(now),
        "swept": sweep_runs(now),
    }


def fire_schedules(now):
    """Start one run for each cron workflow whose time has come; returns how many started."""
    due = list(
        Workflow.objects.filter(
            trigger_type=Workflow.Trigger.SCHEDULE, enabled=True, next_run_at__lte=now
        ).only("id", "org_id", "trigger", "next_run_at")[:BATCH]
    )
    started = 0
    for workflow in due:
        with transaction.atomic():
            try:
                following = definition.next_fire(workflow.trigger, now)
            except Exception:  # noqa: BLE001 - a schedule that no longer parses stops firing
                log.exception("workflow %s has a schedule that cannot be computed", workflow.pk)
                following = None
            won = Workflow.objects.filter(pk=workflow.pk, next_run_at=workflow.next_run_at).update(
                next_run_at=following
            )
            if not won:
                continue  # another worker fired this tick
            key = f"schedule:{workflow.next_run_at.isoformat()}"
            if Run.objects.filter(workflow_id=workflow.pk, trigger_key=key).exists():
                continue
            scheduled = workflow.next_run_at.isoformat()
            trigger = workflow.trigger or {}
            Run.objects.create(
                org_id=workflow.org_id,
                workflow_id=workflow.pk,
                trigger_key=key,
                trigger_type="schedule",
                payload={
                    "name": "schedule",
                    "data": {
                        "scheduledAt": scheduled,
                        "firedAt": now.isoformat(),
                        "cron": trigger.get("cron"),
                        "timezone": trigger.get("timezone", "UTC"),
                    },
                    "changes": {},
                },
            )
            outbox.queue(workflow.org_id)
            started += 1
    return started


def wake_snoozed(now):
    """Reopen the conversations whose snooze ended (each in its own transaction)."""
    due = list(
        Conversation.objects.filter(
            status=Conversation.Status.SNOOZED, snooze_until__lte=now
        ).values_list("org_id", "pk")[:BATCH]
    )
    woken = 0
    orgs = {}
    for org_id, pk in due:
        if org_id not in orgs:
            from kdesk.models import Organization

            orgs[org_id] = Organization.objects.get(pk=org_id)
        try:
            if conversation_services.conversation_snooze_end(
                org=orgs[org_id], conversation_id=pk, now=now
            ):
                woken += 1
        except Exception:  # noqa: BLE001 - one conversation must not hold the others asleep
            log.exception("could not wake conversation %s", pk)
    return woken


def sweep_runs(now):
    """Runs whose task was lost are queued again; runs whose worker died are failed (their
    steps may have half-happened, so they are not run again on their own); old runs go."""
    stale = now - 3 * _interval()
    lost = list(
        Run.objects.filter(status=Run.Status.PENDING, created_at__lt=stale).values_list(
            "org_id", flat=True
        )[:BATCH]
    )
    for org_id in sorted(set(lost)):
        outbox.queue(org_id)
    dead = Run.objects.filter(status=Run.Status.RUNNING, lease_until__lt=now).update(
        status=Run.Status.FAILED,
        finished_at=now,
        lease_until=None,
        error="The worker running this workflow stopped before the run finished; steps it had "
        "done were not undone. Check them, then re-run it from the run log if needed.",
    )
    cutoff = now - timedelta(days=settings.WORKFLOW_RUN_RETENTION_DAYS)
    old = list(
        Run.objects.filter(finished_at__lt=cutoff)
        .filter(~Q(status=Run.Status.RUNNING))
        .values_list("pk", flat=True)[:1000]
    )
    if old:
        Run.objects.filter(pk__in=old).delete()
    return len(lost) + dead
