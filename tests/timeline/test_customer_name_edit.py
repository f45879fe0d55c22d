"""Editing the customer's name inline: an empty name is refused beside the field (nothing
saved), and a saved name reaches the page header and title in the same response."""

import pytest

from kdesk.models import Event
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, _ = build(org, who, orders=False)
    return who, customer


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_name_is_refused(client, org, desk, value):
    who, customer = desk
    client.force_login(who["sam"])
    events = Event.objects.filter(org=org).count()

    response = client.post(
        f"/customers/{customer.pk}/attributes/name/", {"value": value}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a name: it can&#x27;t be left empty." in html
    assert 'class="attr-form field has-error"' in html
    customer.refresh_from_db()
    assert customer.name == "Grace Hopper"
    assert Event.objects.filter(org=org).count() == events


def test_a_new_name_updates_the_header_too(client, desk):
    who, customer = desk
    client.force_login(who["sam"])

    response = client.post(
        f"/customers/{customer.pk}/attributes/name/",
        {"value": "Grace B. Hopper"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="customer-name" hx-swap-oob="true">Grace B. Hopper</h1>' in html
    assert "<title>Grace B. Hopper · kdesk</title>" in html
    assert 'id="customer-avatar"' in html
    customer.refresh_from_db()
    assert customer.name == "Grace B. Hopper"
