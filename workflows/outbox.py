"""Deciding runs: called by `kdesk.events` inside the emitting transaction.

One pending run per (matching workflow, event), written with the event, so a rolled-back write
starts nothing and a committed one cannot lose its runs; after commit the org's runs are
handed to the worker as one drain task (runner.drain), not one task per run.
The org's event and hook triggers are read from the shared cache (dropped whenever a workflow
changes), so a write whose org has no workflows costs no query.
"""

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps_directory.webhooks import envelope
from apps_directory.webhooks.names import webhook_name
from workflows import conditions
from workflows.models import Run, RunQueue, Workflow

log = logging.getLogger(__name__)

TRIGGER_CACHE_SECONDS = 60
# A drain queued this long ago that has not started yet is presumed lost: the next kick queues
# another (a duplicate drain finds less to do, nothing runs twice).
KICK_STALE_SECONDS = 60
HOOK_RECEIVED = "hook.received"


def _key(org_id):
    return f"workflows:triggers:{org_id}"


def _load(org_id):
    """The org's enabled event, hook and rule workflows as plain lists (cacheable)."""
    rows = Workflow.objects.filter(
        org_id=org_id,
        enabled=True,
        trigger_type__in=(Workflow.Trigger.EVENT, Workflow.Trigger.HOOK, Workflow.Trigger.RULE),
    ).values_list(
        "id", "trigger_type", "event_name", "hook_id", "conditions", "name", "trigger", "steps"
    )
    out = []
    for wf_id, kind, event_name, hook_id, conds, name, trigger, steps in rows.order_by(
        "position", "id"
    ):
        rule = kind == Workflow.Trigger.RULE
        out.append([wf_id, kind, event_name, hook_id, conds, name, trigger if rule else None,
                    steps if rule else None])  # fmt: skip
    return out


