"""Every operator on every attribute type, for each queryContext (engine + API)."""

from datetime import UTC, datetime, timedelta

import pytest

from customers.models import Company, Customer
from tests.conversations.factories import ConversationFactory, MessageFactory, NoteFactory
from tests.customers.factories import CompanyFactory, CustomerFactory
from tests.factories import TeamFactory, UserFactory

URL = "/v1/customers/search"
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def search(api, body, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.post(URL + (f"?{query}" if query else ""), body)
    assert response.status_code == 200, response.content
    return response.json()


def ids(doc):
    return {r["id"] for r in doc["data"]}


@pytest.fixture
def people(org):
    company = CompanyFactory(org=org, name="Analytical Engines")
    c1 = CustomerFactory(
        org=org,
        name="Ada Lovelace",
        external_id="ext-1",
        emails=[{"type": "work", "email": "ada@x.io"}],
        phones=[{"type": "mobile", "phone": "+14155550123"}],
        tags=["vip", "beta"],
        locale="en-GB",
        company=company,
        created_at=T0,
        updated_at=T0,
        custom={
            "tierStr": "gold",
            "spendNum": 150.5,
            "renewsAt": "2024-06-01T00:00:00.000Z",
            "activeBool": True,
            "prefsObj": {"a": 1},
            "accountId": "A-1",
        },
    )
    c2 = CustomerFactory(
        org=org,
        name="Grace Hopper",
        external_id="ext-2",
        emails=[{"type": "work", "email": "grace@y.io"}],
        tags=["beta"],
        created_at=T0 + timedelta(days=1),
        updated_at=T0 + timedelta(days=1),
        custom={
            "tierStr": "silver",
            "spendNum": 20,
            "renewsAt": "2023-01-15T10:00:00.000Z",
            "activeBool": False,
            "accountId": "42",
        },
    )
    c3 = CustomerFactory(
        org=org,
        name="Alan Turing",
        emails=[],
        created_at=T0 + timedelta(days=2),
        updated_at=T0 + timedelta(days=2),
        custom={"tierStr": "Gold Plus", "spendNum": 1000, "renewsAt": None},
    )
    c4 = CustomerFactory(
        org=org,
        name="",
        emails=[],
        created_at=T0 + timedelta(days=3),
        updated_at=T0 + timedelta(days=3),
        last_activity_at=T0,
        custom={},
    )
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "company": company}


def names(people, *keys):
    return {str(people[k].pk) for k in keys}


