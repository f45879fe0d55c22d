"""A sync search's `links.next` is the `?cursor=` continuation: a client that simply follows
links.next sees every row, even while rows it already saw are updated (with `?page=N+1` the
rows behind it shift and one is skipped)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from customers.models import Customer

pytestmark = pytest.mark.django_db
BODY = {
    "queryContext": "customer",
    "and": [{"customer_updated_at": {"gte": "2020-01-01T00:00:00Z"}}],
    "sort": [{"customer_updated_at": "asc"}],
}


@pytest.fixture
def rows(org, settings):
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    made = Customer.objects.bulk_create(
        [Customer(org=org, name=f"C{i}", updated_at=t0 + timedelta(seconds=i)) for i in range(10)]
    )
    return [c.pk for c in made]


def test_following_links_next_loses_nothing_while_rows_change(api, rows):
    seen, url, pages = [], "/v1/customers/search?pageSize=3", 0
    while url:
        doc = api.post(url, BODY).json()
        seen += [int(r["id"]) for r in doc["data"]]
        if pages == 0:
            # a row already delivered changes: it moves to the end of the order
            Customer.objects.filter(pk=rows[0]).update(updated_at=timezone.now(), rev=F("rev") + 1)
        url = doc["links"]["next"]
        assert url is None or ("cursor=" in url and "page=" not in url.replace("pageSize", ""))
        pages += 1
        assert pages < 20
    assert set(rows) <= set(seen)
    assert seen.count(rows[0]) == 2  # again, with its new version


def test_links_next_is_null_when_caught_up(api, rows):
    doc = api.post("/v1/customers/search?pageSize=50", BODY).json()
    assert doc["links"]["next"] is None
    assert doc["meta"]["cursor"]["next"]
    doc = api.post("/v1/customers/search?pageSize=10", BODY).json()
    assert doc["links"]["next"] is None  # exactly one full page


def test_cursor_pages_have_first_and_prev(api, rows):
    first = api.post("/v1/customers/search?pageSize=3", BODY).json()
    doc = api.post(first["links"]["next"], BODY).json()
    assert doc["links"]["first"] == "/v1/customers/search?pageSize=3"
    assert doc["links"]["prev"] is None


def test_a_search_that_is_not_a_sync_pages_by_number(api, rows):
    body = {"queryContext": "customer", "sort": [{"customer_name": "asc"}]}
    doc = api.post("/v1/customers/search?pageSize=3", body).json()
    assert "page=2" in doc["links"]["next"]
