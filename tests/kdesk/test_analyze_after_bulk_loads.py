"""Bulk loads leave the planner real statistics on PostgreSQL: seed_demo analyzes what it
loaded, and the first bulk upsert into a never-analyzed table analyzes it after commit."""

import pytest
from django.db import connection

from tests.fresh_postgres import fresh_postgres, manage, never_analyzed

TABLES = ("customers_customer", "customers_identity", "klasses_kobject", "kdesk_event")

BULK = """
from kdesk.models import Organization
from klasses.models import Klass
from klasses.services import kobject_bulk
org = Organization.objects.create(slug="bulk", name="Bulk")
klass = Klass.objects.create(org=org, name="order", display_name="Order")
items = [{"title": f"Order {i}", "externalId": f"o{i}"} for i in range(1000)]
kobject_bulk(org=org, actor=None, klass=klass, items=items)
"""


@pytest.fixture
def fresh(django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("planner statistics are PostgreSQL's (the CI PostgreSQL leg runs it)")
        with fresh_postgres(tables=TABLES) as database:
            yield database


def test_seed_demo_analyzes_what_it_loaded(fresh):
    conn, url = fresh
    assert never_analyzed(conn, TABLES) == set(TABLES)
    manage(url, "seed_demo")
    assert never_analyzed(conn, TABLES) == set()
    (count,) = conn.execute(
        "SELECT reltuples FROM pg_class WHERE relname = 'customers_customer'"
    ).fetchone()
    assert count > 0


def test_a_bulk_upsert_analyzes_a_table_that_never_was(fresh):
    conn, url = fresh
    manage(url, "shell", "-c", BULK)
    assert never_analyzed(conn, ("klasses_kobject", "kdesk_event")) == set()
    (count,) = conn.execute(
        "SELECT reltuples FROM pg_class WHERE relname = 'klasses_kobject'"
    ).fetchone()
    assert count == 1000
    # tables the bulk upsert did not fill are left to autovacuum
    assert "customers_customer" in never_analyzed(conn, TABLES)


@pytest.mark.django_db
def test_it_checks_the_catalog_once_per_table_and_process(django_assert_num_queries):
    from kdesk import table_stats
    from klasses.models import KObject

    table_stats._known.discard(("default", KObject._meta.db_table))
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE klasses_kobject")
    with django_assert_num_queries(1 if postgres else 0):
        table_stats.analyze_if_never(KObject)  # it has statistics: no ANALYZE
    with django_assert_num_queries(0):
        table_stats.analyze_if_never(KObject)
