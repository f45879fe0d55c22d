"""A message sent to a customer (POST /v1/customers/{id}/messages) whose customer is merged
away or deleted after the endpoint read them, before the message's transaction began: a 404,
and nothing written, on both databases. On SQLite the message took the customer as the endpoint
had read them, opened a conversation for them, and its commit failed on the foreign key: a 500
(bench/concurrency.py on SQLite, the one-command setup; the conformance run serves SQLite)."""

import pytest

from conversations import services
from conversations.models import Conversation, Message
from customers.services import customer_delete, customer_merge
from kdesk.errors import NotFound
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the message's own commit checks the keys

BODY = {"direction": "in", "channel": "email", "body": "Where is my order?"}


def test_it_answers_404_for_a_customer_deleted_after_the_read(org):
    customer = CustomerFactory(org=org)
    read_by_the_endpoint = type(customer).objects.get(pk=customer.pk)
    customer_delete(org=org, actor=None, customer=customer)

    with pytest.raises(NotFound):
        services.message_create(org=org, actor=None, customer=read_by_the_endpoint, data=BODY)

    assert not Conversation.objects.filter(org=org).exists()
    assert not Message.objects.filter(org=org).exists()


def test_it_answers_404_for_a_customer_merged_away_after_the_read(org):
    source, target = CustomerFactory(org=org), CustomerFactory(org=org)
    read_by_the_endpoint = type(source).objects.get(pk=source.pk)
    customer_merge(org=org, actor=None, source=source.pk, target=target.pk)

    with pytest.raises(NotFound):
        services.message_create(org=org, actor=None, customer=read_by_the_endpoint, data=BODY)

    assert not Conversation.objects.filter(org=org).exists()
    assert not Message.objects.filter(org=org).exists()