CUSTOMER_CASES = [
    # text
    ("customer_name", "equals", "Ada Lovelace", ["c1"]),
    ("customer_name", "not_equals", "Ada Lovelace", ["c2", "c3", "c4"]),
    ("customer_name", "contains", "LOVE", ["c1"]),
    ("customer_name", "starts_with", "al", ["c3"]),
    ("customer_name", "gt", "B", ["c2"]),
    ("customer_name", "gte", "Grace Hopper", ["c2"]),
    ("customer_name", "lt", "Alan Turing", ["c1", "c4"]),
    ("customer_name", "lte", "Alan Turing", ["c1", "c3", "c4"]),
    ("customer_name", "in", ["Alan Turing", "Nobody"], ["c3"]),
    ("customer_name", "exists", True, ["c1", "c2", "c3"]),
    ("customer_name", "exists", False, ["c4"]),
    # nullable text
    ("customer_external_id", "equals", "ext-1", ["c1"]),
    ("customer_external_id", "not_equals", "ext-1", ["c2", "c3", "c4"]),
    ("customer_external_id", "exists", False, ["c3", "c4"]),
    ("customer_external_id", "in", ["ext-2", "ext-9"], ["c2"]),
    ("customer_external_id", "starts_with", "EXT", ["c1", "c2"]),
    ("customer_locale", "equals", "en-GB", ["c1"]),
    # datetime
    ("customer_created_at", "equals", "2024-03-01T12:00:00Z", ["c1"]),
    ("customer_created_at", "not_equals", "2024-03-01T12:00:00.000Z", ["c2", "c3", "c4"]),
    ("customer_created_at", "gt", "2024-03-02T12:00:00Z", ["c3", "c4"]),
    ("customer_created_at", "gte", "2024-03-02T12:00:00Z", ["c2", "c3", "c4"]),
    ("customer_created_at", "lt", "2024-03-02T13:00:00+01:00", ["c1"]),
    ("customer_created_at", "lte", "2024-03-02T13:00:00+01:00", ["c1", "c2"]),
    ("customer_updated_at", "gte", "2024-03-04", ["c4"]),
    ("customer_updated_at", "in", ["2024-03-01T12:00:00Z", "2024-03-04T12:00:00Z"], ["c1", "c4"]),
    ("customer_last_activity_at", "exists", True, ["c4"]),
    ("customer_last_activity_at", "exists", False, ["c1", "c2", "c3"]),
    # arrays
    ("customer_tags", "contains", "vip", ["c1"]),
    ("customer_tags", "equals", "beta", ["c1", "c2"]),
    ("customer_tags", "not_equals", "beta", ["c3", "c4"]),
    ("customer_tags", "in", ["vip", "nope"], ["c1"]),
    ("customer_tags", "exists", True, ["c1", "c2"]),
    ("customer_tags", "exists", False, ["c3", "c4"]),
    # identities
    ("customer_email", "equals", "ADA@x.io", ["c1"]),
    ("customer_email", "not_equals", "ada@x.io", ["c2", "c3", "c4"]),
    ("customer_email", "contains", "@Y.", ["c2"]),
    ("customer_email", "starts_with", "gr", ["c2"]),
    ("customer_email", "in", ["grace@y.io", "nobody@z.io"], ["c2"]),
    ("customer_email", "exists", True, ["c1", "c2"]),
    ("customer_email", "exists", False, ["c3", "c4"]),
    ("customer_phone", "equals", "(415) 555-0123", ["c1"]),
    ("customer_phone", "equals", "+1 415 555 0123", ["c1"]),
    ("customer_phone", "contains", "5550", ["c1"]),
    ("customer_phone", "exists", False, ["c2", "c3", "c4"]),
    # custom Str
    ("customer_custom_tierStr", "equals", "gold", ["c1"]),
    ("customer_custom_tierStr", "not_equals", "gold", ["c2", "c3", "c4"]),
    ("customer_custom_tierStr", "contains", "GOLD", ["c1", "c3"]),
    ("customer_custom_tierStr", "starts_with", "gold", ["c1", "c3"]),
    ("customer_custom_tierStr", "gt", "h", ["c2"]),
    ("customer_custom_tierStr", "lt", "h", ["c1", "c3"]),
    ("customer_custom_tierStr", "in", ["silver", "gold"], ["c1", "c2"]),
    ("customer_custom_tierStr", "exists", True, ["c1", "c2", "c3"]),
    ("customer_custom_tierStr", "exists", False, ["c4"]),
    # custom Id (strings; integers accepted)
    ("customer_custom_accountId", "equals", 42, ["c2"]),
    ("customer_custom_accountId", "equals", "A-1", ["c1"]),
    # custom Num: numeric, not lexicographic
    ("customer_custom_spendNum", "equals", 20, ["c2"]),
    ("customer_custom_spendNum", "equals", "20", ["c2"]),
    ("customer_custom_spendNum", "equals", 150.5, ["c1"]),
    ("customer_custom_spendNum", "not_equals", 20, ["c1", "c3", "c4"]),
    ("customer_custom_spendNum", "gt", 100, ["c1", "c3"]),
    ("customer_custom_spendNum", "gte", 150.5, ["c1", "c3"]),
    ("customer_custom_spendNum", "lt", 150.5, ["c2"]),
    ("customer_custom_spendNum", "lte", 20, ["c2"]),
    ("customer_custom_spendNum", "in", [20, 1000], ["c2", "c3"]),
    ("customer_custom_spendNum", "exists", False, ["c4"]),
    # custom At: normalised to UTC before comparing
    ("customer_custom_renewsAt", "equals", "2024-06-01", ["c1"]),
    ("customer_custom_renewsAt", "equals", "2024-06-01T02:00:00+02:00", ["c1"]),
    ("customer_custom_renewsAt", "not_equals", "2024-06-01", ["c2", "c3", "c4"]),
    ("customer_custom_renewsAt", "gt", "2023-06-01T00:00:00+02:00", ["c1"]),
    ("customer_custom_renewsAt", "lt", "2024-01-01", ["c2"]),
    ("customer_custom_renewsAt", "gte", "2023-01-15T10:00:00Z", ["c1", "c2"]),
    ("customer_custom_renewsAt", "lte", "2023-01-15T11:00:00+01:00", ["c2"]),
    ("customer_custom_renewsAt", "in", ["2023-01-15T10:00:00Z"], ["c2"]),
    ("customer_custom_renewsAt", "exists", True, ["c1", "c2"]),
    ("customer_custom_renewsAt", "exists", False, ["c3", "c4"]),
    # custom Bool
    ("customer_custom_activeBool", "equals", True, ["c1"]),
    ("customer_custom_activeBool", "equals", False, ["c2"]),
    ("customer_custom_activeBool", "not_equals", True, ["c2", "c3", "c4"]),
    ("customer_custom_activeBool", "in", [True, False], ["c1", "c2"]),
    ("customer_custom_activeBool", "exists", False, ["c3", "c4"]),
    # custom Obj
    ("customer_custom_prefsObj", "equals", {"a": 1}, ["c1"]),
    ("customer_custom_prefsObj", "not_equals", {"a": 1}, ["c2", "c3", "c4"]),
    ("customer_custom_prefsObj", "exists", True, ["c1"]),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CUSTOMER_CASES)
