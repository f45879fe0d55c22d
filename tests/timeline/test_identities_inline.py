"""Emails and phones edited inline on the customer panel, one a line: saved through the
customer service (types kept, new ones "other"), the page header follows, and a bad or taken
value is an error beside the field naming the line, nothing saved."""

import pytest

from customers.models import Identity
from customers.services import customer_create
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, _ = build(org, who, orders=False)
    client.force_login(who["sam"])
    return who, customer


def _post(client, customer, field, text):
    return client.post(
        f"/customers/{customer.pk}/identities/{field}/", {"value": text}, HTTP_HX_REQUEST="true"
    )


def test_the_edit_form_lists_one_a_line(client, desk):
    _, customer = desk
    html = client.get(f"/customers/{customer.pk}/identities/emails/?edit=1").content.decode()
    assert ">grace@example.com</textarea>" in html


def test_emails_are_saved_with_their_types_and_the_header_follows(client, org, desk):
    _, customer = desk

    response = _post(client, customer, "emails", "Grace.H@Navy.example\ngrace@example.com\n\n")

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.emails == [
        {"type": "other", "email": "grace.h@navy.example"},
        {"type": "home", "email": "grace@example.com"},
    ]
    assert set(
        Identity.objects.filter(customer=customer, kind="email").values_list("value", flat=True)
    ) == {"grace.h@navy.example", "grace@example.com"}
    html = response.content.decode()
    assert 'id="customer-sub" class="sub muted small" hx-swap-oob="true"' in html
    assert "grace<wbr>.h@<wbr>navy<wbr>.example" in html


def test_phones_are_normalised(client, desk):
    _, customer = desk
    response = _post(client, customer, "phones", "+1 415 555 0199")
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.phones == [{"type": "other", "phone": "+14155550199"}]


def test_a_bad_or_taken_address_is_refused_beside_the_field(client, org, desk):
    _, customer = desk
    customer_create(
        org=org, actor=None, data={"name": "Other", "emails": [{"email": "taken@example.com"}]}
    )

    response = _post(
        client, customer, "emails", "grace@example.com\nnot-an-email\ntaken@example.com"
    )

    assert response.status_code in (409, 422)
    html = response.content.decode()
    assert "not-an-email" in html and "is not a valid email address" in html
    customer.refresh_from_db()
    assert customer.emails == [{"type": "home", "email": "grace@example.com"}]


def test_another_orgs_customer_is_not_found(client, other_org, desk):
    other = customer_create(org=other_org, actor=None, data={"name": "Elsewhere"})
    assert client.get(f"/customers/{other.pk}/identities/emails/?edit=1").status_code == 404
    assert _post(client, other, "emails", "x@example.com").status_code == 404


def test_a_bad_line_is_named_by_its_line_in_peoples_words(client, desk):
    _, customer = desk

    response = _post(client, customer, "emails", "grace@example.com\nnot-an-email")

    assert response.status_code == 422
    html = response.content.decode()
    # the line, once (the message quotes the value already), and never the API's item key
    assert "Line 2: &#x27;not-an-email&#x27; is not a valid email address." in html
    assert "Item 2" not in html and " email:" not in html
