"""The hot lookups (customer by email, phone and externalId; KObject by externalId) run through
their unique index whatever the planner's statistics say: checked with EXPLAIN on a freshly
migrated PostgreSQL database whose tables were never analyzed, and again after ANALYZE; and so
does the generic plan PostgreSQL may keep for them as prepared statements (kdesk/prepared.py),
which is planned without the values."""

import itertools
import json

import pytest
from django.db import connection, connections

from tests.fresh_postgres import fresh_postgres, manage, never_analyzed

TABLES = ("customers_customer", "customers_identity", "klasses_kobject")

SEED = """
from customers.models import Customer, Identity
from kdesk.models import Organization
from klasses.models import KObject
from klasses.services import klass_create
orgs = [Organization.objects.create(slug=f"plan{n}", name=f"Plan {n}") for n in range(2)]
for org in orgs:
    customers = Customer.objects.bulk_create(
        [Customer(org=org, name=f"C{i}", external_id=f"x{i}") for i in range(300)]
    )
    Identity.objects.bulk_create(
        [Identity(org=org, customer=c, kind="email", value=f"{c.name}@plan.io") for c in customers]
        + [Identity(org=org, customer=c, kind="phone", value=f"+1415555{i:04d}")
           for i, c in enumerate(customers)]
    )
    klass = klass_create(org=org, actor=None, data={"name": "order"})
    KObject.objects.bulk_create(
        [KObject(org=org, klass=klass, customer=customers[i % 300], external_id=f"o{i}",
                 title=f"Order {i}") for i in range(600)]
    )
print(orgs[1].pk, klass.pk)
"""


@pytest.fixture(scope="module")
def fresh_database(django_db_blocker):
    """A new database, migrated and filled without ever running ANALYZE; dropped afterwards."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL plans (the CI PostgreSQL leg runs it)")
        with fresh_postgres(tables=TABLES) as (conn, url):
            org_id, klass_id = map(int, manage(url, "shell", "-c", SEED).split()[-2:])
            yield conn, org_id, klass_id


def _indexes(plan):
    """Every (node type, index, table) in a JSON plan."""
    out = [(plan["Node Type"], plan.get("Index Name"), plan.get("Relation Name"))]
    for child in plan.get("Plans", []):
        out += _indexes(child)
    return out


def _explain(conn, sql, params):
    (row,) = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchall()
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return _indexes(plan[0]["Plan"])


def _lookups(org_id, klass_id):
    """(name, sql, params, the index the lookup must use) for each hot lookup, as the code
    runs it."""
    from customers import selectors
    from klasses import selectors as klass_selectors

    def prepared(query, **values):
        sql, slots, _, _ = query._compile(connections["default"])
        return sql, [values[s] if type(s).__name__ == "_Slot" else s for s in slots]

    email = prepared(selectors._BY_IDENTITY, org=org_id, kind="email", value="c7@plan.io")
    phone = prepared(selectors._BY_IDENTITY, org=org_id, kind="phone", value="+14155550007")
    external = prepared(selectors._BY_EXTERNAL_ID, org=org_id, external_id="x7")
    kobject = prepared(
        klass_selectors._BY_EXTERNAL_ID,
        org=org_id,
        name="order",
        resource="kobject.order",
        external_id="o7",
    )
    return [
        ("email", *email, {"identity_unique", "customers_customer_pkey"}),
        ("phone", *phone, {"identity_unique", "customers_customer_pkey"}),
        ("customer externalId", *external, {"customer_external_id_unique"}),
        # the Klass and its relationships are the org's few rows: how those small tables are
        # read may vary; the objects must be reached through their unique index
        ("kobject externalId", *kobject, {"kobject_external_unique"}),
    ]


SMALL_TABLES = {"klasses_klass", "klasses_relationship"}


_names = itertools.count()


def _explain_generic(conn, sql, params):
    """The plan of `sql` prepared, as PostgreSQL plans it once for every value (what it may
    switch to after a prepared statement's fifth run)."""
    import psycopg

    numbered = sql
    for n in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${n}", 1)
    assert "%s" not in numbered
    name = f"lookup_{next(_names)}"  # its own name: psycopg keeps statements of its own here
    conn.execute(f"PREPARE {name} AS {numbered}")
    conn.execute("SET plan_cache_mode = force_generic_plan")
    try:
        # EXECUTE takes no bound parameters: the values are written into it
        cursor = psycopg.ClientCursor(conn)
        placeholders = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({placeholders})", params)
        (row,) = cursor.fetchall()
    finally:
        conn.execute("RESET plan_cache_mode")
        conn.execute(f"DEALLOCATE {name}")
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return _indexes(plan[0]["Plan"])


def _check(conn, lookups, explain=_explain):
    for name, sql, params, expected in lookups:
        nodes = [n for n in explain(conn, sql, params) if n[2] not in SMALL_TABLES]
        used = {index for _, index, _ in nodes if index}
        assert used == expected, (name, nodes)
        assert not any(node == "Seq Scan" for node, _, _ in nodes), (name, nodes)


@pytest.mark.django_db
def test_it_uses_the_unique_indexes_before_any_analyze(fresh_database):
    conn, org_id, klass_id = fresh_database
    assert never_analyzed(conn, TABLES) == set(TABLES)
    _check(conn, _lookups(org_id, klass_id))
    _check(conn, _lookups(org_id, klass_id), explain=_explain_generic)


@pytest.mark.django_db
def test_it_uses_the_unique_indexes_after_analyze(fresh_database):
    conn, org_id, klass_id = fresh_database
    for table in TABLES:
        conn.execute(f"ANALYZE {table}")
    _check(conn, _lookups(org_id, klass_id))
    _check(conn, _lookups(org_id, klass_id), explain=_explain_generic)
