"""Running a workflow: steps in order, each recorded with its input, output, error and duration.

The worker drains an org's pending runs a batch at a time (`drain`); a run is claimed once
(pending → running, a conditional UPDATE) as it starts, so two workers never run it twice. Each
step is its own transaction: a failing step leaves nothing behind, the steps before it stay done
and the run's error says so. A workflow marked `atomic` runs as one transaction. A dry run does
everything inside a transaction it rolls back, and sends no HTTP request.
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workflows import actions, conditions, templating
from workflows.models import Run, Workflow
from workflows.sandbox import read_only

log = logging.getLogger(__name__)

LEASE_SECONDS = 600
BATCH = 20  # runs a drain reserves at a time
RESERVE_SECONDS = 120  # how long a drain holds the runs it reserved before it claims them
DRAIN_SECONDS = 5  # one drain's budget: a longer backlog queues the next drain


@dataclass
class Frame:
    """The run whose steps are executing in this thread: events they emit start runs one
    level deeper, with this run as their parent."""

    run_id: int | None
    depth: int


_frame: ContextVar[Frame | None] = ContextVar("workflow_frame", default=None)


def current_frame():
    return _frame.get()


@dataclass
class Context:
    org: object
    workflow: object
    depth: int
    run: Run | None = None
    dry_run: bool = False
    actor: object = None
    children: list = field(default_factory=list)
    # Rows the steps looked up (a Klass by name), shared by the runs of one drain batch: read
    # once per batch, so never older than the batch.
    memo: dict = field(default_factory=dict)


class _RollBack(Exception):
    pass


def depth_error(depth):
    return (
        f"Stopped: this run would be {depth} workflows deep (the limit is "
        f"{settings.WORKFLOW_MAX_DEPTH}). Workflows are triggering or calling each other in a "
        "loop; change a trigger or a condition so that the chain ends."
    )


def context_for(workflow, payload, run=None, depth=1):
    data = dict(payload) if isinstance(payload, dict) else {"data": payload}
    data.setdefault("data", {})
    data.setdefault("changes", {})
    data["workflow"] = {"id": str(workflow.pk) if workflow.pk else None, "name": workflow.name}
    data["run"] = {"id": str(run.pk) if run is not None else None, "depth": depth}
    return data


def _step_record(step, status, **extra):
    return {"id": step.get("id"), "action": step.get("action"), "status": status, **extra}


def _one_step(ctx, step, context):
    """(record, output, error) of one step; never raises."""
    action = actions.get(step.get("action"))
    started = time.monotonic()
    params, output, error = None, None, ""
    try:
        if action is None:
            raise actions.StepFailed(f"Unknown action {step.get('action')!r}.")
        params = templating.render_params(step.get("params") or {}, context)
        if action.name == "workflow.call" or action.own_transaction or not action.writes:
            # a called workflow keeps its own log and transactions; the others' one service
            # write is a transaction of its own
            output = action.run(ctx, params)
        else:
            with transaction.atomic():
                output = action.run(ctx, params)
        output = templating.plain(output)
    except templating.TemplateProblem as exc:
        error = f"A param could not be rendered: {exc}"
    except actions.StepFailed as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - a bug must fail the run with its name, not vanish
        log.exception("workflow step %s failed unexpectedly", step.get("id"))
        error = f"Internal error: {type(exc).__name__}: {exc}"[:1000]
    duration = int((time.monotonic() - started) * 1000)
    record = _step_record(
        step,
        "failed" if error else "succeeded",
        input=templating.plain(params),
        output=output,
        error=error,
        durationMs=duration,
    )
    return record, output, error


def _failure_note(ctx, done):
    if ctx.dry_run:
        return " (Dry run: nothing was written.)"
    if ctx.workflow.atomic:
        return " The run was one transaction: nothing it wrote was kept."
    wrote = [r["id"] for r in done if actions.get(r["action"]) and actions.get(r["action"]).writes]
    if wrote:
        return f" The steps before it were not undone: {', '.join(wrote)}."
    return " No step before it had written anything."


def _run_steps(ctx, payload):
    """(status, step records, error, failed step id)."""
    context = context_for(ctx.workflow, payload, ctx.run, ctx.depth)
    if not conditions.matches(ctx.workflow.conditions or {}, context):
        return Run.Status.SKIPPED, [], "", ""
    # Read-only once per run: rendering a step then copies only the top level and the step
    # outputs, whatever the size of the payload.
    context = {key: read_only(value) for key, value in context.items()}
    records, outputs = [], {}
    context["steps"] = outputs
    steps = ctx.workflow.steps or []
    for index, step in enumerate(steps):
        record, output, error = _one_step(ctx, step, context)
        records.append(record)
        if error:
            records += [_step_record(s, "not_run") for s in steps[index + 1 :]]
            message = f"Step “{step.get('id')}” ({step.get('action')}) failed: {error}"
            message += "" if message.endswith((".", "!", "?")) else "."
            return (
                Run.Status.FAILED,
                records,
                message + _failure_note(ctx, records[:index]),
                (step.get("id") or ""),
            )
        outputs[step.get("id")] = read_only(output)
    return Run.Status.SUCCEEDED, records, "", ""


def _perform(ctx, payload):
    token = _frame.set(Frame(ctx.run.pk if ctx.run is not None else None, ctx.depth))
    try:
        if ctx.dry_run or ctx.workflow.atomic:
            result = None
            try:
                with transaction.atomic():
                    result = _run_steps(ctx, payload)
                    if ctx.dry_run or result[0] == Run.Status.FAILED:
                        raise _RollBack
            except _RollBack:
                pass
            return result
        return _run_steps(ctx, payload)
    finally:
        _frame.reset(token)


def _finish(run, started, result):
    status, records, error, failed_step = result
    now = timezone.now()
    Run.objects.filter(pk=run.pk).update(
        status=status,
        steps=records,
        error=error,
        failed_step=failed_step[:100],
        finished_at=now,
        lease_until=None,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    run.status, run.steps, run.error, run.failed_step = status, records, error, failed_step
    return run


def _actor(workflow):
    """Who the workflow's writes are by: its machine user ("Workflow <name>")."""
    if workflow.pk is None:
        return None  # a draft being tried: nothing it does is kept
    from workflows.services import workflow_actor

    return workflow_actor(workflow)


