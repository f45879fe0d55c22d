"""Cost of one run of the two-step order workflow, in process: queries and CPU per run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_workflows \\
        /work/main/.venv/bin/python bench/workflows_profile.py --runs 300

Wall-clock runs/s depend on what else the machine runs; queries and CPU time per run do not
(much). A backlog of hook calls is recorded (each its own transaction and pending run, queued
for the worker as the intake leaves them), then worked off in this process by django-tasks-db's
own worker loop (what `manage.py db_worker` runs), so the cost of claiming and finishing tasks
counts too. A smaller backlog is worked off first, unmeasured, to warm the caches. Prints
queries/run (and the last statements with --show-queries), CPU ms/run (process time, which
includes the worker's own bookkeeping) and with --profile the top of a cProfile of the runs.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import bench_env, manage  # noqa: E402
from bench.webhooks import ensure_database  # noqa: E402
from bench.workflows import DEFAULT_URL, order, order_workflow  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime")
    parser.add_argument("--limit", type=int, default=45, help="cProfile rows printed")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if url.startswith("postgres"):
        ensure_database(url)
    env = bench_env(DATABASE_URL=url, TASK_BACKEND="database")
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from apps_directory.hooks.services import hook_create, hook_receive, hook_update
    from kdesk.services import organization_get_or_create
    from klasses.models import Klass
    from klasses.services import klass_create
    from workflows.models import Run, Workflow
    from workflows.services import workflow_create

    org, _ = organization_get_or_create(slug="workflow-profile", name="Workflow profile")
    Workflow.objects.filter(org=org).delete()
    DBTaskResult.objects.all().delete()
    if not Klass.objects.filter(org=org, name="order").exists():
        klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    hook = hook_create(org=org, actor=None, data={"name": "profile", "kind": "web"})
    hook_update(org=org, actor=None, hook=hook, data={"rateLimitPerMinute": 100000})
    workflow = workflow_create(org=org, actor=None, data=order_workflow(hook.pk))
    prefix = f"p{int(time.time())}"

    def backlog(start, count):
        for i in range(start, start + count):
            # each customer comes back (i % 50), so most runs find rather than create it, as in
            # the bench's backlog
            hook_receive(
                hook=hook, payload=order(prefix, i), content_type="application/json", size=200
            )

    def work_off():
        """What `manage.py db_worker` does until no task is ready (deferred ticks wait)."""
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="profile",
            excluded_queue_names=[],
        ).run()

    backlog(0, args.warmup)
    work_off()
    backlog(args.warmup, args.runs)
    measured = list(
        Run.objects.filter(workflow=workflow, status=Run.Status.PENDING).values_list(
            "id", flat=True
        )
    )
    assert len(measured) == args.runs, (len(measured), args.runs)

    count, last = [0], deque(maxlen=60)

    def counted(execute, sql, params, many, context):
        count[0] += 1
        last.append(sql)
        return execute(sql, params, many, context)

    # process time, not wall: on a shared machine the waits on the database are not our cost
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    cpu0 = time.process_time()
    with connection.execute_wrapper(counted):
        if profiler:
            profiler.enable()
        work_off()
        if profiler:
            profiler.disable()
    cpu = time.process_time() - cpu0
    statuses = dict.fromkeys(Run.Status.values, 0)
    for status in Run.objects.filter(pk__in=measured).values_list("status", flat=True):
        statuses[status] += 1
    result = {
        "database": connection.vendor,
        "runs": len(measured),
        "statuses": {k: v for k, v in statuses.items() if v},
        "queries_per_run": round(count[0] / len(measured), 2),
        "cpu_ms_per_run": round(cpu * 1000 / len(measured), 2),
        "note": "CPU includes the worker loop's" + (" and cProfile's overhead" if profiler else ""),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    if args.show_queries:
        for sql in last:
            print(sql[:220])
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.limit)
        print(out.getvalue())


if __name__ == "__main__":
    main()
