"""A new customer from the desk: created through the service (one event) and opened; bad or
taken values come back beside their fields with what was typed, nothing created."""

import pytest

from customers.models import Customer
from customers.services import customer_create
from kdesk.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(client, agent):
    client.force_login(agent)
    return client


def test_the_list_offers_it(sam):
    assert 'href="/customers/new/"' in sam.get("/customers/").content.decode()


def test_it_creates_and_opens_the_customer(sam, org):
    response = sam.post(
        "/customers/new/",
        {"name": "Ken Tanaka", "email": "Ken@Mail.example", "phone": "+81 3 1234 5678"},
    )
    customer = Customer.objects.get(org=org, name="Ken Tanaka")
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.emails == [{"type": "other", "email": "ken@mail.example"}]
    assert customer.phones[0]["phone"].startswith("+81")
    assert Event.objects.filter(org=org, type="customer.create").count() == 1


def test_errors_are_shown_beside_the_fields(sam, org):
    customer_create(org=org, actor=None, data={"name": "A", "externalId": "cus-1"})

    response = sam.post("/customers/new/", {"name": "", "email": "nope", "externalId": "cus-1"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a name" in html
    assert Customer.objects.filter(org=org).count() == 1

    response = sam.post("/customers/new/", {"name": "Ken", "email": "nope", "externalId": "cus-1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="new-email-error"' in html and "is not a valid email address" in html
    assert 'value="nope"' in html
    assert "externalId" not in html.replace('name="externalId"', "").replace(
        'id="new-externalId', ""
    ).replace('for="new-externalId', "").replace("new-externalId-error", "")
    assert Customer.objects.filter(org=org).count() == 1


def test_a_taken_external_id_is_named_beside_its_field(sam, org):
    customer_create(org=org, actor=None, data={"name": "A", "externalId": "cus-1"})
    response = sam.post("/customers/new/", {"name": "Ken", "externalId": "cus-1"})
    assert response.status_code == 422
    html = response.content.decode()
    error = html.split('id="new-externalId-error"')[1].split("</div></div>")[0]
    assert "External id &#x27;cus-1&#x27; already belongs to customer" in error


def _error_beside(html, key):
    return html.split(f'id="new-{key}-error"')[1].split("</div></div>")[0]


def test_a_taken_email_is_named_on_the_first_submit_without_a_name(sam, org):
    """Every problem at once: the agent who left the name empty learns on the same submit that
    the email is someone else's, not only after filling the name in."""
    owner = customer_create(
        org=org, actor=None, data={"name": "Ada Lovelace", "emails": [{"email": "a@x.io"}]}
    )

    response = sam.post("/customers/new/", {"name": "", "email": "a@x.io"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a name" in _error_beside(html, "name")
    taken = f"a@x.io already belongs to customer {owner.pk} (Ada Lovelace)."
    assert taken in _error_beside(html, "email")
    assert 'value="a@x.io"' in html
    assert Customer.objects.filter(org=org).count() == 1


def test_malformed_and_taken_values_are_all_named_at_once(sam, org):
    customer_create(org=org, actor=None, data={"name": "A", "externalId": "cus-1"})

    response = sam.post(
        "/customers/new/", {"name": "", "email": "nope", "phone": "12", "externalId": "cus-1"}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a name" in _error_beside(html, "name")
    assert "is not a valid email address" in _error_beside(html, "email")
    assert _error_beside(html, "phone")
    assert "already belongs to customer" in _error_beside(html, "externalId")
    for typed in ('value="nope"', 'value="12"', 'value="cus-1"'):
        assert typed in html
    assert Customer.objects.filter(org=org).count() == 1
