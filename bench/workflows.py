"""Workflow figures on PostgreSQL, with real `manage.py db_worker` processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_workflows \\
        /work/main/.venv/bin/python bench/workflows.py

The workflow is the reference's order flow: a web hook call → customer.upsert by email →
kobject.upsert of the order by externalId on that customer (two steps).

1. Hook intake to the order on the customer's timeline, one worker: calls spaced out, each
   posted over HTTP to the production server setup (bench/serve.py); the time until the
   order's `kobject.order.create` event (what the timeline reads) is committed. p50/p95
   (target p95 ≤ 2 s). Workers poll the task table every 0.2 s (`--interval 0.2`).
2. Runs/s with two workers: a backlog of hook calls (each its own transaction and its own
   pending run) is worked off by two workers (target ≥ 100 runs/s).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import bench_env, manage, served  # noqa: E402
from bench.webhooks import ensure_database, pct, start_worker, stop  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_workflows"
WORKER_ENV = {"TASK_BACKEND": "database"}


def order_workflow(hook_id):
    return {
        "name": "Orders from the shop",
        "trigger": {"type": "hook", "hook": str(hook_id)},
        "conditions": {"and": [{"field": "data.order.total", "op": "gt", "value": 0}]},
        "steps": [
            {
                "id": "customer",
                "action": "customer.upsert",
                "params": {"email": "{{ data.email }}", "name": "{{ data.name }}"},
            },
            {
                "id": "order",
                "action": "kobject.upsert",
                "params": {
                    "klass": "order",
                    "externalId": "{{ data.order.id }}",
                    "customer": "{{ steps.customer.id }}",
                    "title": "Order {{ data.order.number }}",
                    "data": {"totalNum": "{{ data.order.total }}"},
                },
            },
        ],
    }


def order(prefix, i):
    return {
        "email": f"{prefix}{i % 50}@shop.test",
        "name": f"Shopper {i % 50}",
        "order": {"id": f"{prefix}-{i}", "number": str(i), "total": 10 + i},
    }


def wait_runs(Run, workflow, count, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = Run.objects.filter(workflow=workflow, status__in=["succeeded", "failed"]).count()
        if done >= count:
            return True
        time.sleep(0.2)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-calls", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--port", type=int, default=8127)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, **WORKER_ENV)
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()
    import httpx
    from django_tasks_db.models import DBTaskResult

    from apps_directory.hooks.services import hook_create, hook_receive, hook_update
    from kdesk.models import Event
    from kdesk.services import organization_get_or_create
    from klasses.models import Klass
    from klasses.services import klass_create
    from workflows.models import Run, Workflow
    from workflows.services import workflow_create

    org, _ = organization_get_or_create(slug="workflow-bench", name="Workflow bench")
    Workflow.objects.filter(org=org).delete()
    DBTaskResult.objects.all().delete()
    if not Klass.objects.filter(org=org, name="order").exists():
        klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    hook = hook_create(org=org, actor=None, data={"name": "bench", "kind": "web"})
    hook_update(org=org, actor=None, hook=hook, data={"rateLimitPerMinute": 100000})
    workflow = workflow_create(org=org, actor=None, data=order_workflow(hook.pk))
    prefix = f"b{int(time.time())}"
    log = open(tempfile.mktemp(prefix="workflow-bench-", suffix=".log"), "wb")
    print(f"worker log: {log.name}")
    results = {"load_average_before": os.getloadavg()}

    # 1. hook intake → order on the timeline, one worker
    workers = [start_worker(env, log)]
    lags = []
    with served(workers=1, port=args.port, env=env) as base, httpx.Client(timeout=30) as http:
        time.sleep(2)
        for i in range(args.latency_calls):
            body = order(f"{prefix}l", i)
            sent = time.time()
            r = http.post(base + hook.path, json=body)
            assert r.status_code == 202, r.text
            external = body["order"]["id"]
            deadline = sent + 30
            while time.time() < deadline:
                if Event.objects.filter(
                    org=org, type="kobject.order.create", data__attributes__externalId=external
                ).exists():
                    lags.append(time.time() - sent)
                    break
                time.sleep(0.01)
            time.sleep(0.1)
    stop(workers)
    failed = Run.objects.filter(workflow=workflow, status="failed").count()
    results.update(
        intake_to_timeline_n=len(lags),
        intake_to_timeline_p50_ms=round(pct(lags, 0.5) * 1000),
        intake_to_timeline_p95_ms=round(pct(lags, 0.95) * 1000),
        latency_failed_runs=failed,
    )

    # 2. a backlog of hook calls worked off by two workers
    for i in range(args.backlog):
        hook_receive(
            hook=hook,
            payload=order(f"{prefix}t", i),
            content_type="application/json",
            size=200,
        )
    total = Run.objects.filter(workflow=workflow).count()
    results["load_average_before_backlog"] = os.getloadavg()
    start = time.time()
    workers = [start_worker(env, log), start_worker(env, log)]
    ok = wait_runs(Run, workflow, total, 900)
    wall = time.time() - start
    stop(workers)
    window = Run.objects.filter(workflow=workflow, trigger_key__gt="").exclude(started_at=None)
    backlog_runs = [
        (r.started_at.timestamp(), r.finished_at.timestamp())
        for r in window.filter(payload__data__order__id__startswith=f"{prefix}t-").only(
            "started_at", "finished_at"
        )
        if r.finished_at
    ]
    first = min(s for s, _ in backlog_runs)
    last = max(f for _, f in backlog_runs)
    results.update(
        backlog=args.backlog,
        backlog_done=ok,
        backlog_failed=Run.objects.filter(workflow=workflow, status="failed").count() - failed,
        runs_per_s=round(len(backlog_runs) / max(0.001, last - first), 1),
        backlog_wall_s=round(wall, 1),
        load_average_after=os.getloadavg(),
    )
    log.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
