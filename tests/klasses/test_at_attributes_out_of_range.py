"""`At` custom attributes that cannot be stored in UTC are a 400 on their pointer, on every
resource that carries custom values (customers, conversations, messages, KObjects)."""

import pytest

from tests.customers.factories import CustomerFactory
from tests.klasses.factories import KlassFactory

pytestmark = pytest.mark.django_db

VALUES = ["9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+01:00", "2024-02-30T00:00:00Z"]


def _pointers(response):
    return [e["source"]["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("value", VALUES)
def test_a_customer_at_attribute(org, api, value):
    response = api.post("/v1/customers", {"name": "Ada", "custom": {"renewsAt": value}})

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/custom/renewsAt"]


@pytest.mark.parametrize("value", VALUES)
def test_a_kobject_at_attribute(org, api, value):
    KlassFactory(org=org, name="order", display_name="Order")
    response = api.post(
        "/v1/klasses/order", {"title": "#1", "data": {"placedAt": value}, "custom": {}}
    )

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/data/placedAt"]


@pytest.mark.parametrize("value", VALUES)
def test_a_message_at_attribute(org, api, value):
    customer = CustomerFactory(org=org)
    response = api.post(
        f"/v1/customers/{customer.pk}/messages",
        {"direction": "in", "channel": "sms", "body": "hi", "custom": {"readAt": value}},
    )

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/custom/readAt"]
