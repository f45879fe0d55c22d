"""A full update (PUT) replaces the custom values, so it must carry every required attribute,
as a create must; a partial one (PATCH) may leave them out."""

import pytest

from tests.factories_customers import CompanyFactory, CustomerFactory

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


def test_a_put_without_a_required_attribute_is_refused(org, api, tier_required):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold"})

    status, body, _ = _call(api.put, f"/v1/customers/{customer.pk}", {"name": "Ada"})

    assert status == 400, body
    assert [e["source"]["pointer"] for e in body["errors"]] == ["/custom/tierStr"]
    customer.refresh_from_db()
    assert customer.custom == {"tierStr": "gold"} and customer.rev == 1


def test_a_put_with_the_required_attribute_replaces_the_values(org, api, tier_required):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold", "noteStr": "x"})

    status, body, _ = _call(
        api.put, f"/v1/customers/{customer.pk}", {"name": "Ada", "custom": {"tierStr": "silver"}}
    )

    assert status == 200, body
    assert body["data"]["attributes"]["custom"] == {"tierStr": "silver"}


def test_a_patch_may_leave_the_required_attribute_out(org, api, tier_required):
    customer = CustomerFactory(org=org, custom={"tierStr": "gold"})

    status, body, _ = _call(api.patch, f"/v1/customers/{customer.pk}", {"name": "Ada"})

    assert status == 200, body
    assert body["data"]["attributes"]["custom"] == {"tierStr": "gold"}


def test_a_company_put_without_a_required_attribute_is_refused(org, api):
    status, _, _ = _call(
        api.put, "/v1/metadata/company", {"properties": {"segmentStr": {"required": True}}}
    )
    assert status == 200
    company = CompanyFactory(org=org, custom={"segmentStr": "smb"})

    status, body, _ = _call(api.put, f"/v1/companies/{company.pk}", {"name": "Acme"})

    assert status == 400, body
    assert [e["source"]["pointer"] for e in body["errors"]] == ["/custom/segmentStr"]
    status, body, _ = _call(api.patch, f"/v1/companies/{company.pk}", {"name": "Acme"})
    assert status == 200, body