def test_customer_operators(api, people, field, op, value, expected):
    doc = search(api, {"queryContext": "customer", "and": [{field: {op: value}}]})
    assert ids(doc) == names(people, *expected), (field, op, value)


def test_int_and_relation_fields(api, people):
    c1, c2, company = people["c1"], people["c2"], people["company"]
    cases = [
        ({"customer_id": {"equals": str(c2.pk)}}, ["c2"]),
        ({"customer_id": {"gt": c2.pk}}, ["c3", "c4"]),
        ({"customer_id": {"in": [c1.pk, str(people["c3"].pk)]}}, ["c1", "c3"]),
        ({"customer_company_id": {"equals": company.pk}}, ["c1"]),
        ({"customer_company": {"equals": str(company.pk)}}, ["c1"]),
        ({"customer_company_id": {"exists": False}}, ["c2", "c3", "c4"]),
        ({"customer_company_id": {"not_equals": company.pk}}, ["c2", "c3", "c4"]),
        ({"customer_rev": {"gte": 1}}, ["c1", "c2", "c3", "c4"]),
        ({"customer_rev": {"lt": 1}}, []),
    ]
    for criterion, expected in cases:
        doc = search(api, {"queryContext": "customer", "and": [criterion]})
        assert ids(doc) == names(people, *expected), criterion


def test_several_ops_in_one_criterion_are_a_range(api, people):
    doc = search(
        api,
        {
            "queryContext": "customer",
            "and": [{"customer_custom_spendNum": {"gt": 10, "lt": 200}}],
        },
    )
    assert ids(doc) == names(people, "c1", "c2")


def test_non_numeric_value_in_a_num_attribute_never_errors(api, people, org):
    odd = CustomerFactory(org=org, name="Odd", emails=[], custom={"spendNum": "lots"})
    doc = search(
        api, {"queryContext": "customer", "and": [{"customer_custom_spendNum": {"gt": 0}}]}
    )
    assert str(odd.pk) not in ids(doc)
    assert ids(doc) == names(people, "c1", "c2", "c3")


def test_nested_groups(api, people):
    body = {
        "queryContext": "customer",
        "and": [
            {
                "or": [
                    {"customer_custom_tierStr": {"equals": "gold"}},
                    {"customer_custom_tierStr": {"equals": "silver"}},
                    {
                        "and": [
                            {"customer_name": {"starts_with": "alan"}},
                            {"customer_tags": {"exists": False}},
                        ]
                    },
                ]
            },
            {"customer_custom_spendNum": {"lt": 500}},
        ],
    }
    assert ids(search(api, body)) == names(people, "c1", "c2")
    # top-level and + or: both must hold
    body = {
        "queryContext": "customer",
        "and": [{"customer_tags": {"contains": "beta"}}],
        "or": [{"customer_name": {"contains": "grace"}}, {"customer_name": {"contains": "alan"}}],
    }
    assert ids(search(api, body)) == names(people, "c2")
    # only or
    body = {
        "queryContext": "customer",
        "or": [
            {"customer_email": {"equals": "ada@x.io"}},
            {"customer_custom_spendNum": {"gte": 1000}},
        ],
    }
    assert ids(search(api, body)) == names(people, "c1", "c3")
    # empty groups constrain nothing; two fields in one entry both hold
    body = {
        "queryContext": "customer",
        "and": [
            {"or": []},
            {
                "customer_tags": {"contains": "beta"},
                "customer_custom_activeBool": {"equals": False},
            },
        ],
    }
    assert ids(search(api, body)) == names(people, "c2")


