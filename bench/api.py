"""REST API figures on PostgreSQL, served the way the README's production section says
(two daphne processes on one socket, pooled connections, DEBUG off).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench .venv/bin/python bench/api.py

1. Customer lookup by email, 16 concurrent clients (wrk -t1 -c16): requests/s, p50, p99
   (targets ≥ 400 req/s, p99 ≤ 100 ms), beside a bare Django view doing the same indexed query
   with .values() and no auth (kdesk must reach ≥ 60% of it).
2. POST /v1/klasses/order/bulk with 1000 objects per request: objects/s (target ≥ 5,000).
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import bench_env, manage, served, wrk  # noqa: E402

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
key, token = api_key_create(org=org, name="bench", rate_limit_per_minute=10_000_000)
print(json.dumps({"token": token, "customers": n}))
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


def lookup_bench(base, token, customers, duration):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % (customers - 1, "/v1/customers/email=c%d@bench.io"))
        api_script = f.name
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % (customers - 1, "/bare/lookup?email=c%d@bench.io"))
        bare_script = f.name
    auth = f"Authorization: Bearer {token}"
    wrk(base + "/healthz", duration=2, connections=4)  # warm both processes' pools
    bare = wrk(base + "/bare/lookup", duration=duration, connections=16, script=bare_script)
    api = wrk(
        base + "/v1/customers", duration=duration, connections=16, headers=[auth], script=api_script
    )
    os.unlink(api_script)
    os.unlink(bare_script)
    return api, bare


def bulk_bench(base, token, requests):
    import httpx

    rates = []
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        for r in range(requests):
            stamp = f"{int(time.time() * 1000)}-{r}"
            items = [
                {
                    "title": f"Order {stamp}-{i}",
                    "externalId": f"{stamp}-{i}",
                    "data": {
                        "orderNumberStr": f"{stamp}-{i}",
                        "totalNum": random.randint(1, 900),
                        "currencyStr": "USD",
                        "placedAt": "2026-11-01T10:00:00Z",
                        "paidBool": True,
                    },
                }
                for i in range(1000)
            ]
            start = time.perf_counter()
            response = client.post("/v1/klasses/order/bulk", json=items)
            elapsed = time.perf_counter() - start
            assert response.status_code == 200, response.text[:500]
            rates.append(1000 / elapsed)
    rates.sort()
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--bulk-requests", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/api.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, DATABASE_POOL_MAX="16")
    env.pop("REDIS_URL", None) if "REDIS_URL" not in os.environ else None
    manage("migrate", "--noinput", env=env)
    info = seed(env, args.customers)
    with served(workers=args.workers, env=env) as base:
        api, bare = lookup_bench(base, info["token"], args.customers, args.duration)
        rates = bulk_bench(base, info["token"], args.bulk_requests)
    ratio = api["rps"] / bare["rps"]
    print(
        f"\ncustomers: {info['customers']:,}; {args.workers} daphne processes; PostgreSQL; "
        "wrk -t1 -c16"
    )
    print(
        f"lookup by email (kdesk API):  {api['rps']:8.0f} req/s  p50 {api['p50']:.1f} ms  "
        f"p99 {api['p99']:.1f} ms  non-2xx {api.get('non2xx', 0)}  "
        f"(targets >= 400 req/s, p99 <= 100 ms)"
    )
    print(
        f"lookup by email (bare view):  {bare['rps']:8.0f} req/s  p50 {bare['p50']:.1f} ms  "
        f"p99 {bare['p99']:.1f} ms"
    )
    print(f"kdesk / bare: {ratio:.0%} (target >= 60%)")
    print(
        f"bulk upsert, 1000 objects/request: median {rates[len(rates) // 2]:,.0f} objects/s, "
        f"min {rates[0]:,.0f} (target >= 5,000)"
    )


if __name__ == "__main__":
    main()
