"""A conversation PUT changes only what it carries: leaving a required custom attribute out
keeps its stored value; sending it as null is a 400 naming it."""

import pytest

from conversations import services
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(org, api):
    response = api.put(
        "/v1/metadata/conversation", {"properties": {"reasonStr": {"required": True}}}
    )
    assert response.status_code == 200, response.json()
    customer = CustomerFactory(org=org)
    return services.conversation_create(
        org=org,
        actor=None,
        customer=customer,
        data={"name": "Refund", "custom": {"reasonStr": "refund"}},
    )


@pytest.mark.parametrize("method", ["put", "patch"])
def test_leaving_a_required_attribute_out_keeps_it(org, api, conversation, method):
    response = getattr(api, method)(
        f"/v1/conversations/{conversation.pk}", {"name": "Refund please"}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["attributes"]["custom"] == {"reasonStr": "refund"}


@pytest.mark.parametrize("body", [{"custom": {"reasonStr": None}}, {"custom": None}])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_clearing_a_required_attribute_is_refused(org, api, conversation, method, body):
    response = getattr(api, method)(f"/v1/conversations/{conversation.pk}", body)

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == ["/custom/reasonStr"]
    conversation.refresh_from_db()
    assert conversation.custom == {"reasonStr": "refund"} and conversation.rev == 1
