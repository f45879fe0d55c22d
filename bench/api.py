"""REST API figures on PostgreSQL, served the way the README's production section says: HTTP
through gunicorn (deploy/gunicorn.conf.py, two workers), beside two daphne processes on one
socket for comparison (each gunicorn thread keeps one persistent connection, daphne a pool);
DEBUG off. All in one run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench .venv/bin/python bench/api.py

1. Customer lookup by email, 16 concurrent clients (wrk -t1 -c16): requests/s, p50, p99 on
   gunicorn (deploy/gunicorn.conf.py: gthread, 4 threads per worker; targets >= 1,000 req/s,
   p99 <= 50 ms), beside a bare Django view doing
   the same indexed query with .values() and no auth served the same way (kdesk must reach
   >= 90% of it; the two alternate in --rounds rounds so that load changes hit both), the same
   lookup on sync workers, and both on daphne. Beside the pair, the CPU a request costs the
   machine (gunicorn, the PostgreSQL backends, Redis): the figure the machine's load does not
   move much, where requests/s on a shared 2-core host does.
2. KObject get by externalId and a customer's timeline first page (GET /v1/customers/{id}/
   timeline), same concurrency, on gunicorn.
3. POST /v1/klasses/order/bulk with 1000 objects per request: objects/s (target >= 8,000),
   one request at a time, and --bulk-clients at once (default 2, one per worker: the
   aggregate rate through HTTP of the server as deployed).
4. A mixed load for --mixed seconds (default 60): 80% reads (the three reads above), 15% writes
   (POST /v1/klasses/order), 5% search (POST /v1/customers/search): requests/s, p50/p99, errors.

Warm-up, as is standard practice for a throughput benchmark: before each measured load, the same
load (same endpoint, script and concurrency) runs for --warmup seconds (default 3) and is not
counted, on every server. The figures are then those of a server in service, not of its first
seconds: each thread's first connections to PostgreSQL and Redis, psycopg preparing the query
after its fifth run on a connection, PostgreSQL's caches in its new backends. What a fresh
worker would pay on its first requests beyond that is the product's to avoid (the URLconf and
every view are loaded before gunicorn forks, and each thread connects before the worker
accepts: kdesk/serving/warm.py); --warmup 0 measures a cold start.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import (  # noqa: E402
    _ticks,
    bench_env,
    manage,
    pg_backend_pids,
    served,
    server_pids,
    wrk,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_bench"


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


SEED = """
import json, sys
from django.db import transaction
from customers.models import Customer, Identity
from kdesk.services import api_key_create, organization_get_or_create
from klasses.models import Klass
from klasses import services
org, _ = organization_get_or_create(slug="bench", name="Bench")
n = int(sys.argv[1])
have = Customer.objects.filter(org=org).count()
with transaction.atomic():
    rows = [Customer(org=org, name=f"Bench {i}", emails=[{"type": "work", "email": f"c{i}@bench.io"}])
            for i in range(have, n)]
    Customer.objects.bulk_create(rows, batch_size=2000)
    Identity.objects.bulk_create([Identity(org=org, customer=c, kind="email", value=c.emails[0]["email"])
                                  for c in rows], batch_size=2000)
if not Klass.objects.filter(org=org, name="order").exists():
    services.klass_create(org=org, actor=None, data={"name": "order"})
    services.metadata_update(org=org, actor=None, resource="kobject.order", data={"properties": {
        "orderNumberStr": {"required": True}, "totalNum": {"min": 0},
        "currencyStr": {"enum": ["USD", "EUR"]}, "placedAt": {}, "paidBool": {}}})
# the bare view's join is planned from statistics (kdesk's lookups are not): a fresh bench
# database must not hand it a guessed plan
from kdesk.table_stats import analyze
analyze(Customer, Identity)
key, token = api_key_create(org=org, name="bench", rate_limit_per_minute=10_000_000)
first = Customer.objects.filter(org=org, emails__0__email="c0@bench.io").values_list("id", flat=True).first()
print(json.dumps({"token": token, "customers": n, "first": first}))
"""

LUA = """
math.randomseed(os.time())
request = function()
  local i = math.random(0, %d)
  return wrk.format("GET", string.format("%s", i))
