"""Cost of one run of the two-step order workflow, in process: queries and CPU per run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_workflows \\
        /work/main/.venv/bin/python bench/workflows_profile.py --runs 300

Wall-clock runs/s depend on what else the machine runs; queries and CPU time per run do not
(much). A backlog of hook calls is recorded (each its own pending run, as the intake leaves
them), then worked off in this process through the worker's task function, as `db_worker`
would. Prints queries/run (and the statements of one run with --show-queries), CPU ms/run
(process time), and with --profile the top of a cProfile of the runs.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
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
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if url.startswith("postgres"):
        ensure_database(url)
    env = bench_env(DATABASE_URL=url, TASK_BACKEND="dummy")
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps_directory.hooks.services import hook_create, hook_receive, hook_update
    from kdesk.services import organization_get_or_create
    from klasses.models import Klass
    from klasses.services import klass_create
    from workflows.models import Run, Workflow
    from workflows.services import workflow_create
    from workflows.tasks import execute_runs

    org, _ = organization_get_or_create(slug="workflow-profile", name="Workflow profile")
    Workflow.objects.filter(org=org).delete()
    if not Klass.objects.filter(org=org, name="order").exists():
        klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    hook = hook_create(org=org, actor=None, data={"name": "profile", "kind": "web"})
    hook_update(org=org, actor=None, hook=hook, data={"rateLimitPerMinute": 100000})
    workflow = workflow_create(org=org, actor=None, data=order_workflow(hook.pk))
    prefix = f"p{int(time.time())}"
    total = args.warmup + args.runs
    for i in range(total):
        # each customer comes back (i % 50), so most runs update rather than create, as in the
        # bench's backlog
        hook_receive(hook=hook, payload=order(prefix, i), content_type="application/json", size=200)
    ids = list(Run.objects.filter(workflow=workflow).order_by("id").values_list("id", flat=True))
    assert len(ids) == total, (len(ids), total)
    run = execute_runs.func  # the worker's job, without the task queue around it
    for pk in ids[: args.warmup]:
        run([pk])

    measured = ids[args.warmup :]
    per_run, one = [], None
    profiler = cProfile.Profile() if args.profile else None
    cpu0 = time.process_time()
    for pk in measured:
        connection.queries_log.clear()  # it keeps 9,000: a long series would count nothing
        with CaptureQueriesContext(connection) as queries:
            if profiler:
                profiler.enable()
            run([pk])
            if profiler:
                profiler.disable()
        per_run.append(len(queries))
        one = list(queries.captured_queries)  # the last run: a returning customer
    cpu = time.process_time() - cpu0
    statuses = dict.fromkeys(Run.Status.values, 0)
    for status in Run.objects.filter(pk__in=measured).values_list("status", flat=True):
        statuses[status] += 1
    result = {
        "database": connection.vendor,
        "runs": len(measured),
        "statuses": {k: v for k, v in statuses.items() if v},
        "queries_per_run": {
            "min": min(per_run),
            "max": max(per_run),
            "mean": round(sum(per_run) / len(per_run), 1),
        },  # fmt: skip
        "cpu_ms_per_run": round(cpu * 1000 / len(measured), 2),
        "note": "CPU includes CaptureQueriesContext's own bookkeeping"
        + (" and cProfile's overhead" if profiler else ""),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))
    if args.show_queries:
        for q in one:
            print(q["sql"][:220])
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
