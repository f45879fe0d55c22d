"""Search at 1,000,000 customers on PostgreSQL (target p95 ≤ 50 ms per page of 100):

- `customer_custom_tierStr equals <one of 4 tiers>` (GIN containment), default sort;
- `customer_updated_at gte <random bookmark>` sorted ascending (the incremental sync), both as
  a page-number search (count + page) and as a cursor continuation (page only).

Each search goes through the engine in-process (compile → SQL → serialize the page); `--http`
also times the same bodies through `POST /v1/customers/search` with the Django test client
(API key auth, scopes, rate limit, rendering — no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench_search \\
        .venv/bin/python bench/search.py --rows 1000000 --searches 200

Customers are loaded once with COPY (re-runs reuse them; `--rows` tops the org up).
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import ensure_database  # noqa: E402
from bench.serve import BENCH_ENV  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_bench_search"
TIERS = ("gold", "silver", "bronze", "iron")
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 24 * 3600
COPY_COLUMNS = (
    "org_id, name, emails, phones, socials, urls, locations, tags, locale, time_zone, custom, "
    "rev, created_at, updated_at"
)


def load(org_id, have, rows, dsn):
    """COPY customers `have..rows-1` of the bench org; updated_at spread over a year."""
    import psycopg

    rng = random.Random(have)
    batch = 100_000
    with psycopg.connect(dsn) as conn:
        for start in range(have, rows, batch):
            buf = io.StringIO()
            for i in range(start, min(rows, start + batch)):
                at = YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
                custom = json.dumps({"tierStr": TIERS[i % 4], "spendNum": i % 1000})
                buf.write(
                    f"{org_id}\tBench {i}\t[]\t[]\t[]\t[]\t[]\t[]\t\t\t{custom}\t1\t"
                    f"{at.isoformat()}\t{at.isoformat()}\n"
                )
            buf.seek(0)
            with conn.cursor() as cur:
                with cur.copy(f"COPY customers_customer ({COPY_COLUMNS}) FROM STDIN") as copy:
                    while data := buf.read(1 << 20):
                        copy.write(data)
            conn.commit()
            print(f"  loaded {min(rows, start + batch):,} customers", flush=True)
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE customers_customer")


def percentiles(samples):
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    return statistics.median(samples), p(0.95), samples[-1]


def timed(fn, bodies):
    out = []
    for body in bodies:
        start = time.perf_counter()
        fn(body)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--http", action="store_true", help="also time the HTTP endpoint")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/search.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = url
    os.environ["DATABASE_POOL"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.models import Customer
    from kdesk.search import compile_search, search_cursor, search_page
    from kdesk.services import organization_get_or_create

    org, _ = organization_get_or_create(slug="search-bench", name="Search bench")
    have = Customer.objects.filter(org=org).count()
    if have < args.rows:
        print(f"loading {args.rows - have:,} customers with COPY …", flush=True)
        start = time.perf_counter()
        load(org.pk, have, args.rows, url)
        print(f"  done in {time.perf_counter() - start:.0f} s")
    total = Customer.objects.filter(org=org).count()

    rng = random.Random(1)
    n = args.searches
    tier_bodies = [
        {"queryContext": "customer", "and": [{"customer_custom_tierStr": {"equals": t}}]}
        for t in (rng.choice(TIERS) for _ in range(n))
    ]

    def bookmark():
        at = YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
        return at.isoformat().replace("+00:00", "Z")

    sync_bodies = [
        {
            "queryContext": "customer",
            "and": [{"customer_updated_at": {"gte": bookmark()}}],
            "sort": [{"customer_updated_at": "asc"}],
        }
        for _ in range(n)
    ]

    def page(body):
        result = search_page(compile_search(org=org, body=body), page=1, size=100)
        assert len(result.data) == 100 or result.total < 100

    def cursor_walk(body):
        # the continuation a data tool makes: page after a cursor, no count
        plan = compile_search(org=org, body=body)
        result = search_cursor(plan, cursor=cursors[id(body)], size=100)
        assert result.rows == 100 or not cursors[id(body)]

    cursors = {}
    for body in sync_bodies:  # a cursor in the middle of each bookmark's range
        first = search_cursor(compile_search(org=org, body=body), cursor=None, size=100)
        cursors[id(body)] = first.next_cursor

    for body in tier_bodies[:10] + sync_bodies[:10]:  # warm up
        page(body)

    results = [
        ("tierStr equals (count + page)", timed(page, tier_bodies)),
        ("updated_at gte, asc (count + page)", timed(page, sync_bodies)),
        ("updated_at gte, asc, ?cursor= (page)", timed(cursor_walk, sync_bodies)),
    ]
    if args.http:
        from django.test import Client

        from kdesk.services import api_key_create

        _, token = api_key_create(org=org, name="search bench", scopes=None)
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

        def http(body):
            response = client.post(
                "/v1/customers/search?pageSize=100",
                data=json.dumps(body),
                content_type="application/json",
            )
            assert response.status_code == 200, response.content[:300]

        http(tier_bodies[0])
        results += [
            ("HTTP tierStr equals", timed(http, tier_bodies)),
            ("HTTP updated_at gte, asc", timed(http, sync_bodies)),
        ]

    print(f"\n{total:,} customers in the org; {n} searches each; page of 100; PostgreSQL")
    for name, samples in results:
        p50, p95, worst = percentiles(samples)
        flag = "ok" if p95 <= 50 else "over target"
        print(f"{name:40s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {worst:6.1f} ms  [{flag}]")


if __name__ == "__main__":
    main()
