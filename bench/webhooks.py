"""Webhook and hook figures on PostgreSQL, with real `manage.py db_worker` processes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_hooks_bench \\
        /work/main/.venv/bin/python bench/webhooks.py

1. First delivery attempt after commit, one worker: p50/p95 over spaced-out writes
   (target p95 ≤ 2 s). Workers poll the task table every 0.2 s (`--interval 0.2`).
2. Sustained deliveries/s to a loopback receiver with two workers: a backlog of customer
   writes is drained (target ≥ 200/s).
3. Across a worker restart: writes to a few customers while two workers deliver; one worker is
   killed (SIGKILL) and started again mid-way. Reports lost and out-of-order deliveries
   (target 0 and 0) and duplicates (at least once: a few are expected).
4. Inbound hook intake on the production server setup: gunicorn with deploy/gunicorn.conf.py
   as deployed (its own worker count and type, as the README's production section runs it;
   bench/serve.py), wrk -t1 -c16: req/s (target ≥ 300). Set REDIS_URL as production does: the
   per-hook rate limit is counted in Redis. `--intake-server daphne` measures daphne instead.

`--parts intake` (or any comma-separated subset of latency,sustained,restart,intake) runs only
those parts; the load average is printed beside the figures.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import (  # noqa: E402
    PYTHON,
    bench_env,
    cpu_seconds,
    manage,
    pg_backend_pids,
    served,
    server_pids,
    wrk,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_hooks_bench"
WORKER_ENV = {"TASK_BACKEND": "database", "OUTBOUND_ALLOW_PRIVATE": "true"}


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


class Receiver:
    """Loopback receiver: records (arrival time, event id, resource id) per request."""

    def __init__(self):
        self.seen = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                envelope = json.loads(body)
                with receiver.lock:
                    receiver.seen.append((now, int(envelope["id"]), envelope["data"]["id"]))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        # the default listen backlog (5) drops the SYNs of parallel senders: 1 s stalls
        ThreadingHTTPServer.request_queue_size = 128
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/in"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self):
        with self.lock:
            self.seen = []


def start_worker(env, log):
    return subprocess.Popen(
        [PYTHON, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def wait_all_sent(Delivery, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not Delivery.objects.filter(status="pending").exists():
            return True
        time.sleep(0.2)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-writes", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument("--restart-writes", type=int, default=1500)
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds")
    parser.add_argument("--port", type=int, default=8117)
    parser.add_argument("--parts", default="latency,sustained,restart,intake")
    parser.add_argument("--intake-server", choices=["gunicorn", "daphne"], default="gunicorn")
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"latency", "sustained", "restart", "intake"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, **WORKER_ENV)
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from apps_directory.hooks.services import hook_create, hook_update
    from apps_directory.webhooks.models import Delivery, DispatchClock, OutboundWebhook
    from apps_directory.webhooks.services import webhook_create
    from customers.services import customer_create, customer_update
    from kdesk.services import organization_get_or_create

    org, _ = organization_get_or_create(slug="webhook-bench", name="Webhook bench")
    OutboundWebhook.objects.filter(org=org).delete()
    Delivery.objects.all().delete()
    DBTaskResult.objects.all().delete()
    DispatchClock.objects.all().delete()
    receiver = Receiver()
    webhook, _ = webhook_create(
        org=org,
        actor=None,
        data={
            "name": "bench",
            "url": receiver.url,
            "events": ["kustomer.customer.create", "kustomer.customer.update"],
        },
    )
    log = open(tempfile.mktemp(prefix="webhook-bench-", suffix=".log"), "wb")
    print(f"worker log: {log.name}")
    results = {}

    # 1. first attempt after commit, one worker
    if "latency" in parts:
        workers = [start_worker(env, log)]
        time.sleep(2)
        committed = {}
        for i in range(args.latency_writes):
            customer = customer_create(org=org, actor=None, data={"name": f"L{i}"})
            committed[str(customer.pk)] = time.time()
            time.sleep(0.05)
        wait_all_sent(Delivery, 60)
        lags = [at - committed[rid] for at, _, rid in receiver.seen if rid in committed]
        results["first_attempt_p50_ms"] = round(pct(lags, 0.5) * 1000)
        results["first_attempt_p95_ms"] = round(pct(lags, 0.95) * 1000)
        results["first_attempt_n"] = len(lags)
        results["load_after_latency"] = load()
        stop(workers)

    # 2. sustained: a backlog drained by two workers
    workers = []
    if parts & {"sustained", "restart"}:
        receiver.reset()
        customers = []
        backlog = args.backlog if "sustained" in parts else 20
        for i in range(backlog):
            customers.append(customer_create(org=org, actor=None, data={"name": f"B{i}"}))
        start = time.time()
        workers = [start_worker(env, log), start_worker(env, log)]
        ok = wait_all_sent(Delivery, 600)
        if "sustained" in parts:
            first = min(at for at, _, _ in receiver.seen)
            last = max(at for at, _, _ in receiver.seen)
            results["backlog"] = args.backlog
            results["backlog_drained"] = ok
            results["deliveries_per_s"] = round(len(receiver.seen) / max(0.001, last - first), 1)
            results["backlog_wall_s"] = round(time.time() - start, 1)
            results["load_after_sustained"] = load()

    # 3. worker restart in the middle; per-resource order and loss
    if "restart" in parts:
        receiver.reset()
        targets = customers[:20]
        killed = False
        for i in range(args.restart_writes):
            customer = targets[i % len(targets)]
            customer_update(org=org, actor=None, customer=customer, data={"name": f"R{i}"})
            if i == args.restart_writes // 2 and not killed:
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait()
                workers[0] = start_worker(env, log)
                killed = True
        expected = set(
            Delivery.objects.filter(webhook=webhook, name="kustomer.customer.update").values_list(
                "event_id", flat=True
            )
        )
        drained = wait_all_sent(Delivery, 300)
        got = [(eid, rid) for _, eid, rid in receiver.seen]
        got_ids = {eid for eid, _ in got}
        out_of_order = 0
        last_seen = {}
        for eid, rid in got:
            if eid < last_seen.get(rid, 0):
                out_of_order += 1
            last_seen[rid] = max(eid, last_seen.get(rid, 0))
        results.update(
            restart_deliveries=len(expected),
            restart_drained=drained,
            restart_lost=len(expected - got_ids),
            restart_out_of_order=out_of_order,
            restart_duplicates=len(got) - len(got_ids),
            load_after_restart=load(),
        )
    stop(workers)

    # 4. inbound hook intake on the production server setup
    if "intake" in parts:
        results.update(intake(org, env, args, hook_create, hook_update))
    log.close()
    print(json.dumps(results, indent=2))


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def intake(org, env, args, hook_create, hook_update):
    hook = hook_create(org=org, actor=None, data={"name": "bench", "kind": "web"})
    hook_update(org=org, actor=None, hook=hook, data={"rateLimitPerMinute": 100000})
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    body = json.dumps({"order": {"id": "A1", "total": 12.5, "lines": [{"sku": "x", "qty": 2}]}})
    script.write(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    script.close()
    if args.intake_server == "gunicorn":
        # as deployed: deploy/gunicorn.conf.py picks the worker count and type
        serving = served(workers=None, threads=None, port=args.port, env=env, server="gunicorn")
    else:
        serving = served(workers=2, port=args.port, env=env, server="daphne")
    with serving as base:
        wrk(base + hook.path, duration=2, connections=16, script=script.name)  # warm
        port = args.port
        backends = pg_backend_pids(env["DATABASE_URL"])
        before = cpu_seconds(server_pids(port)) + cpu_seconds(backends)
        figures = wrk(base + hook.path, duration=args.duration, connections=16, script=script.name)
        after = cpu_seconds(server_pids(port)) + cpu_seconds(backends)
    os.unlink(script.name)
    requests = figures.get("requests") or 1
    cpu_ms = (after - before) * 1000 / requests
    cores = os.cpu_count() or 1
    return {
        "hook_intake_server": args.intake_server,
        "hook_intake_rps": figures.get("rps"),
        "hook_intake_p50_ms": figures.get("p50"),
        "hook_intake_p99_ms": figures.get("p99"),
        "hook_intake_non2xx": figures.get("non2xx", 0),
        "hook_intake_errors": figures.get("errors", 0),
        # What a request costs the server and its database connections in CPU, whatever else
        # runs on the machine; the ceiling is that cost spread over every core (wrk and Redis
        # not counted), i.e. the figure an otherwise idle machine would approach.
        "hook_intake_cpu_ms_per_request": round(cpu_ms, 2),
        "hook_intake_ceiling_rps_on_idle_cores": round(cores * 1000 / cpu_ms) if cpu_ms else None,
        "load_after_intake": load(),
    }


if __name__ == "__main__":
    main()
