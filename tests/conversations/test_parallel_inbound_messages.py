"""Inbound messages for a customer with no open conversation open ONE conversation, however
many arrive at once: "find or open the conversation" takes turns per customer."""

import pytest

from conversations.models import Conversation, Message
from kdesk.models import Event
from tests.conversations.factories import ConversationFactory
from tests.customers.factories import CustomerFactory
from tests.factories import ApiClient
from tests.parallel import needs_real_concurrency, parallel

PARALLEL = 20


def _inbound(i):
    return {"direction": "in", "channel": "email", "body": f"Where is my order? ({i})"}


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_messages_open_one_conversation(org, make_key):
    if reason := needs_real_concurrency():
        pytest.skip(reason)
    _, token = make_key(org)
    customer = CustomerFactory(org=org)
    clients = [ApiClient(token) for _ in range(PARALLEL)]

    responses = parallel(
        PARALLEL,
        lambda i: clients[i].post(f"/v1/customers/{customer.pk}/messages", _inbound(i)),
    )

    assert [getattr(r, "status_code", r) for r in responses] == [201] * PARALLEL
    conversation = Conversation.objects.get(org=org, customer=customer)
    assert conversation.message_count == PARALLEL
    assert Message.objects.filter(conversation=conversation).count() == PARALLEL
    assert Event.objects.filter(type="conversation.create").count() == 1
    ids = {r.json()["data"]["relationships"]["conversation"]["data"]["id"] for r in responses}
    assert ids == {str(conversation.pk)}


@pytest.mark.django_db(transaction=True)
def test_parallel_messages_to_a_conversation_and_to_its_customer_do_not_deadlock(org, make_key):
    if reason := needs_real_concurrency():
        pytest.skip(reason)
    _, token = make_key(org)
    customer = CustomerFactory(org=org)
    conversation = ConversationFactory(org=org, customer=customer, channels=["email"])
    clients = [ApiClient(token) for _ in range(PARALLEL)]

    def send(i):
        path = (
            f"/v1/conversations/{conversation.pk}/messages"
            if i % 2
            else f"/v1/customers/{customer.pk}/messages"
        )
        return clients[i].post(path, _inbound(i))

    responses = parallel(PARALLEL, send)

    assert [getattr(r, "status_code", r) for r in responses] == [201] * PARALLEL
    assert Conversation.objects.filter(org=org).count() == 1
    conversation.refresh_from_db()
    assert conversation.message_count == PARALLEL


@pytest.mark.django_db
def test_sequential_messages_open_one_conversation(api, org):
    customer = CustomerFactory(org=org)

    for i in range(3):
        response = api.post(f"/v1/customers/{customer.pk}/messages", _inbound(i))
        assert response.status_code == 201, response.content

    assert Conversation.objects.filter(org=org, customer=customer).count() == 1
    assert Message.objects.filter(customer_id=customer.pk).count() == 3