def test_sorting(api, people):
    doc = search(api, {"queryContext": "customer", "sort": [{"customer_custom_spendNum": "desc"}]})
    order = [r["id"] for r in doc["data"]]
    p = people
    assert order == [str(p["c3"].pk), str(p["c1"].pk), str(p["c2"].pk), str(p["c4"].pk)]
    doc = search(api, {"queryContext": "customer", "sort": [{"customer_name": "asc"}]})
    assert [r["attributes"]["name"] for r in doc["data"]] == [
        "",
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
    ]
    doc = search(api, {"queryContext": "customer", "sort": [{"customer_custom_renewsAt": "asc"}]})
    assert [r["id"] for r in doc["data"]][:2] == [str(p["c2"].pk), str(p["c1"].pk)]
    # default: most recently updated first
    doc = search(api, {"queryContext": "customer"})
    assert [r["id"] for r in doc["data"]][0] == str(p["c4"].pk)


# ---- the other queryContexts -------------------------------------------------------------


def test_company_context(api, org):
    a = CompanyFactory(
        org=org, name="Acme Rockets", domains=["acme.io"], tags=["space"], custom={"sizeNum": 50}
    )
    b = CompanyFactory(org=org, name="Globex", domains=["globex.com"], custom={"sizeNum": 5})
    assert ids(
        search(api, {"queryContext": "company", "and": [{"company_name": {"contains": "rocket"}}]})
    ) == {str(a.pk)}
    assert ids(
        search(
            api,
            {"queryContext": "company", "and": [{"company_domains": {"contains": "globex.com"}}]},
        )
    ) == {str(b.pk)}
    assert ids(
        search(api, {"queryContext": "company", "and": [{"company_custom_sizeNum": {"gte": 10}}]})
    ) == {str(a.pk)}
    doc = search(api, {"queryContext": "company", "and": [{"company_tags": {"exists": True}}]})
    assert doc["data"][0]["type"] == "company"
    assert ids(doc) == {str(a.pk)}
    assert Company.objects.count() == 2


def test_conversation_context(api, org):
    sam = UserFactory(org=org, username="sam2")
    team = TeamFactory(org=org)
    open_ = ConversationFactory(
        org=org,
        status="open",
        assigned_user=sam,
        tags=["refund"],
        custom={"orderNum": 7},
        priority=1,
    )
    done = ConversationFactory(org=org, status="done", assigned_team=team, channels=["email"])
    cases = [
        ({"conversation_status": {"equals": "done"}}, [done]),
        ({"conversation_status": {"in": ["open", "snoozed"]}}, [open_]),
        ({"conversation_assigned_user": {"equals": str(sam.pk)}}, [open_]),
        ({"conversation_assigned_user_id": {"exists": False}}, [done]),
        ({"conversation_assigned_team": {"equals": team.pk}}, [done]),
        ({"conversation_customer_id": {"equals": str(open_.customer_id)}}, [open_]),
        ({"conversation_tags": {"contains": "refund"}}, [open_]),
        ({"conversation_channels": {"contains": "email"}}, [done]),
        ({"conversation_custom_orderNum": {"equals": 7}}, [open_]),
        ({"conversation_priority": {"lte": 1}}, [open_]),
        ({"conversation_name": {"contains": "order"}}, [open_, done]),
    ]
    for criterion, expected in cases:
        doc = search(api, {"queryContext": "conversation", "and": [criterion]})
        assert ids(doc) == {str(c.pk) for c in expected}, criterion
    assert doc["data"][0]["type"] == "conversation"


def test_message_context(api, org):
    conv = ConversationFactory(org=org)
    inbound = MessageFactory(
        conversation=conv, direction="in", channel="email", body="Where is my parcel?"
    )
    outbound = MessageFactory(
        conversation=conv, direction="out", channel="sms", body="On its way", custom={"csatNum": 5}
    )
    cases = [
        ({"message_direction": {"equals": "out"}}, [outbound]),
        ({"message_channel": {"in": ["email"]}}, [inbound]),
        ({"message_body": {"contains": "PARCEL"}}, [inbound]),
        ({"message_conversation_id": {"equals": conv.pk}}, [inbound, outbound]),
        ({"message_customer_id": {"equals": conv.customer_id}}, [inbound, outbound]),
        ({"message_custom_csatNum": {"gt": 4}}, [outbound]),
    ]
    for criterion, expected in cases:
        doc = search(api, {"queryContext": "message", "and": [criterion]})
        assert ids(doc) == {str(m.pk) for m in expected}, criterion
    assert doc["data"][0]["type"] == "message"


