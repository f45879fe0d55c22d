"""Hot paths cost a fixed number of queries, whatever the size: a KObject get (however many
attributes), a timeline page (however many entries), a bulk call (however many items)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code < 300, response.content
    return len(ctx.captured_queries)


@pytest.fixture
def order(api):
    api.post("/v1/klasses", {"name": "order"})


def test_kobject_get(api, order, django_assert_num_queries):
    small = api.post("/v1/klasses/order", {"title": "S", "data": {"aStr": "x"}}).json()["data"]
    big_data = {f"attr{n}Str": "v" * 200 for n in range(200)}
    big = api.post("/v1/klasses/order", {"title": "B", "data": big_data}).json()["data"]
    n = count(lambda: api.get(f"/v1/klasses/order/{small['id']}"))
    with django_assert_num_queries(n):
        assert api.get(f"/v1/klasses/order/{big['id']}").status_code == 200


def _customer_with(api, entries):
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    conversation = None
    for n in range(entries):
        msg = api.post(
            f"/v1/customers/{customer}/messages",
            {"direction": "in", "channel": "email", "body": f"m{n}"},
        ).json()["data"]
        conversation = msg["relationships"]["conversation"]["data"]["id"]
        api.post(f"/v1/conversations/{conversation}/notes", {"body": f"n{n}"})
        api.post("/v1/klasses/order", {"title": f"O{n}", "customer": customer})
    return customer


def test_timeline_page(api, order, django_assert_num_queries):
    few, many = _customer_with(api, 2), _customer_with(api, 20)
    n = count(lambda: api.get(f"/v1/customers/{few}/timeline"))
    with django_assert_num_queries(n):
        doc = api.get(f"/v1/customers/{many}/timeline").json()
    assert len(doc["data"]) == 50
    with django_assert_num_queries(n):
        api.get(doc["links"]["next"])


def test_bulk(api, order, django_assert_num_queries):
    from kdesk import bulk

    def items(size, prefix):
        return [
            {"title": f"T{i}", "externalId": f"{prefix}-{i}", "data": {"totalNum": i}}
            for i in range(size)
        ]

    small, large = bulk.COPY_THRESHOLD + 5, bulk.COPY_THRESHOLD + 40
    api.post("/v1/klasses/order/bulk", items(1, "warm"))  # the attribute is defined once
    n = count(lambda: api.post("/v1/klasses/order/bulk", items(small, "a")))
    with django_assert_num_queries(n):
        assert api.post("/v1/klasses/order/bulk", items(large, "b")).status_code == 200
    # updating all of them again costs the same whatever the size
    n = count(lambda: api.post("/v1/klasses/order/bulk", items(small, "a")))
    with django_assert_num_queries(n):
        assert api.post("/v1/klasses/order/bulk", items(large, "b")).status_code == 200