def triggers(org_id):
    """[(workflow id, trigger type, event name, hook id, conditions, name, trigger, steps)] of the
    org's enabled event, hook and rule workflows (trigger and steps for rules only)."""
    try:
        found = cache.get(_key(org_id))
    except Exception:  # noqa: BLE001 - an unreachable cache must not stop writes
        return _load(org_id)
    if found is None:
        found = _load(org_id)
        try:
            cache.add(_key(org_id), found, TRIGGER_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            pass
    return found


def forget_triggers(org_id):
    try:
        cache.delete(_key(org_id))
    except Exception:  # noqa: BLE001
        log.warning("could not drop the cached workflow triggers of org %s", org_id)


def event_payload(event):
    """What an event trigger sees: the webhook envelope (`data`, `changes.attributes`)."""
    name = webhook_name(event)
    return json.loads(envelope.build(event, name or f"kustomer.{event.type}"))


def hook_payload(event):
    data = event.data or {}
    return {
        "id": str(event.pk),
        "name": HOOK_RECEIVED,
        "createdAt": event.created_at.isoformat(),
        "hook": data.get("hook"),
        "contentType": data.get("contentType"),
        "data": data.get("payload"),
        "changes": {},
    }


def _matching(org_id, events):
    """[(workflow id, event, payload)] for each event a workflow listens to."""
    found = triggers(org_id)
    if not found:
        return []
    by_event, by_hook = {}, {}
    for wf_id, kind, event_name, hook_id, conds, *_ in found:
        if kind == Workflow.Trigger.RULE:
            continue
        if kind == Workflow.Trigger.HOOK and hook_id:
            by_hook.setdefault(str(hook_id), []).append((wf_id, conds))
        elif event_name:
            by_event.setdefault(event_name, []).append((wf_id, conds))
    out = []
    for event in events:
        if event.type == HOOK_RECEIVED:
            wanted = by_hook.get(str(event.resource_id))
            make = hook_payload
        else:
            wanted = by_event.get(webhook_name(event) or "")
            make = event_payload
        if not wanted:
            continue
        payload = make(event)
        for wf_id, conds in wanted:
            try:
                matched = conditions.matches(conds, payload)
            except Exception:  # noqa: BLE001 - decided again (and reported) by the run
                matched = True
            if matched:
                out.append((wf_id, event, payload))
    return out


def record(org, events):
    matched = _matching(org.pk, events)
    if not matched:
        return
    from workflows.runner import current_frame, depth_error

    frame = current_frame()
    depth = (frame.depth + 1) if frame else 1
    parent_id = frame.run_id if frame else None
    keys = {(wf_id, f"event:{event.pk}") for wf_id, event, _ in matched}
    seen = set(
        Run.objects.filter(
            workflow_id__in={k[0] for k in keys}, trigger_key__in={k[1] for k in keys}
        ).values_list("workflow_id", "trigger_key")
    )
    now = timezone.now()
    rows = []
    for wf_id, event, payload in matched:
        key = f"event:{event.pk}"
        if (wf_id, key) in seen:
            continue  # redelivered: this workflow already has its run for this event
        seen.add((wf_id, key))
        too_deep = depth > settings.WORKFLOW_MAX_DEPTH
        rows.append(
            Run(
                org_id=org.pk,
                workflow_id=wf_id,
                trigger_key=key,
                trigger_type="hook" if event.type == HOOK_RECEIVED else "event",
                event_id=event.pk,
                parent_id=parent_id,
                depth=depth,
                payload=payload,
                status=Run.Status.FAILED if too_deep else Run.Status.PENDING,
                error=depth_error(depth) if too_deep else "",
                finished_at=now if too_deep else None,
                created_at=now,
            )
        )
    if not rows:
        return
    Run.objects.bulk_create(rows)
    if any(row.status == Run.Status.PENDING for row in rows):
        queue(org.pk)


def queue(org_id):
    """Have the org's pending runs worked off once the current transaction commits."""
    transaction.on_commit(lambda: kick(org_id))


def kick(org_id):
    """Queue a drain of the org's pending runs unless one is queued already (a conditional
    UPDATE of the org's mark; its row is made by the first kick), and keep the scheduler alive.
    A mark older than KICK_STALE_SECONDS belongs to a drain that never started (its task was
    lost, or every worker is down): it is taken over. Called after commit: it never raises,
    since the scheduler's sweep starts pending runs it finds."""
    from workflows import tasks

    now = timezone.now()
    stale = now - timedelta(seconds=KICK_STALE_SECONDS)
    try:
        taken = (
            RunQueue.objects.filter(org_id=org_id)
            .filter(Q(kicked_at__isnull=True) | Q(kicked_at__lt=stale))
            .update(kicked_at=now)
        )
        if not taken:
            _, taken = RunQueue.objects.get_or_create(org_id=org_id, defaults={"kicked_at": now})
        if taken:
            try:
                tasks.drain.enqueue(org_id)
            except Exception:
                # unmarked, so the next commit tries again rather than waiting for the sweep
                RunQueue.objects.filter(org_id=org_id, kicked_at=now).update(kicked_at=None)
                raise
    except Exception:  # noqa: BLE001 - the scheduler's sweep starts pending runs it finds
        log.exception("could not queue the workflow runs of org %s; the sweep will", org_id)
    start_scheduler()


def drained(org_id):
    """A drain of the org has started: what commits from now on queues the next one."""
    RunQueue.objects.filter(org_id=org_id).update(kicked_at=None)


_last_start = [0.0]


def start_scheduler():
    """Make sure the scheduler's tick chain is alive (checked at most every half tick per
    process)."""
    if time.monotonic() - _last_start[0] < settings.WORKFLOW_TICK_SECONDS / 2:
        return
    _last_start[0] = time.monotonic()
    from workflows import scheduler

    try:
        scheduler.ensure_ticking()
    except Exception:  # noqa: BLE001
        log.exception("could not start the workflow scheduler")
