"""The search endpoint: page document, errors with pointers, scopes, isolation, query counts."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from kdesk.search import compile_search, search_cursor, search_page
from tests.customers.factories import CustomerFactory

URL = "/v1/customers/search"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def make_customers(org, n, **kw):
    rows = [
        Customer(
            org=org,
            name=f"Bulk {i}",
            updated_at=T0 + timedelta(minutes=i),
            created_at=T0,
            custom={"tierStr": ("gold", "silver")[i % 2]},
            **kw,
        )
        for i in range(n)
    ]
    return Customer.objects.bulk_create(rows)


def errors(response):
    assert response.status_code == 400, response.content
    return {e["source"]["pointer"]: e for e in response.json()["errors"]}


def test_page_document(api, org):
    make_customers(org, 5)
    response = api.post(URL + "?pageSize=2&page=2", {"queryContext": "customer"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["meta"] == {
        "page": 2,
        "pageSize": 2,
        "total": 5,
        "totalPages": 3,
        "totalExact": True,
    }
    assert doc["links"]["self"] == "/v1/customers/search?page=2&pageSize=2"
    assert doc["links"]["prev"] == "/v1/customers/search?page=1&pageSize=2"
    assert doc["links"]["next"] == "/v1/customers/search?page=3&pageSize=2"
    assert len(doc["data"]) == 2 and doc["data"][0]["type"] == "customer"
    assert "cursor" not in doc["meta"]  # not a sync search


def test_trailing_slash_gives_the_same_answer(api, org):
    make_customers(org, 3)
    body = {"queryContext": "customer", "and": [{"customer_custom_tierStr": {"equals": "gold"}}]}
    a = api.post(URL, body).json()
    b = api.post(URL + "/", body).json()
    assert a["data"] == b["data"] and a["meta"] == b["meta"]
    assert a["meta"]["total"] == 2


def test_a_null_sort_is_the_default_order_and_the_document_says_so(api, org):
    """sort: null (or []) is the order of a search without one: most recently updated first."""
    make_customers(org, 3)
    names = [
        [c["attributes"]["name"] for c in api.post(URL, body).json()["data"]]
        for body in (
            {"queryContext": "customer", "sort": None},
            {"queryContext": "customer", "sort": []},
            {"queryContext": "customer"},
        )
    ]
    assert names == [["Bulk 2", "Bulk 1", "Bulk 0"]] * 3
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    body = doc["paths"]["/v1/customers/search"]["post"]["requestBody"]
    name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][name]["properties"]["sort"]["type"] == ["array", "null"]


def test_page_size_defaults_to_100_and_is_clamped_to_500(api, org):
    make_customers(org, 520)
    doc = api.post(URL, {"queryContext": "customer"}).json()
    assert doc["meta"]["pageSize"] == 100 and len(doc["data"]) == 100
    doc = api.post(URL + "?pageSize=1000", {"queryContext": "customer"}).json()
    assert doc["meta"]["pageSize"] == 500 and len(doc["data"]) == 500
    assert doc["meta"]["totalPages"] == 2
    bad = api.post(URL + "?pageSize=0", {"queryContext": "customer"})
    assert "/pageSize" in errors(bad)


def test_the_count_stops_at_the_limit_but_never_hides_a_next_page(api, org, settings):
    settings.SEARCH_COUNT_LIMIT = 10
    make_customers(org, 25)
    doc = api.post(URL + "?pageSize=4", {"queryContext": "customer"}).json()
    assert doc["meta"]["total"] == 11 and doc["meta"]["totalExact"] is False
    assert doc["links"]["next"]
    # deeper than the limit: counted just past the requested page
    doc = api.post(URL + "?pageSize=4&page=4", {"queryContext": "customer"}).json()
    assert doc["meta"]["total"] == 17 and doc["meta"]["totalExact"] is False
    assert len(doc["data"]) == 4 and doc["links"]["next"]
    doc = api.post(URL + "?pageSize=4&page=7", {"queryContext": "customer"}).json()
    assert doc["meta"]["total"] == 25 and doc["meta"]["totalExact"] is True
    assert len(doc["data"]) == 1 and doc["links"]["next"] is None
    # walking the next links reaches every row
    seen, link = [], "/v1/customers/search?pageSize=4"
    while link:
        doc = api.post(link, {"queryContext": "customer"}).json()
        seen += [r["id"] for r in doc["data"]]
        link = doc["links"]["next"]
    assert len(seen) == len(set(seen)) == 25


def test_every_bad_criterion_is_reported_at_once(api, org):
    body = {
        "queryContext": "customer",
        "and": [
            {"customer_name": {"equals": "x"}},
            {"customer_updated_at": {"gte": "2024-01-01"}},
            {"customer_foo": {"equals": 1}},
            {"customer_tags": {"gt": "a"}},
        ],
        "or": [
            {"customer_updated_at": {"gte": "yesterday"}},
            {"customer_name": {"like": "x"}},
            {
                "and": [
                    {"customer_custom_tier": {"equals": "x"}},
                    {"conversation_status": {"equals": "open"}},
                ]
            },
            {"customer_custom_spendNum": {"gt": "lots"}},
            {"customer_custom_activeBool": {"gt": True}},
            "nonsense",
            {"customer_name": {"in": []}},
            {"customer_custom_renewsAt": {"lt": "soon"}},
        ],
        "sort": [{"customer_tags": "asc"}, {"customer_name": "up"}],
        "extra": 1,
    }
    found = errors(api.post(URL, body))
    assert set(found) == {
        "/and/2/customer_foo",
        "/and/3/customer_tags/gt",
        "/or/0/customer_updated_at/gte",
        "/or/1/customer_name/like",
        "/or/2/and/0/customer_custom_tier",
        "/or/2/and/1/conversation_status",
        "/or/3/customer_custom_spendNum/gt",
        "/or/4/customer_custom_activeBool/gt",
        "/or/5",
        "/or/6/customer_name/in",
        "/or/7/customer_custom_renewsAt/lt",
        "/sort/0/customer_tags",
        "/sort/1/customer_name",
        "/extra",
    }
    assert (
        "equals, not_equals, contains, starts_with" in found["/or/1/customer_name/like"]["detail"]
    )
    assert "customer_email" in found["/and/2/customer_foo"]["detail"]
    assert "queryContext is customer" in found["/or/2/and/1/conversation_status"]["detail"]
    assert "Str" in found["/or/2/and/0/customer_custom_tier"]["detail"]
    assert (
        "equals, not_equals, in, exists" in found["/or/4/customer_custom_activeBool/gt"]["detail"]
    )
    assert found["/or/0/customer_updated_at/gte"]["status"] == "400"


@pytest.mark.parametrize(
    ("body", "pointer", "text"),
    [
        (
            {"queryContext": "customers"},
            "/queryContext",
            "customer, company, conversation, message, note, kobject",
        ),
        ({}, "/queryContext", "customer, company"),
        ({"queryContext": "customer", "and": {"customer_name": {}}}, "/and", "list"),
        (
            {"queryContext": "customer", "and": [{"customer_name": "x"}]},
            "/and/0/customer_name",
            "operator",
        ),
        (
            {"queryContext": "customer", "and": [{"customer_phone": {"equals": "12"}}]},
            "/and/0/customer_phone/equals",
            "phone",
        ),
        (
            {"queryContext": "customer", "and": [{"customer_id": {"equals": 10**30}}]},
            "/and/0/customer_id/equals",
            "range",
        ),
        (
            {"queryContext": "customer", "and": [{"customer_name": {"equals": "a\x00b"}}]},
            "/and/0/customer_name/equals",
            "NUL",
        ),
        (
            {"queryContext": "customer", "and": [{"customer_custom_spendNum": {"in": [1, "x"]}}]},
            "/and/0/customer_custom_spendNum/in",
            "item 1",
        ),
        (
            {"queryContext": "customer", "and": [{"customer_name": {"exists": "yes"}}]},
            "/and/0/customer_name/exists",
            "true or false",
        ),
        (
            {"queryContext": "note", "and": [{"note_custom_xStr": {"equals": "a"}}]},
            "/and/0/note_custom_xStr",
            "Unknown field",
        ),
        ({"queryContext": "kobject", "klass": "nope"}, "/klass", "no Klass"),
        ({"queryContext": "customer", "klass": "order"}, "/klass", "kobject"),
    ],
)
def test_bad_bodies(api, org, body, pointer, text):
    found = errors(api.post(URL, body))
    assert pointer in found, found
    assert text in found[pointer]["detail"]


def test_body_must_be_an_object(api):
    response = api.post(URL, ["customer"])
    assert response.status_code == 400


def test_deep_nesting_is_refused(api):
    group = {"customer_name": {"equals": "x"}}
    for _ in range(12):
        group = {"and": [group]}
    response = api.post(URL, {"queryContext": "customer", "and": [group]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_deep"


def test_cross_org_isolation(api, other_api, org, other_org):
    mine = CustomerFactory(org=org, name="Same", custom={"tierStr": "gold"})
    theirs = CustomerFactory(org=other_org, name="Same", custom={"tierStr": "gold"})
    for body in (
        {"queryContext": "customer"},
        {"queryContext": "customer", "and": [{"customer_custom_tierStr": {"equals": "gold"}}]},
        {"queryContext": "customer", "and": [{"customer_id": {"equals": theirs.pk}}]},
        {"queryContext": "customer", "and": [{"customer_email": {"exists": True}}]},
    ):
        got = {r["id"] for r in api.post(URL, body).json()["data"]}
        assert str(theirs.pk) not in got
        got_other = {r["id"] for r in other_api.post(URL, body).json()["data"]}
        assert str(mine.pk) not in got_other
    # an email held in another org does not find this org's customers
    body = {
        "queryContext": "customer",
        "and": [{"customer_email": {"equals": theirs.emails[0]["email"]}}],
    }
    assert api.post(URL, body).json()["data"] == []


def test_cross_org_isolation_for_kobject_klass_names(api, other_org):
    from klasses.models import Klass, KObject

    theirs = Klass.objects.create(org=other_org, name="order", display_name="Order")
    KObject.objects.create(org=other_org, klass=theirs, title="Theirs")
    body = {"queryContext": "kobject", "and": [{"kobject_klass": {"equals": "order"}}]}
    assert api.post(URL, body).json()["data"] == []
    assert api.post(URL, {"queryContext": "kobject", "klass": "order"}).status_code == 400


@pytest.mark.parametrize(
    ("context", "scope"),
    [
        ("customer", "customer"),
        ("company", "company"),
        ("conversation", "conversation"),
        ("message", "message"),
        ("note", "note"),
        ("kobject", "kobject"),
    ],
)
def test_scopes(org, make_key, context, scope):
    from tests.factories import ApiClient

    _, without = make_key(
        org,
        scopes=["org.permission.customer.create"]
        if scope != "customer"
        else ["org.permission.company.read"],
    )
    response = ApiClient(without).post(URL, {"queryContext": context})
    assert response.status_code == 403
    assert f"org.permission.{scope}.read" in response.content.decode()
    _, with_read = make_key(org, scopes=[f"org.permission.{scope}.read"])
    assert ApiClient(with_read).post(URL, {"queryContext": context}).status_code == 200


def test_unauthenticated_is_refused(db):
    from django.test import Client

    response = Client().post(URL, data="{}", content_type="application/json")
    assert response.status_code in (401, 403)


def test_sessions_may_search(client, agent):
    client.force_login(agent)
    response = client.post(
        URL, data='{"queryContext": "customer"}', content_type="application/json"
    )
    assert response.status_code == 200


# ---- fixed query counts --------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 30])
def test_a_page_costs_two_queries(org, n, django_assert_num_queries):
    make_customers(org, n)
    body = {
        "queryContext": "customer",
        "and": [
            {"customer_custom_tierStr": {"in": ["gold", "silver"]}},
            {"customer_email": {"exists": False}},
        ],
        "sort": [{"customer_name": "asc"}],
    }
    plan = compile_search(org=org, body=body)
    with django_assert_num_queries(2):
        page = search_page(plan, page=1, size=100)
    assert page.total == n and len(page.data) == n


@pytest.mark.parametrize("n", [2, 30])
def test_kobject_page_costs_a_fixed_number_of_queries(org, n):
    from klasses.models import Klass, KObject

    klasses = [Klass.objects.create(org=org, name=f"k{i}", display_name=f"K{i}") for i in range(3)]
    KObject.objects.bulk_create(
        [KObject(org=org, klass=klasses[i % 3], title=f"T{i}", data={"nNum": i}) for i in range(n)]
    )
    with CaptureQueriesContext(connection) as ctx:
        plan = compile_search(
            org=org, body={"queryContext": "kobject", "and": [{"kobject_data_nNum": {"gte": 0}}]}
        )
        page = search_page(plan, page=1, size=100)
    assert len(ctx.captured_queries) == 2  # count + page (klass names joined in)
    assert {r["type"] for r in page.data} == {f"kobject.k{i}" for i in range(min(n, 3))}
    with CaptureQueriesContext(connection) as ctx:
        plan = compile_search(org=org, body={"queryContext": "kobject", "klass": "k1"})
        search_page(plan, page=1, size=100)
    assert len(ctx.captured_queries) == 3  # + the Klass named in the body


def test_a_cursor_page_costs_one_query(org, settings, django_assert_num_queries):
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    make_customers(org, 30)
    plan = compile_search(
        org=org, body={"queryContext": "customer", "sort": [{"customer_updated_at": "asc"}]}
    )
    with django_assert_num_queries(1):
        page = search_cursor(plan, cursor=None, size=10)
    with django_assert_num_queries(1):
        page = search_cursor(plan, cursor=page.next_cursor, size=10)
    assert page.rows == 10