def claim(run_id):
    now = timezone.now()
    taken = Run.objects.filter(pk=run_id, status=Run.Status.PENDING).update(
        status=Run.Status.RUNNING,
        started_at=now,
        lease_until=now + timedelta(seconds=LEASE_SECONDS),
    )
    return bool(taken)


def execute(run_id):
    """Run one pending run; returns its status, or None when another worker had it."""
    if not claim(run_id):
        return None
    run = Run.objects.select_related("workflow__actor", "org").filter(pk=run_id).first()
    if run is None:
        return None  # its workflow was deleted meanwhile
    return _execute(run, run.workflow, run.org)


def _execute(run, workflow, org, memo=None):
    """A claimed run, start to finish; returns its status."""
    run.status = Run.Status.RUNNING
    started = time.monotonic()
    ctx = Context(org=org, workflow=workflow, depth=run.depth, run=run, actor=_actor(workflow))
    if memo is not None:
        ctx.memo = memo
    try:
        result = _perform(ctx, run.payload)
    except Exception as exc:  # noqa: BLE001 - the run must end failed, not stay "running"
        log.exception("workflow run %s failed unexpectedly", run.pk)
        result = (Run.Status.FAILED, [], f"Internal error: {type(exc).__name__}: {exc}", "")
    return _finish(run, started, result).status


def _can_defer():
    from workflows import tasks

    return bool(getattr(tasks.drain.get_backend(), "supports_defer", False))


