"""Datetimes that parse but cannot be stored (an offset pushes them past year 9999 or before
year 1 in UTC), or that name an impossible day or offset, are a 400 on their field, never a
500."""

import pytest

from conversations import services
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

UNSTORABLE = [
    "9999-12-31T23:59:59-23:00",
    "0001-01-01T00:00:00+01:00",
    "2024-02-30T10:00:00Z",
    "2024-01-01T00:00:00+25:00",
]


@pytest.fixture
def conversation(org):
    return services.conversation_create(
        org=org, actor=None, customer=CustomerFactory(org=org), data={"name": "Hi"}
    )


def _pointers(response):
    return [e["source"]["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("value", UNSTORABLE)
def test_a_message_sent_at_is_a_field_error(org, api, conversation, value):
    response = api.post(
        f"/v1/conversations/{conversation.pk}/messages",
        {"direction": "in", "channel": "email", "body": "hello", "sentAt": value},
    )

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/sentAt"]


@pytest.mark.parametrize("value", UNSTORABLE)
def test_a_snooze_until_is_a_field_error(org, api, conversation, value):
    response = api.patch(
        f"/v1/conversations/{conversation.pk}", {"status": "snoozed", "snoozeUntil": value}
    )

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/snoozeUntil"]


def test_a_new_conversation_snoozed_past_the_calendar_is_a_field_error(org, api):
    customer = CustomerFactory(org=org)
    response = api.post(
        "/v1/conversations",
        {"customer": str(customer.pk), "status": "snoozed", "snoozeUntil": UNSTORABLE[0]},
    )

    assert response.status_code == 400, response.content
    assert _pointers(response) == ["/snoozeUntil"]


def test_the_edges_that_fit_in_utc_are_stored(org, api, conversation):
    response = api.post(
        f"/v1/conversations/{conversation.pk}/messages",
        {"direction": "in", "channel": "email", "body": "x", "sentAt": "9999-12-31T23:59:59Z"},
    )
    assert response.status_code == 201, response.content
    response = api.patch(
        f"/v1/conversations/{conversation.pk}",
        {"status": "snoozed", "snoozeUntil": "2030-01-01T00:00:00"},
    )
    assert response.status_code == 200, response.content
    attributes = response.json()["data"]["attributes"]
    assert attributes["snoozeUntil"].startswith("2030-01-01T00:00:00")
