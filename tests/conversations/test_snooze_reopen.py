"""A customer writing to a snoozed conversation wakes it up: the conversation is open again,
its snooze time cleared, and one `conversation.update` event records why. A reply the agent
sends does not."""

import datetime as dt

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Conversation
from kdesk.models import Event
from tests.customers.factories import CustomerFactory
from tests.events import assert_events

pytestmark = pytest.mark.django_db


def _later():
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


@pytest.fixture
def snoozed(org, admin_user):
    customer = CustomerFactory(org=org, name="Ken Tanaka")
    services.message_create(
        org=org,
        actor=None,
        customer=customer,
        data={"direction": "in", "channel": "email", "body": "Hello", "subject": "Refund"},
    )
    conversation = Conversation.objects.get(org=org, customer=customer)
    services.conversation_update(
        org=org,
        actor=admin_user,
        conversation=conversation,
        data={"status": "snoozed", "snoozeUntil": _later()},
    )
    conversation.refresh_from_db()
    assert conversation.status == "snoozed"
    return customer, conversation


def test_it_reopens_on_an_inbound_message_to_the_conversation(org, api, snoozed):
    customer, conversation = snoozed
    with assert_events(["conversation.message.create", "conversation.update"], org=org) as emitted:
        response = api.post(
            f"/v1/conversations/{conversation.pk}/messages",
            {"direction": "in", "channel": "email", "body": "Any news?"},
        )

    assert response.status_code == 201, response.content
    conversation.refresh_from_db()
    assert conversation.status == "open"
    assert conversation.snooze_until is None
    wake = Event.objects.filter(org=org).latest("id")
    assert wake.type == emitted[1]
    assert wake.changes["status"] == {"before": "snoozed", "after": "open"}
    assert wake.changes["snoozeUntil"]["after"] is None
    assert wake.data["meta"]["reason"] == "inboundMessage"
    assert wake.rev == conversation.rev


def test_it_reopens_on_an_inbound_message_to_the_customer(org, api, snoozed):
    customer, conversation = snoozed

    response = api.post(
        f"/v1/customers/{customer.pk}/messages",
        {"direction": "in", "channel": "email", "body": "Still waiting"},
    )

    assert response.status_code == 201, response.content
    # The message went to the snoozed conversation, not to a new one.
    assert response.json()["data"]["relationships"]["conversation"]["data"]["id"] == str(
        conversation.pk
    )
    assert Conversation.objects.filter(org=org, customer=customer).count() == 1
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.message_count == 2


def test_an_outbound_reply_leaves_it_snoozed(org, api, snoozed):
    customer, conversation = snoozed

    response = api.post(
        f"/v1/conversations/{conversation.pk}/messages",
        {"direction": "out", "channel": "email", "body": "We are on it"},
    )

    assert response.status_code == 201
    conversation.refresh_from_db()
    assert conversation.status == "snoozed" and conversation.snooze_until is not None


def test_a_done_conversation_is_not_reopened_by_this_rule(org, api, admin_user, snoozed):
    customer, conversation = snoozed
    services.conversation_update(
        org=org, actor=admin_user, conversation=conversation, data={"status": "done"}
    )

    api.post(
        f"/v1/conversations/{conversation.pk}/messages",
        {"direction": "in", "channel": "email", "body": "Thanks!"},
    )

    conversation.refresh_from_db()
    assert conversation.status == "done"


def test_the_wake_is_the_same_update_as_the_message_totals(org, api, snoozed):
    """One UPDATE of the conversation per inbound message, the wake included: a second UPDATE
    of a row the transaction already updated re-checks each of the row's foreign keys on
    PostgreSQL, and so waited on a team being deleted that waited on this row (a deadlock,
    found by bench/concurrency.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, conversation = snoozed
    rev = conversation.rev
    with CaptureQueriesContext(connection) as queries:
        response = api.post(
            f"/v1/conversations/{conversation.pk}/messages",
            {"direction": "in", "channel": "email", "body": "Still there?"},
        )
    assert response.status_code == 201, response.content
    table = Conversation._meta.db_table
    updates = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    assert len(updates) == 1, updates
    conversation.refresh_from_db()
    assert (conversation.status, conversation.rev, conversation.message_count) == (
        "open",
        rev + 1,
        2,
    )
