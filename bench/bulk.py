"""Bulk upsert of 1000 KObjects in one call of the service on PostgreSQL, events included
(target ≥ 5,000 objects/s): half new objects, half updates of existing ones.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench .venv/bin/python bench/bulk.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import DEFAULT_URL, ensure_database  # noqa: E402
from bench.serve import BENCH_ENV  # noqa: E402


def main(rounds=6):
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/bulk.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = url
    import gc

    import django

    django.setup()
    gc.freeze()  # as kdesk/asgi.py does once a server process has loaded the app
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from customers.models import Customer
    from kdesk.models import Event
    from kdesk.services import organization_get_or_create
    from klasses import services
    from klasses.models import Klass

    org, _ = organization_get_or_create(slug="bulk-bench", name="Bulk bench")
    klass = Klass.objects.filter(org=org, name="order").first() or services.klass_create(
        org=org, actor=None, data={"name": "order"}
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.order",
        force=True,
        data={
            "properties": {
                "orderNumberStr": {"required": True},
                "totalNum": {"min": 0},
                "currencyStr": {"enum": ["USD", "EUR"]},
                "placedAt": {},
                "paidBool": {},
                "itemsObj": {},
            }
        },
    )
    customers = list(Customer.objects.filter(org=org).values_list("pk", flat=True)[:50])
    while len(customers) < 50:
        customers.append(Customer.objects.create(org=org, name=f"B{len(customers)}").pk)
    stamp = int(time.time())
    rates = []
    for r in range(rounds):
        items = []
        for i in range(1000):
            # after the first round, every odd item updates an object the previous round created
            update = bool(i % 2 and r)
            ext = f"{stamp}-{r - 1}-{i - 1}" if update else f"{stamp}-{r}-{i}"
            items.append(
                {
                    "title": f"Order {ext}",
                    "externalId": ext,
                    "customer": str(customers[(i - update) % len(customers)]),
                    "data": {
                        "orderNumberStr": ext,
                        "totalNum": i + r,
                        "currencyStr": "USD",
                        "placedAt": "2026-11-01T10:00:00Z",
                        "paidBool": bool(i % 3),
                        "itemsObj": {"sku": "X", "qty": 1},
                    },
                }
            )
        events_before = Event.objects.count()
        start = time.perf_counter()
        results = services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
        elapsed = time.perf_counter() - start
        assert all(x["status"] in ("created", "updated") for x in results)
        assert Event.objects.count() - events_before == 1000
        rates.append(1000 / elapsed)
        print(
            f"round {r}: {sum(x['status'] == 'updated' for x in results)} updates, "
            f"{1000 / elapsed:,.0f} objects/s"
        )
    rates.sort()
    print(
        f"bulk upsert service, 1000 objects per call with events: median {rates[len(rates) // 2]:,.0f}"
        f" objects/s (target >= 5,000)"
    )


if __name__ == "__main__":
    main()
