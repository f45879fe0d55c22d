"""PostgreSQL: the sync query and custom equals use indexes (skipped on SQLite)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from customers.models import Customer
from kdesk.search import compile_search
from kdesk.search.engine import _settled

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def rows(org, other_org):
    for o in (org, other_org):
        Customer.objects.bulk_create(
            [
                Customer(
                    org=o,
                    name=f"P{i}",
                    updated_at=T0 + timedelta(minutes=i),
                    custom={
                        "tierStr": "platinum"
                        if i % 400 == 0
                        else ("gold", "silver", "bronze", "iron")[i % 4]
                    },
                )
                for i in range(2000)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")


def plan_text(qs, force_index=True):
    with connection.cursor() as cursor:
        if force_index:
            cursor.execute("SET LOCAL enable_seqscan = off")
        text = qs.explain()
        cursor.execute("RESET enable_seqscan")
    return text


def test_sync_query_uses_the_updated_at_index(org, rows):
    body = {
        "queryContext": "customer",
        "and": [{"customer_updated_at": {"gte": "2024-01-01T10:00:00Z"}}],
        "sort": [{"customer_updated_at": "asc"}],
    }
    plan = compile_search(org=org, body=body)
    text = plan_text(_settled(plan)[:100])
    assert "customer_updated" in text, text
    assert "Seq Scan" not in text and "Sort" not in text.split("->")[0], text
    # the planner picks it unforced too: no sort, no seq scan for a page
    text = plan_text(_settled(plan)[:100], force_index=False)
    assert "customer_updated" in text and "Seq Scan" not in text, text


def test_custom_equals_uses_containment_and_the_gin_index(org, rows):
    body = {
        "queryContext": "customer",
        "and": [{"customer_custom_tierStr": {"equals": "platinum"}}],
    }
    plan = compile_search(org=org, body=body)
    sql = str(plan.queryset.query)
    assert "@>" in sql, sql
    # Which index the planner prefers for a tiny table depends on its statistics; what must
    # hold is that the containment predicate the search emits is served by the GIN index.
    text = plan_text(Customer.objects.filter(custom__contains={"tierStr": "platinum"}))
    assert "customers_customer_custom_gin" in text, text
    assert plan.queryset.count() == 5


def test_search_indexes_exist(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'kdesk_search_%' "
            "OR indexname IN ('customer_updated', 'customers_customer_custom_gin')"
        )
        names = {r[0] for r in cursor.fetchall()}
    assert {
        "customer_updated",
        "customers_customer_custom_gin",
        "kdesk_search_note_updated",
        "kdesk_search_conv_custom",
        "kdesk_search_msg_custom",
        "kdesk_search_kobject_custom",
        "kdesk_search_kobject_data",
    } <= names
