"""Customer page and timeline scroll on PostgreSQL for a customer with 100,000 timeline entries
and 500 KObjects: server time (p50/p95) and queries per request, in process (Django's test
Client, DEBUG off, the real middleware stack) so that only the server's work is timed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench_timeline \
        .venv/bin/python bench/timeline.py [--requests 200]

Targets: p95 ≤ 150 ms for the first page and for a page at depth 90,000, the deep page within
1.5× of the first, and the same number of queries at any depth. Creates the database if it is
missing, migrates it, and seeds once (idempotent: a second run reuses the data).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import BENCH_ENV  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_bench_timeline"
ENTRIES = 100_000
KOBJECTS = 500
BATCH = 5_000


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url):
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from django.db import transaction
    from django.utils import timezone

    from customers.models import Customer
    from kdesk.events import emit_many
    from kdesk.models import Event, User
    from kdesk.services import organization_get_or_create
    from klasses import demo as kdemo
    from klasses.models import KObject
    from klasses.representations import kobject_resource
    from timeline import demo as tdemo

    org, _ = organization_get_or_create(slug="bench-timeline", name="Bench timeline")
    agent = User.objects.filter(org=org, username="agent").first()
    if agent is None:
        agent = User.objects.create_user(
            "agent@bench-timeline.io", "bench", org=org, username="agent", display_name="Agent"
        )
    customer = Customer.objects.filter(org=org, external_id="bench-100k").first()
    if customer is None:
        customer = Customer.objects.create(
            org=org,
            name="Ada Lovelace",
            external_id="bench-100k",
            emails=[{"type": "home", "email": "ada@bench.io"}],
        )
    have = Event.objects.filter(org=org, customer_id=customer.pk).count()
    if have >= ENTRIES:
        return org, agent, customer
    started = time.perf_counter()
    order = kdemo._klass(org, "order", "Order", "shopping-bag", "#7c3aed")
    kdemo._define(org, "kobject.order", kdemo.ORDER_PROPERTIES)
    kdemo._define(org, "customer", kdemo.CUSTOMER_PROPERTIES)
    tdemo.seed(org, {"ada": agent})
    start = timezone.now() - timedelta(days=400)
    step = timedelta(seconds=300)
    with transaction.atomic():
        objects = [
            KObject(
                org=org,
                klass=order,
                customer=customer,
                external_id=f"B-{i:05d}",
                title=f"Order B-{i:05d}",
                data={
                    "orderNumberStr": f"B-{i:05d}",
                    "totalNum": 10 + i % 90,
                    "currencyStr": "USD",
                    "statusStr": "paid",
                },
                created_at=start + step * (i * (ENTRIES // KOBJECTS)),
                updated_at=start + step * (i * (ENTRIES // KOBJECTS)),
            )
            for i in range(KOBJECTS)
        ]
        KObject.objects.bulk_create(objects, batch_size=1000)
        emit_many(
            org=org,
            events=[
                {
                    "type": "kobject.order.create",
                    "resource": "kobject.order",
                    "resource_id": o.pk,
                    "customer_id": customer.pk,
                    "rev": 1,
                    "data": kobject_resource(o, "order"),
                    "at": o.created_at,
                }
                for o in objects
            ],
        )
    n = ENTRIES - KOBJECTS
    for lo in range(0, n, BATCH):
        with transaction.atomic():
            events = []
            for i in range(lo, min(n, lo + BATCH)):
                at = start + step * i + timedelta(seconds=7)
                if i % 5 == 4:
                    events.append(
                        {
                            "type": "conversation.note.create",
                            "resource": "note",
                            "resource_id": i,
                            "customer_id": customer.pk,
                            "rev": 1,
                            "data": {
                                "type": "note",
                                "id": str(i),
                                "attributes": {"body": f"@agent note {i} about the order"},
                                "meta": {
                                    "authorName": "Agent",
                                    "conversationId": str(i // 20),
                                    "mentionedUsers": [{"id": str(agent.pk), "username": "agent"}],
                                },
                            },
                            "at": at,
                        }
                    )
                else:
                    events.append(
                        {
                            "type": "conversation.message.create",
                            "resource": "message",
                            "resource_id": i,
                            "customer_id": customer.pk,
                            "rev": 1,
                            "data": {
                                "type": "message",
                                "id": str(i),
                                "attributes": {
                                    "direction": "in" if i % 2 else "out",
                                    "channel": "email",
                                    "body": f"Message {i}: where is my parcel?",
                                },
                                "meta": {
                                    "customerName": customer.name,
                                    "authorName": "Agent",
                                    "conversationId": str(i // 20),
                                    "conversationName": f"Topic {i // 20}",
                                },
                            },
                            "at": at,
                        }
                    )
            emit_many(org=org, actor=None, events=events)
    print(
        f"seeded {ENTRIES:,} entries and {KOBJECTS} KObjects in "
        f"{time.perf_counter() - started:.1f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return org, agent, customer


def measure(client, url, n):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
        "queries": len(ctx.captured_queries),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/timeline.py runs on PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    setup_django(url)
    org, agent, customer = seed()

    from django.test import Client

    from kdesk.api.pagination import encode_cursor
    from kdesk.models import Event
    from timeline.selectors import encode_keyset

    client = Client()
    client.force_login(agent)
    qs = Event.objects.filter(org=org, customer_id=customer.pk).order_by("-created_at", "-id")
    total = qs.count()
    first_key = qs.values_list("created_at", "id")[29]
    deep_key = qs.values_list("created_at", "id")[89_999]
    pages = {
        "customer page": f"/customers/{customer.pk}/",
        "timeline, first page": f"/customers/{customer.pk}/timeline/",
        "scroll page at depth 30": f"/customers/{customer.pk}/timeline/?cursor="
        + encode_cursor(encode_keyset(first_key)),
        "scroll page at depth 90,000": f"/customers/{customer.pk}/timeline/?cursor="
        + encode_cursor(encode_keyset(deep_key)),
        "insight cards": f"/customers/{customer.pk}/cards/",
        "API timeline, first page": f"/v1/customers/{customer.pk}/timeline",
        "API timeline at depth 90,000": f"/v1/customers/{customer.pk}/timeline?cursor="
        + encode_cursor(encode_keyset(deep_key)),
    }
    print(f"customer {customer.pk}: {total:,} timeline events, {args.requests} requests each\n")
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    results = {}
    for name, page_url in pages.items():
        r = measure(client, page_url, args.requests)
        results[name] = r
        print(f"{name:32} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f} {r['queries']:8}")
    first = results["scroll page at depth 30"]
    deep = results["scroll page at depth 90,000"]
    ratio = deep["p95"] / first["p95"]
    print()
    checks = [
        ("customer page p95 ≤ 150 ms", results["customer page"]["p95"] <= 150),
        ("first scroll page p95 ≤ 150 ms", first["p95"] <= 150),
        ("depth-90,000 page p95 ≤ 150 ms", deep["p95"] <= 150),
        (f"deep page within 1.5× of the first ({ratio:.2f}×)", ratio <= 1.5),
        ("same queries at any depth", first["queries"] == deep["queries"]),
        ("API first page p95 ≤ 150 ms", results["API timeline, first page"]["p95"] <= 150),
        (
            "API page at depth 90,000 within 1.5× of its first page",
            results["API timeline at depth 90,000"]["p95"]
            <= 1.5 * results["API timeline, first page"]["p95"],
        ),
    ]
    for label, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