def test_note_context(api, org):
    conv = ConversationFactory(org=org)
    lee = UserFactory(org=org, username="lee2")
    n1 = NoteFactory(
        conversation=conv, body="Refund approved by @lee2", mentioned_user_ids=[lee.pk]
    )
    n2 = NoteFactory(conversation=conv, body="Waiting on the carrier")
    cases = [
        ({"note_body": {"contains": "refund"}}, [n1]),
        ({"note_mentioned_user_ids": {"contains": lee.pk}}, [n1]),
        ({"note_mentioned_user_ids": {"exists": False}}, [n2]),
        ({"note_author_id": {"equals": n2.author_id}}, [n2]),
        ({"note_conversation": {"equals": conv.pk}}, [n1, n2]),
    ]
    for criterion, expected in cases:
        doc = search(api, {"queryContext": "note", "and": [criterion]})
        assert ids(doc) == {str(n.pk) for n in expected}, criterion
    assert doc["data"][0]["type"] == "note"


@pytest.fixture
def kobjects(org):
    from klasses.models import Klass, KObject

    order = Klass.objects.create(org=org, name="order", display_name="Order")
    sub = Klass.objects.create(org=org, name="subscription", display_name="Subscription")
    customer = CustomerFactory(org=org, emails=[])
    o1 = KObject.objects.create(
        org=org,
        klass=order,
        customer=customer,
        external_id="o-1",
        title="Order #1",
        data={"totalNum": 120, "placedAt": "2024-02-01T10:00:00.000Z", "paidBool": True},
        custom={"channelStr": "web"},
    )
    o2 = KObject.objects.create(
        org=org,
        klass=order,
        external_id="o-2",
        title="Order #2",
        data={"totalNum": 15.5, "paidBool": False},
        tags=["gift"],
    )
    s1 = KObject.objects.create(org=org, klass=sub, title="Monthly plan", data={"totalNum": 9})
    return {"o1": o1, "o2": o2, "s1": s1, "customer": customer}


def test_kobject_context(api, kobjects):
    k = kobjects
    cases = [
        ({"kobject_klass": {"equals": "order"}}, ["o1", "o2"]),
        ({"kobject_klass": {"not_equals": "order"}}, ["s1"]),
        ({"kobject_klass": {"in": ["subscription"]}}, ["s1"]),
        ({"kobject_external_id": {"equals": "o-2"}}, ["o2"]),
        ({"kobject_title": {"contains": "plan"}}, ["s1"]),
        ({"kobject_customer_id": {"equals": str(k["customer"].pk)}}, ["o1"]),
        ({"kobject_data_totalNum": {"gt": 10}}, ["o1", "o2"]),
        ({"kobject_data_totalNum": {"equals": 15.5}}, ["o2"]),
        ({"kobject_data_placedAt": {"gte": "2024-01-01"}}, ["o1"]),
        ({"kobject_data_paidBool": {"equals": False}}, ["o2"]),
        ({"kobject_custom_channelStr": {"equals": "web"}}, ["o1"]),
        ({"kobject_tags": {"contains": "gift"}}, ["o2"]),
    ]
    for criterion, expected in cases:
        doc = search(api, {"queryContext": "kobject", "and": [criterion]})
        assert ids(doc) == {str(k[n].pk) for n in expected}, criterion
    doc = search(
        api,
        {"queryContext": "kobject", "klass": "order", "sort": [{"kobject_data_totalNum": "asc"}]},
    )
    assert [r["id"] for r in doc["data"]] == [str(k["o2"].pk), str(k["o1"].pk)]
    assert doc["data"][0]["type"] == "kobject.order"
    assert doc["data"][0]["links"]["self"] == f"/v1/klasses/order/{k['o2'].pk}"
    doc = search(api, {"queryContext": "kobject", "sort": [{"kobject_klass": "desc"}]})
    assert doc["data"][0]["type"] == "kobject.subscription"


def test_representations_match_the_resource_endpoints(api, people):
    c1 = people["c1"]
    doc = search(api, {"queryContext": "customer", "and": [{"customer_id": {"equals": c1.pk}}]})
    direct = api.get(f"/v1/customers/{c1.pk}").json()["data"]
    assert doc["data"] == [direct]
    assert Customer.objects.filter(pk=c1.pk).exists()
