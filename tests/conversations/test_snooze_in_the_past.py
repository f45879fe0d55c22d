"""A snooze time that has already passed is refused with a 400 on /snoozeUntil (and the
conversation is left as it was); a time ahead is accepted."""

import datetime as dt

import pytest
from django.utils import timezone

from conversations import services
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(org):
    return services.conversation_create(
        org=org, actor=None, customer=CustomerFactory(org=org), data={"name": "Hi"}
    )


def test_it_refuses_a_past_snooze_on_update(org, api, conversation):
    past = (timezone.now() - dt.timedelta(minutes=5)).isoformat()

    response = api.patch(
        f"/v1/conversations/{conversation.pk}", {"status": "snoozed", "snoozeUntil": past}
    )

    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["source"]["pointer"] == "/snoozeUntil"
    assert error["code"] == "past"
    assert "future" in error["detail"]
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.snooze_until is None
    assert conversation.rev == 1


def test_it_refuses_a_past_snooze_on_create(org, api):
    customer = CustomerFactory(org=org)
    response = api.post(
        "/v1/conversations",
        {"customer": str(customer.pk), "status": "snoozed", "snoozeUntil": "2001-01-01T00:00:00Z"},
    )

    assert response.status_code == 400
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/snoozeUntil"]


def test_a_future_snooze_is_accepted(org, api, conversation):
    future = (timezone.now() + dt.timedelta(hours=3)).isoformat()

    response = api.patch(
        f"/v1/conversations/{conversation.pk}", {"status": "snoozed", "snoozeUntil": future}
    )

    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["status"] == "snoozed"
