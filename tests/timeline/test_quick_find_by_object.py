"""Quick find on an object's id: an agent asked about order DO-011515 types the number and
lands on the customer the order belongs to (as typed or in capitals); another org's order, or
one that belongs to nobody, finds no one."""

import pytest

from customers.services import customer_create
from klasses import services as klasses
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


def _order(org, customer, number):
    klass = klasses.klass_create(
        org=org, actor=None, data={"name": "order", "displayName": "Order"}
    )
    data = {"title": f"Order {number}", "externalId": number}
    if customer is not None:
        data["customer"] = customer.pk
    return klasses.kobject_create(org=org, actor=None, klass=klass, data=data)


@pytest.fixture
def sam(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    grace, _ = build(org, who, orders=False)
    client.force_login(who["sam"])
    return client, grace


@pytest.mark.parametrize("q", ["DO-011515", "do-011515", " DO-011515 "])
def test_it_jumps_to_the_customer_an_order_belongs_to(sam, org, q):
    client, grace = sam
    _order(org, grace, "DO-011515")

    response = client.get("/customers/", {"q": q})

    assert response.status_code == 302 and response["Location"] == f"/customers/{grace.pk}/"


def test_another_orgs_order_finds_no_one(sam, other_org):
    client, _ = sam
    elsewhere = customer_create(org=other_org, actor=None, data={"name": "Elsewhere"})
    _order(other_org, elsewhere, "DO-777")

    response = client.get("/customers/", {"q": "DO-777"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "No customers found" in html and f"/customers/{elsewhere.pk}/" not in html
    assert "an order number, say" in html


def test_an_order_of_nobody_finds_no_one(sam, org):
    client, _ = sam
    _order(org, None, "DO-000")

    response = client.get("/customers/", {"q": "DO-000"})

    assert response.status_code == 200 and "No customers found" in response.content.decode()
