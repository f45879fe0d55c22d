"""The desk's customer search: accents and case ignored, every word in any order, emails'
domains, ranked (the name itself first), paged, one query per page whatever the query."""

import re

import pytest

from customers.selectors import customers_text_search
from customers.services import customer_create
from kdesk.search.text import fold, words
from timeline.selectors_desk import CUSTOMER_LIST_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, other_org, admin_user):
    def make(name, email=None, external_id=None, target=org):
        data = {"name": name}
        if email:
            data["emails"] = [{"email": email}]
        if external_id:
            data["externalId"] = external_id
        return customer_create(org=target, actor=None, data=data)

    made = {
        "fernandez": make("María Fernández", "maria@mail.example.com"),
        "tanaka": make("Ken Tanaka", "ken@tanaka.jp"),
        "kenji": make("Kenji Watanabe", "kenji@mail.example.com"),
        "oster": make("Søren Øster", external_id="CUS-77"),
        "other": make("Ken Tanaka", "ken@tanaka.jp", target=other_org),
    }
    return made


def names(org, q, **kw):
    rows, _ = customers_text_search(org=org, q=q, fields=CUSTOMER_LIST_FIELDS, **kw)
    return [r["name"] for r in rows]


def test_fold_and_words():
    assert fold("Fernández ØSTER straße") == "fernandez oster strasse"
    assert words("  Tanaka   KEN tanaka ") == ["tanaka", "ken"]


@pytest.mark.parametrize(
    "q,expected",
    [
        ("Fernandez", ["María Fernández"]),
        ("FERNÁNDEZ", ["María Fernández"]),
        ("maria fernandez", ["María Fernández"]),
        ("Tanaka Ken", ["Ken Tanaka"]),
        ("ken tanaka", ["Ken Tanaka"]),
        ("oster soren", ["Søren Øster"]),
        ("CUS-77", ["Søren Øster"]),
        ("cus-77", []),
        ("tanaka.jp", ["Ken Tanaka"]),
        ("nobody", []),
    ],
)
def test_it_matches_words_in_any_order_without_accents(org, people, q, expected):
    assert names(org, q) == expected


def test_a_domain_finds_everyone_at_it(org, people):
    assert sorted(names(org, "mail.example")) == ["Kenji Watanabe", "María Fernández"]


def test_the_name_itself_ranks_first(org, people):
    # "ken" is in both names; the one whose name starts with it ranks above the other.
    assert names(org, "ken") == ["Ken Tanaka", "Kenji Watanabe"]
    assert names(org, "Kenji Watanabe") == ["Kenji Watanabe"]


def test_it_pages_by_rank_then_id(org, admin_user):
    for i in range(5):
        customer_create(org=org, actor=None, data={"name": f"Zoë Müller {i}"})
    customer_create(org=org, actor=None, data={"name": "Zoe Muller"})
    seen, after = [], None
    while True:
        rows, after = customers_text_search(
            org=org, q="zoe muller", fields=CUSTOMER_LIST_FIELDS, after=after, limit=2
        )
        seen += [r["name"] for r in rows]
        if after is None:
            break
    assert seen[0] == "Zoe Muller"
    assert sorted(seen[1:]) == [f"Zoë Müller {i}" for i in range(5)] and len(seen) == 6


@pytest.mark.parametrize("q", ["ken", "tanaka ken", "maria fernandez mail.example"])
def test_a_page_is_one_query(org, people, q, django_assert_num_queries):
    with django_assert_num_queries(1):
        customers_text_search(org=org, q=q, fields=CUSTOMER_LIST_FIELDS)


def test_the_customers_page_uses_it(client, org, people, admin_user):
    client.force_login(admin_user)
    # one match: straight to that customer
    response = client.get("/customers/?q=Fernandez")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{people['fernandez'].pk}/"
    html = client.get("/customers/?q=mail.example").content.decode()
    assert re.findall(r'<a href="/customers/\d+/">([^<]+)</a>', html) == [
        "Kenji Watanabe",
        "María Fernández",
    ] or re.findall(r'<a href="/customers/\d+/">([^<]+)</a>', html) == [
        "María Fernández",
        "Kenji Watanabe",
    ]
