"""A PUT changes only what it carries: a required custom attribute it leaves out keeps its
stored value; sending it as null (alone, or by clearing all of `custom`) is a 400 naming it."""

import pytest

from tests.customers.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tier_required(api):
    status, _, _ = _call(
        api.put, "/v1/metadata/customer", {"properties": {"tierStr": {"required": True}}}
    )
    assert status == 200


def _call(method, path, body):
    response = method(path, body)
    return response.status_code, response.json() if response.content else None, response


def test_a_put_without_a_required_attribute_keeps_it(org, api, tier_required):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold"})

    status, body, _ = _call(api.put, f"/v1/customers/{customer.pk}", {"name": "Ada"})

    assert status == 200, body
    assert body["data"]["attributes"]["custom"] == {"tierStr": "gold"}
    assert body["data"]["attributes"]["name"] == "Ada"


@pytest.mark.parametrize("custom", [{"tierStr": None}, None, {"tierStr": ""}])
def test_a_put_clearing_a_required_attribute_is_refused(org, api, tier_required, custom):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold", "noteStr": "x"})

    status, body, _ = _call(api.put, f"/v1/customers/{customer.pk}", {"custom": custom})

    assert status == 400, body
    assert [e["source"]["pointer"] for e in body["errors"]] == ["/custom/tierStr"]
    customer.refresh_from_db()
    assert customer.custom == {"tierStr": "gold", "noteStr": "x"} and customer.rev == 1


def test_a_put_merges_custom_values(org, api, tier_required):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold", "noteStr": "x"})

    status, body, _ = _call(
        api.put, f"/v1/customers/{customer.pk}", {"custom": {"tierStr": "silver"}}
    )

    assert status == 200, body
    assert body["data"]["attributes"]["custom"] == {"tierStr": "silver", "noteStr": "x"}


def test_a_company_put_keeps_or_refuses_to_clear_a_required_attribute(org, api):
    status, _, _ = _call(
        api.put, "/v1/metadata/company", {"properties": {"segmentStr": {"required": True}}}
    )
    assert status == 200
    company = CompanyFactory(org=org, custom={"segmentStr": "smb"})

    status, body, _ = _call(api.put, f"/v1/companies/{company.pk}", {"name": "Acme"})
    assert status == 200, body
    assert body["data"]["attributes"]["custom"] == {"segmentStr": "smb"}

    status, body, _ = _call(api.put, f"/v1/companies/{company.pk}", {"custom": None})
    assert status == 400, body
    assert [e["source"]["pointer"] for e in body["errors"]] == ["/custom/segmentStr"]
    status, body, _ = _call(api.put, f"/v1/companies/{company.pk}", {"name": None})
    assert status == 400, body
    assert [e["source"]["pointer"] for e in body["errors"]] == ["/name"]