end
"""


def seed(env, customers):
    out = manage("shell", "-c", SEED.replace("sys.argv[1]", str(customers)), env=env)
    return json.loads(out.strip().splitlines()[-1])


def _script(body):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(body)
    f.close()
    return f.name


def lookup_scripts(customers):
    return {
        "api": _script(LUA % (customers - 1, "/v1/customers/email=c%d@bench.io")),
        "bare": _script(LUA % (customers - 1, "/bare/lookup?email=c%d@bench.io")),
        "kobject": _script(LUA % (ORDERS - 1, "/v1/klasses/order/externalId=ord-%d")),
    }


MIXED = """
math.randomseed(os.time())
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local r = math.random(100)
  if r <= 80 then
    local k = math.random(3)
    if k == 1 then
      return wrk.format("GET", string.format("/v1/customers/email=c%%d@bench.io", math.random(0, %(customers)d)))
    elseif k == 2 then
      return wrk.format("GET", string.format("/v1/klasses/order/externalId=ord-%%d", math.random(0, %(orders)d)))
    end
    return wrk.format("GET", "/v1/customers/%(first)d/timeline")
  elseif r <= 95 then
    local body = string.format('{"title": "Mixed %%d-%%d", "data": {"orderNumberStr": "m%%d-%%d", "totalNum": %%d, "currencyStr": "USD"}}', os.time(), n, os.time(), n, math.random(1, 900))
    return wrk.format("POST", "/v1/klasses/order", nil, body)
  end
  local body = string.format('{"queryContext": "customer", "and": [{"customer_email": {"equals": "c%%d@bench.io"}}]}', math.random(0, %(customers)d))
  return wrk.format("POST", "/v1/customers/search", nil, body)
