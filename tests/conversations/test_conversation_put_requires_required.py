"""A full conversation update (PUT) must carry every required custom attribute; PATCH may
leave them out."""

import pytest

from conversations import services
from tests.factories_customers import CustomerFactory

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


def test_a_put_without_a_required_attribute_is_refused(org, api, conversation):
    response = api.put(f"/v1/conversations/{conversation.pk}", {"name": "Refund please"})

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert [e["source"]["pointer"] for e in errors] == ["/custom/reasonStr"]
    conversation.refresh_from_db()
    assert conversation.custom == {"reasonStr": "refund"} and conversation.rev == 1


def test_a_patch_may_leave_it_out(org, api, conversation):
    response = api.patch(f"/v1/conversations/{conversation.pk}", {"name": "Refund please"})

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["attributes"]["custom"] == {"reasonStr": "refund"}
