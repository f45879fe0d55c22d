"""The read endpoints added for Kustomer compatibility cost a fixed number of queries whatever
the size: a company's customers, a conversation's history, the team list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code < 300, response.content
    return len(ctx.captured_queries)


def test_company_customers(api, django_assert_num_queries):
    def company(size):
        pk = api.post("/v1/companies", {"name": f"C{size}"}).json()["data"]["id"]
        for i in range(size):
            api.post("/v1/customers", {"name": f"P{i}", "company": pk})
        return pk

    small, big = company(1), company(30)
    n = count(lambda: api.get(f"/v1/companies/{small}/customers"))
    with django_assert_num_queries(n):
        assert len(api.get(f"/v1/companies/{big}/customers").json()["data"]) == 30


def test_conversation_history(api, django_assert_num_queries):
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]

    def conversation(changes):
        pk = api.post("/v1/conversations", {"customer": customer}).json()["data"]["id"]
        for i in range(changes):
            api.patch(f"/v1/conversations/{pk}", {"priority": 1 + i % 5})
        return pk

    small, big = conversation(1), conversation(40)
    n = count(lambda: api.get(f"/v1/conversations/{small}/history"))
    with django_assert_num_queries(n):
        assert len(api.get(f"/v1/conversations/{big}/history").json()["data"]) > 30


def test_teams(api, org, django_assert_num_queries):
    people = [UserFactory(org=org) for _ in range(20)]
    api.post("/v1/teams", {"name": "Small", "members": [people[0].pk]})
    n = count(lambda: api.get("/v1/teams"))
    for i in range(10):
        api.post("/v1/teams", {"name": f"T{i}", "members": [p.pk for p in people]})
    with django_assert_num_queries(n):
        assert len(api.get("/v1/teams").json()["data"]) == 11