end
"""

ORDERS = 2000


def order_item(external_id, customer=None):
    item = {
        "title": f"Order {external_id}",
        "externalId": external_id,
        "data": {
            "orderNumberStr": external_id,
            "totalNum": random.randint(1, 900),
            "currencyStr": "USD",
            "placedAt": "2026-11-01T10:00:00Z",
            "paidBool": True,
        },
    }
    if customer is not None:
        item["customer"] = str(customer)
    return item


def seed_orders(base, token, first_customer):
    """ORDERS orders with externalIds ord-0…; the first 100 on the first customer, so that its
    timeline has a full first page."""
    import httpx

    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        for start in range(0, ORDERS, 1000):
            items = [
                order_item(f"ord-{i}", first_customer if i < 100 else None)
                for i in range(start, start + 1000)
            ]
            response = client.post("/v1/klasses/order/bulk", json=items)
            assert response.status_code == 200, response.text[:500]


def bulk_bench(base, token, requests, clients=1):
    """objects/s of each 1000-object request, one at a time (`clients` 1), or with `clients`
    posting at once, the aggregate rate of each round of `clients` requests. The bodies are
    encoded before the clock starts: the client's own JSON work is not the server's."""
    import concurrent.futures

    import httpx

    def post(client, body):
        start = time.perf_counter()
        response = client.post(
            "/v1/klasses/order/bulk", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200, response.text[:500]
        return time.perf_counter() - start

    rates = []
    headers = {"Authorization": f"Bearer {token}"}
    with contextlib.ExitStack() as stack:
        pool = [
            stack.enter_context(httpx.Client(base_url=base, headers=headers, timeout=120))
            for _ in range(clients)
        ]
        executor = stack.enter_context(concurrent.futures.ThreadPoolExecutor(clients))
        for r in range(requests):
            stamp = f"{int(time.time() * 1000)}-{r}"
            bodies = [
                json.dumps([order_item(f"{stamp}-{c}-{i}") for i in range(1000)]).encode()
                for c in range(clients)
            ]
            start = time.perf_counter()
            list(executor.map(post, pool, bodies))
            rates.append(1000 * clients / (time.perf_counter() - start))
    rates.sort()
    return rates


class SystemCpu:
    """CPU time a run cost the web server's processes, the database backends serving it and
    the Redis server (INFO's figure: the whole server, shared with whatever else uses it), per
    request: what the machine spends on a request, whatever share of it the run got."""

    def __init__(self, port, url):
        self.port, self.url = port, url
        redis_url = os.environ.get("REDIS_URL")
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url)

    def _redis_seconds(self):
        if self.redis is None:
            return 0.0
        info = self.redis.info("cpu")
        return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])

    def sample(self):
        pids = server_pids(self.port) + pg_backend_pids(self.url)
        return {pid: _ticks(pid) for pid in pids}, self._redis_seconds()

    def since(self, before, requests):
        """ms of CPU per request since `before` (backends opened meanwhile count in full)."""
        ticks, redis_seconds = before
        now, redis_now = self.sample()
        used = sum(t - ticks.get(pid, 0) for pid, t in now.items()) / os.sysconf("SC_CLK_TCK")
        return (used + redis_now - redis_seconds) * 1000 / max(1, requests)


def combine(rounds):
    """One figure for several wrk runs of equal length: mean rate, median p50, worst p99."""
    return {
        "rps": sum(r["rps"] for r in rounds) / len(rounds),
        "p50": statistics.median(r["p50"] for r in rounds),
        "p99": max(r["p99"] for r in rounds),
        "non2xx": sum(r.get("non2xx", 0) for r in rounds),
        "errors": sum(r.get("errors", 0) for r in rounds),
        "rounds": [round(r["rps"]) for r in rounds],
        "cpu_ms": statistics.median(r["cpu_ms"] for r in rounds) if "cpu_ms" in rounds[0] else None,
        "cpu_rounds": [round(r["cpu_ms"], 2) for r in rounds if "cpu_ms" in r],
    }


def line(name, figures, note=""):
    errors = figures.get("non2xx", 0) + figures.get("errors", 0)
    return (
        f"{name:<44} {figures['rps']:8.0f} req/s  p50 {figures['p50']:6.1f} ms  "
        f"p99 {figures['p99']:6.1f} ms  errors {errors}  {note}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--bulk-requests", type=int, default=8)
    parser.add_argument(
        "--bulk-clients",
        type=int,
        default=2,
        help="bulk requests posted at once, measured beside one at a time (default: 2)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="per gunicorn worker (gthread)")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the lookup pair")
    parser.add_argument("--mixed", type=int, default=60, help="seconds of mixed load (0: skip)")
    parser.add_argument("--port", type=int, default=8100, help="where the servers listen")
    parser.add_argument(
        "--warmup",
        type=int,
        default=3,
        help="seconds of each measured load run first and not counted (default 3; 0: none)",
    )
    args = parser.parse_args()
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/api.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, DATABASE_POOL_MAX="16")
    env.pop("REDIS_URL", None) if "REDIS_URL" not in os.environ else None
    manage("migrate", "--noinput", env=env)
    info = seed(env, args.customers)
    scripts = lookup_scripts(args.customers)
    auth = [f"Authorization: Bearer {info['token']}"]
    d, w = args.duration, args.workers
    out = {}

    def warm(base, path, script=None, headers=auth):
        """The load about to be measured, for --warmup seconds, not counted."""
        if args.warmup:
            wrk(base + path, duration=args.warmup, connections=16, headers=headers, script=script)

    def run(key, base, path, script=None, headers=auth):
        warm(base, path, script, headers)
        out[key] = wrk(base + path, duration=d, connections=16, headers=headers, script=script)

    def pair(prefix, base):
        """The kdesk lookup and the bare view, alternating in rounds of `d / rounds` seconds, so
        that a change in the machine's load while the bench runs hits both alike."""
        both = (
            ("bare", "/bare/lookup", scripts["bare"], ()),
            ("api", "/v1/customers", scripts["api"], auth),
        )
        for _, path, script, headers in both:
            warm(base, path, script, headers)
        cpu = SystemCpu(port, url) if prefix == "" else None  # gunicorn's pids only
        rounds = {"bare": [], "api": []}
        for _ in range(args.rounds):
            for key, path, script, headers in both:
                before = cpu.sample() if cpu else None
                figures = wrk(
                    base + path,
                    duration=max(1, d // args.rounds),
                    connections=16,
                    headers=headers,
                    script=script,
                )
                if cpu:
                    figures["cpu_ms"] = cpu.since(before, figures.get("requests", 0))
                rounds[key].append(figures)
        for key, figures in rounds.items():
            out[prefix + key] = combine(figures)

    port = args.port
    with served(workers=w, env=env, server="gunicorn", threads=args.threads, port=port) as base:
        seed_orders(base, info["token"], info["first"])
        pair("", base)
        run("kobject", base, "/v1/klasses/order", scripts["kobject"])
        run("timeline", base, f"/v1/customers/{info['first']}/timeline")
        bulk = {1: bulk_bench(base, info["token"], args.bulk_requests, 1)}
        if args.bulk_clients > 1:
            bulk[args.bulk_clients] = bulk_bench(
                base, info["token"], args.bulk_requests, args.bulk_clients
            )
        if args.mixed:
            mixed = _script(
                MIXED
                % {"customers": args.customers - 1, "orders": ORDERS - 1, "first": info["first"]}
            )
            warm(base, "/", mixed)
            out["mixed"] = wrk(
                base + "/", duration=args.mixed, connections=16, headers=auth, script=mixed
            )
            os.unlink(mixed)
    with served(workers=w, env=env, server="gunicorn", threads=1, port=port) as base:
        run("sync", base, "/v1/customers", scripts["api"])
    with served(workers=w, env=env, server="daphne", port=port) as base:
        pair("daphne_", base)
    for script in scripts.values():
        os.unlink(script)

    print(f"\ncustomers: {info['customers']:,}; {w} workers per server; PostgreSQL; wrk -t1 -c16")
    print(
        f"warm-up: each measured load first ran {args.warmup} s on its server, not counted"
        if args.warmup
        else "no warm-up (--warmup 0): the figures include each server's first requests"
    )
    loads = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) at the start: {load_start}; at the end: {loads}")
    print(line("gunicorn: lookup by email (kdesk API)", out["api"], "(>= 1,000, p99 <= 50)"))
    print(line("gunicorn: lookup by email (bare view)", out["bare"]))
    print(f"  per round, kdesk {out['api']['rounds']} bare {out['bare']['rounds']} req/s")
    print(f"  kdesk / bare on gunicorn: {out['api']['rps'] / out['bare']['rps']:.0%} (>= 90%)")
    print(
        f"  CPU per request (gunicorn + PostgreSQL backends + Redis, median of rounds): kdesk"
        f" {out['api']['cpu_ms']:.2f} ms, bare {out['bare']['cpu_ms']:.2f} ms"
    )
    print(
        f"  per round, CPU ms/request: kdesk {out['api']['cpu_rounds']}"
        f" bare {out['bare']['cpu_rounds']}"
    )
    print(line("gunicorn sync workers: lookup by email", out["sync"]))
    print(line("daphne: lookup by email (kdesk API)", out["daphne_api"]))
    print(line("daphne: lookup by email (bare view)", out["daphne_bare"]))
    print(f"  gunicorn / daphne, kdesk API: {out['api']['rps'] / out['daphne_api']['rps']:.1f}x")
    print(line("gunicorn: KObject by externalId", out["kobject"]))
    print(line("gunicorn: timeline first page", out["timeline"]))
    for clients, rates in bulk.items():
        how = "one at a time" if clients == 1 else f"{clients} at once"
        print(
            f"bulk upsert, 1000 objects/request, {how}: median {rates[len(rates) // 2]:,.0f}"
            f" objects/s, min {rates[0]:,.0f}, max {rates[-1]:,.0f} (>= 8,000)"
        )
    if "mixed" in out:
        m = out["mixed"]
        print(line(f"mixed 80/15/5 for {args.mixed}s ({m.get('requests', 0):,} requests)", m))


if __name__ == "__main__":
    main()
