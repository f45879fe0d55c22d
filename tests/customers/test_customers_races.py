"""Concurrent writers on PostgreSQL: the unique constraints arbitrate, the loser gets the 409."""

import threading

import pytest
from django.db import connection, connections

from customers import services
from customers.models import Customer, Identity
from kdesk.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def race(n, fn):
    barrier = threading.Barrier(n)
    outcomes = []

    def worker(i):
        try:
            barrier.wait()
            outcomes.append(("ok", fn(i)))
        except Conflict as exc:
            outcomes.append(("conflict", exc))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(("error", exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL")


def test_concurrent_creates_with_one_phone_make_one_customer(org):
    outcomes = race(
        5,
        lambda i: services.customer_create(
            org=org,
            actor=None,
            data={"name": f"T{i}", "phones": [{"phone": f"+1 415 555 {2671}"}]},
        ),
    )
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict"] * 4 + ["ok"], outcomes
    conflict = next(exc for kind, exc in outcomes if kind == "conflict")
    assert conflict.errors[0].pointer == "/phones/0/phone"
    assert Customer.objects.count() == 1 and Identity.objects.count() == 1


def test_concurrent_upserts_by_external_id_make_one_customer(org):
    outcomes = race(
        5,
        lambda i: services.customer_upsert_by_external_id(
            org=org, actor=None, external_id="race-1", data={"name": f"T{i}"}
        ),
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(1 for _, (_, created) in outcomes if created) == 1
    assert Customer.objects.count() == 1
    assert Customer.objects.get().rev == 5
