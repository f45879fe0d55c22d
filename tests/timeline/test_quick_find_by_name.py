"""Quick find jumps on a name as it does on an email, phone or externalId: to the customer when
only one is meant; otherwise the list, paginated, with an empty state."""

import re

import pytest

from customers.models import Customer
from tests.timeline.desk_data import build, people
from timeline import selectors_desk

pytestmark = pytest.mark.django_db


def listed(response):
    return len(re.findall(r'<a href="/customers/\d+/">', response.content.decode()))


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def grace(org, who):
    customer, _ = build(org, who, orders=False)
    return customer


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


@pytest.mark.parametrize("q", ["Grace Hopper", "grace hopper", "  Grace   Hopper ", "Hopper"])
def test_it_jumps_when_one_customer_has_the_name(sam, grace, q):
    response = sam.get("/customers/", {"q": q})
    assert response.status_code == 302 and response["Location"] == f"/customers/{grace.pk}/"


def test_an_exact_name_wins_over_longer_names(sam, org, grace):
    Customer.objects.create(org=org, name="Grace Hopperton")
    response = sam.get("/customers/", {"q": "grace hopper"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{grace.pk}/"
    html = sam.get("/customers/", {"q": "hopper"}).content.decode()
    assert "Grace Hopper<" in html and "Grace Hopperton" in html


def test_two_customers_with_the_name_get_the_list(sam, org, grace):
    Customer.objects.create(org=org, name="Grace Hopper")
    response = sam.get("/customers/", {"q": "Grace Hopper"})
    assert response.status_code == 200
    assert listed(response) == 2


def test_the_list_keeps_pagination_and_its_empty_state(sam, org, grace):
    Customer.objects.bulk_create([Customer(org=org, name=f"Grace {i}") for i in range(60)])
    response = sam.get("/customers/", {"q": "grace"})
    assert listed(response) == 50 and "Load more" in response.content.decode()
    # the Load more link's cursor (a search pages by rank, then id)
    link = re.search(r'hx-get="(/customers/\?q=grace&amp;before=[^"]+)"', response.content.decode())
    more = sam.get(link.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert more.status_code == 200  # a last page of eleven is still a page, not a jump
    assert listed(more) == 11
    assert "No customers found" in sam.get("/customers/", {"q": "nobody"}).content.decode()


def test_a_name_in_another_org_is_not_found(client, other_org, grace):
    from tests.factories import UserFactory

    client.force_login(UserFactory(org=other_org))
    response = client.get("/customers/", {"q": "Grace Hopper"})
    assert response.status_code == 200 and listed(response) == 0
    assert "No customers found" in response.content.decode()
    assert selectors_desk.quick_find(org=other_org, q="Grace Hopper") is None
