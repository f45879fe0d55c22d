import pytest

from customers.models import Customer
from kdesk.events import emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    c = Customer.objects.create(org=org, name="Grace")
    for i in range(5):
        emit(
            org=org,
            type="conversation.message.create",
            resource="message",
            resource_id=i,
            customer_id=c.pk,
            data={"attributes": {"preview": f"m{i}"}},
        )
    return c


def test_it_pages_with_a_cursor(api, customer):
    page = api.get(f"/v1/customers/{customer.pk}/timeline?limit=2").json()
    assert [e["attributes"]["resourceId"] for e in page["data"]] == ["4", "3"]
    assert page["data"][0]["type"] == "timeline_entry"
    assert page["data"][0]["attributes"]["kind"] == "message"
    seen = [e["id"] for e in page["data"]]
    while page["links"]["next"]:
        page = api.get(page["links"]["next"]).json()
        seen += [e["id"] for e in page["data"]]
    assert len(seen) == len(set(seen)) == 5


def test_slash_and_no_slash_agree(api, customer):
    a = api.get(f"/v1/customers/{customer.pk}/timeline").json()
    b = api.get(f"/v1/customers/{customer.pk}/timeline/").json()
    assert a["data"] == b["data"]


def test_another_orgs_customer_is_404(api, other_api, customer):
    assert other_api.get(f"/v1/customers/{customer.pk}/timeline").status_code == 404


def test_bad_parameters_are_named(api, customer):
    response = api.get(f"/v1/customers/{customer.pk}/timeline?kinds=gossip&cursor=%%%")
    assert response.status_code == 400
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers <= {"/kinds", "/cursor"} and pointers


def test_it_needs_customer_read(org, make_key, customer):
    from tests.factories import ApiClient

    _, token = make_key(org, scopes=["org.permission.kobject.read"])
    assert ApiClient(token).get(f"/v1/customers/{customer.pk}/timeline").status_code == 403


def test_a_key_sees_only_the_kinds_its_scopes_allow(org, make_key, customer):
    from tests.factories import ApiClient

    emit(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id=9,
        customer_id=customer.pk,
        data={"attributes": {"body": "internal secret"}},
    )
    _, token = make_key(org, scopes=["org.permission.customer.read"])
    page = ApiClient(token).get(f"/v1/customers/{customer.pk}/timeline").json()
    assert page["data"] == []
    _, token = make_key(org, scopes=["org.permission.customer.read", "org.permission.message.read"])
    kinds = {
        e["attributes"]["kind"]
        for e in ApiClient(token).get(f"/v1/customers/{customer.pk}/timeline").json()["data"]
    }
    assert kinds == {"message"}
