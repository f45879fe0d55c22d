"""Polling IMAP takes each message in its own transaction at the same cost: the queries of a
fetch grow by the same number for every message it takes, and a message that cannot be taken
in (not a message at all, or refused by a validation rule) is logged while the others of the
batch still arrive."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Message
from kdesk.events import subscribe, unsubscribe
from mail.models import Received
from tests.mail import corpus
from tests.mail.test_imap_fetch import dovecot, fetch_mail, imap_box  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def fetch_cost():
    with CaptureQueriesContext(connection) as queries:
        fetch_mail()
    return len(queries)


def deliver_new(dovecot, n, start):  # noqa: F811
    for i in range(start, start + n):
        sender = f"Customer {i} <c{i}@example.com>"
        dovecot.deliver(corpus.plain(sender=sender, subject=f"Question {i}").as_bytes())


def test_each_message_of_a_fetch_costs_the_same(imap_box, dovecot):  # noqa: F811
    costs = []
    start = 0
    for n in (1, 2, 3):
        deliver_new(dovecot, n, start)
        start += n
        costs.append(fetch_cost())
    assert costs[2] - costs[1] == costs[1] - costs[0] > 0
    assert Message.objects.count() == 6


def test_one_bad_message_does_not_stop_the_batch(imap_box, dovecot):  # noqa: F811
    batches = []

    def sink(events):
        batches.append([e.type for e in events])

    dovecot.deliver(corpus.plain(sender="a@example.com", subject="First").as_bytes())
    dovecot.deliver(b"this is not an email at all, no headers\r\n")
    dovecot.deliver(corpus.plain(sender="b@example.com", subject="Third").as_bytes())
    subscribe(sink)
    try:
        assert fetch_mail() == "support@acme.test: 3 new\n"
    finally:
        unsubscribe(sink)
    assert sorted(Message.objects.values_list("conversation__name", flat=True)) == [
        "First",
        "Third",
    ]
    assert Received.objects.filter(outcome="failed").count() == 1
    assert fetch_mail() == "support@acme.test: 0 new\n"  # all three UIDs taken, none again
    # each message its own transaction, each pushed live once
    opened = ["customer.create", "conversation.create", "conversation.message.create"]
    assert [b for b in batches if b != ["mailbox.update"]] == [opened, opened]