def _reserve(org_id, limit):
    """Up to `limit` of the org's pending runs, oldest first, that no other drain holds; they are
    held for RESERVE_SECONDS. Holding is not claiming: each run is still claimed (pending →
    running) as it starts, so a run reserved twice (a lease ran out, or a task of run ids had
    it) still runs once, and the runs of a worker killed mid-batch stay pending for another."""
    now = timezone.now()
    with transaction.atomic():
        runs = list(
            Run.objects.select_for_update(skip_locked=True)
            .filter(org_id=org_id, status=Run.Status.PENDING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .order_by("id")[:limit]
        )
        if runs:
            Run.objects.filter(pk__in=[run.pk for run in runs]).update(
                lease_until=now + timedelta(seconds=RESERVE_SECONDS)
            )
    return runs


def drain(org_id):
    """Work off the org's pending runs, oldest first, BATCH at a time (the worker's job: one
    task for a backlog, not one per run). Each run is claimed, run and recorded on its own, in
    its own transactions, as a lone run would be: one failing leaves the others be. The batch's
    workflows with their org (and the Klasses their steps name) are read once per batch. A full
    batch queues another drain so a second worker shares the backlog; past DRAIN_SECONDS the
    drain queues its successor and ends, so other tasks get their turn. Returns how many runs
    it ran."""
    from workflows import outbox

    outbox.drained(org_id)
    deferring = _can_defer()
    deadline = time.monotonic() + DRAIN_SECONDS
    done = 0
    while True:
        batch = _reserve(org_id, BATCH)
        if not batch:
            return done
        if len(batch) == BATCH and deferring:
            outbox.kick(org_id)
        workflows = Workflow.objects.select_related("actor", "org").in_bulk(
            {run.workflow_id for run in batch}
        )
        org = next((workflow.org for workflow in workflows.values()), None)
        memo = {}
        for run in batch:
            workflow = workflows.get(run.workflow_id)
            if workflow is None:
                continue  # deleted with its workflow
            try:
                if claim(run.pk):  # else another worker had it
                    _execute(run, workflow, org, memo)
                    done += 1
            except Exception:  # noqa: BLE001 - the database refused; the others still get a go
                log.exception("workflow run %s could not be claimed or recorded", run.pk)
        if len(batch) < BATCH:
            # all there was when this drain started; a run committed since queued its own
            return done
        if deferring and time.monotonic() > deadline:
            outbox.kick(org_id)
            return done


def dry_run(*, org, workflow, payload):
    """What each step would do with this payload, without writing anything."""
    started = time.monotonic()
    actor = workflow.actor if workflow.pk and workflow.actor_id else None
    ctx = Context(org=org, workflow=workflow, depth=1, dry_run=True, actor=actor)
    status, records, error, failed_step = _perform(ctx, payload)
    return {
        "status": status,
        "steps": records,
        "error": error,
        "failedStep": failed_step or None,
        "durationMs": int((time.monotonic() - started) * 1000),
    }


def call(ctx, target, data):
    """`workflow.call`: the target runs now, one level deeper; its outputs are the output."""
    depth = ctx.depth + 1
    if depth > settings.WORKFLOW_MAX_DEPTH:
        raise actions.StepFailed(depth_error(depth))
    payload = {
        "name": "workflow.call",
        "data": data,
        "caller": {"workflow": str(ctx.workflow.pk), "run": str(ctx.run.pk) if ctx.run else None},
    }
    child_ctx = Context(
        org=ctx.org,
        workflow=target,
        depth=depth,
        dry_run=ctx.dry_run,
        actor=None if ctx.dry_run else _actor(target),
        memo=ctx.memo,
    )
    if ctx.dry_run:
        status, records, error, _ = _run_steps(child_ctx, payload)
        run_id = None
    else:
        index = len(ctx.children)
        now = timezone.now()
        child = Run.objects.create(
            org=ctx.org,
            workflow=target,
            trigger_key=f"call:{ctx.run.pk}:{index}",
            trigger_type="call",
            parent=ctx.run,
            depth=depth,
            status=Run.Status.RUNNING,
            payload=payload,
            started_at=now,
        )
        ctx.children.append(child.pk)
        child_ctx.run = child
        started = time.monotonic()
        result = _perform(child_ctx, payload)
        _finish(child, started, result)
        status, records, error, _ = result
        run_id = str(child.pk)
    outputs = {r["id"]: r.get("output") for r in records if r["status"] == "succeeded"}
    if status == Run.Status.FAILED:
        raise actions.StepFailed(f"The called workflow “{target.name}” failed: {error}")
    return {"run": run_id, "status": status, "steps": outputs}
