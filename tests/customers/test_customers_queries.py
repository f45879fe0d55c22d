"""Hot read paths cost a fixed number of queries, however many rows a page holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.customers.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOM = {"tierStr": "gold", "lifetimeValueNum": 3, "vipBool": True, "notesTxt": "x"}


def count(api, path):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def fill(org, n, company=None):
    for _ in range(n):
        CustomerFactory(org=org, company=company, custom=CUSTOM)
        CompanyFactory(org=org, custom=CUSTOM)


@pytest.fixture
def warm(api):
    api.get("/v1/users/current")  # the key's first use records its last-used time once
    return api


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers",
        "/v1/customers?sort=-updatedAt&updatedSince=2000-01-01T00:00:00Z",
        "/v1/customers?company=1",
        "/v1/customers?email=customer0@example.com",
        "/v1/companies?sort=name",
    ],
)
def test_list_pages_cost_the_same_at_2_and_30_rows(warm, org, path):
    fill(org, 2, CompanyFactory(org=org))
    small = count(warm, path)
    fill(org, 28, CompanyFactory(org=org))
    assert count(warm, path) == small


def test_a_list_page_is_count_plus_rows_with_a_cached_key(warm, org, django_assert_num_queries):
    fill(org, 30)
    with django_assert_num_queries(2):
        body = warm.get("/v1/customers?pageSize=30").json()
    assert len(body["data"]) == 30
    with django_assert_num_queries(2):
        warm.get("/v1/companies?pageSize=30")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers/email=lookup@example.com",
        "/v1/customers/phone=(415) 555-0100",
        "/v1/customers/externalId=ext-1",
    ],
)
def test_lookups_are_one_query_with_a_cached_key(warm, org, path, django_assert_num_queries):
    CustomerFactory(
        org=org,
        external_id="ext-1",
        emails=[{"type": "w", "email": "lookup@example.com"}],
        phones=[{"type": "m", "phone": "+14155550100"}],
    )
    with django_assert_num_queries(1):
        assert warm.get(path).status_code == 200
