"""Mail posted to the email hook costs a fixed number of queries: a new conversation and a
threaded reply each, counted statement by statement (the savepoints the services would take
inside the mail's transaction are not there: an error rolls the whole call back and records
it beside the failure, as the second test shows)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation, Message
from customers.models import Customer
from kdesk.models import Event
from mail.models import MailMessage, Received
from tests.mail import corpus

# Committed for real, as in production: inside a test's transaction every atomic block would
# be a savepoint.
pytestmark = pytest.mark.django_db(transaction=True)


def posted(deliver, raw):
    """(the mail's outcome, its statements as "VERB table"); SQLite's BEGIN and COMMIT are left
    out (PostgreSQL's are not logged), savepoints are not."""
    with CaptureQueriesContext(connection) as queries:
        r = deliver(raw)
    assert r.status_code == 202, r.content
    statements = [q["sql"] for q in queries.captured_queries]
    return r.json()["data"]["attributes"]["mail"]["outcome"], [
        _statement(sql) for sql in statements if sql.split()[0] not in ("BEGIN", "COMMIT")
    ]


def _statement(sql):
    verb = sql.split()[0]
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK"):
        return verb
    # the outer statement's table, not a subquery's (aliased U0, U1, ...)
    tables = re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"(?! U\d)', sql)
    return f"{verb} {tables[-1] if verb == 'SELECT' else tables[0]}"


def test_a_new_conversation_and_a_threaded_reply_cost_a_fixed_number_of_queries(deliver, mailbox):
    deliver(corpus.plain(message_id="<warm@example.com>").as_bytes())  # the customer exists
    outcome, opening = posted(
        deliver, corpus.plain(subject="Another matter", message_id="<new@example.com>").as_bytes()
    )
    assert outcome == "opened"
    # the hook (with its org's configuration version), the call's event, the Message-ID and
    # threading check, the sender's customer; the conversation (row, event), the message (row,
    # the aggregates on the conversation and the customer, event), the email's row and the
    # intake log. The org's mailboxes, custom attributes, validation rules and webhook
    # subscriptions were read by the first mail and are kept at that version
    # (kdesk.config_cache). The conversation opened in this transaction is not locked or read
    # again.
    assert opening == [
        "SELECT apps_directory_hook",
        "INSERT kdesk_event",
        "SELECT mail_mailmessage",
        "SELECT customers_customer",
        "INSERT conversations_conversation",
        "INSERT kdesk_event",
        "INSERT conversations_message",
        "UPDATE conversations_conversation",
        "UPDATE customers_customer",
        "INSERT kdesk_event",
        "INSERT mail_mailmessage",
        "INSERT mail_received",
    ]
    outcome, reply = posted(
        deliver, corpus.plain(subject="Re", in_reply_to="<new@example.com>").as_bytes()
    )
    assert outcome == "threaded"
    # the sender's customer: on PostgreSQL the conversation's customer, locked in the read that
    # finds them the sender (not read by the email and then locked again); SQLite writes one
    # transaction at a time, reads them by the email and the conversation with its customer
    assert reply == [
        "SELECT apps_directory_hook",
        "INSERT kdesk_event",
        "SELECT mail_mailmessage",
        "SELECT customers_customer",
        "SELECT conversations_conversation",
        "INSERT conversations_message",
        "UPDATE conversations_conversation",
        "UPDATE customers_customer",
        "INSERT kdesk_event",
        "INSERT mail_mailmessage",
        "INSERT mail_received",
    ]
    assert Conversation.objects.get(pk=MailMessage.objects.get(message_id="new@example.com")
                                    .conversation_id).message_count == 2  # fmt: skip


def test_a_mail_that_fails_midway_leaves_nothing_but_the_call_and_the_failure(
    deliver, mailbox, monkeypatch
):
    from mail import inbound

    class Broken:
        def save(self, obj):
            raise RuntimeError("the disk is full")

    # fails after the customer, the conversation and the message were written in the call's
    # transaction, as the email's own row is
    monkeypatch.setattr(inbound, "_INSERT_MAIL", Broken())
    r = deliver(corpus.plain(message_id="<m1@example.com>").as_bytes())
    assert r.status_code == 202
    mail = r.json()["data"]["attributes"]["mail"]
    assert mail == {"outcome": "failed", "detail": "Internal error (logged).", "conversation": None}
    assert not Customer.objects.exists() and not Conversation.objects.exists()
    assert not Message.objects.exists() and not MailMessage.objects.exists()
    # the call is recorded once (for workflows bound to the hook), with the failure beside it
    calls = Event.objects.filter(
        type__in=["hook.received", "customer.create", "conversation.create"]
    )
    assert list(calls.values_list("type", flat=True)) == ["hook.received"]
    (received,) = Received.objects.all()
    assert (received.outcome, received.message_id) == ("failed", "m1@example.com")
    # the same mail posted again once the fault is gone is taken in: nothing marked it seen
    monkeypatch.undo()
    r = deliver(corpus.plain(message_id="<m1@example.com>").as_bytes())
    assert r.json()["data"]["attributes"]["mail"]["outcome"] == "opened"
    assert Message.objects.count() == 1


def test_the_mails_events_get_their_webhook_deliveries_from_one_read(
    deliver, mailbox, org, monkeypatch
):
    from apps_directory.webhooks import dispatch
    from apps_directory.webhooks.models import Delivery, OutboundWebhook

    monkeypatch.setattr(dispatch, "kick", lambda webhook_ids: None)  # nothing sent here
    OutboundWebhook.objects.create(
        org=org,
        name="CRM",
        url="https://crm.example.com/hook",
        token="t",
        events=[
            "kustomer.customer.create",
            "kustomer.conversation.create",
            "kustomer.message.create",
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        deliver(corpus.plain(message_id="<first@example.com>").as_bytes())
    reads = [q for q in queries.captured_queries if "apps_directory_outboundwebhook" in q["sql"]]
    # the new customer's event comes from its own savepoint (recorded at once), the
    # conversation's and the message's are recorded together: the subscriptions read for the
    # first are kept for the second at the org's configuration version (kdesk.config_cache)
    assert len(reads) == 1
    names = Delivery.objects.order_by("event_id").values_list("name", flat=True)
    assert list(names) == [
        "kustomer.customer.create",
        "kustomer.conversation.create",
        "kustomer.message.create",
    ]
    message = Message.objects.get()
    assert Delivery.objects.filter(name="kustomer.message.create").get().resource_key == (
        f"message:{message.pk}"
    )


def test_a_reply_from_someone_else_threads_and_finds_or_creates_its_sender(deliver, mailbox):
    """The conversation's customer locked in the read that checks the sender's email: a
    colleague answering in the thread is not taken for them."""
    deliver(corpus.plain(message_id="<start@example.com>").as_bytes())
    ada = Customer.objects.get()
    for _ in range(2):  # created the first time, found the second
        r = deliver(
            corpus.plain(
                sender="Bob Babbage <Bob@Example.com>", in_reply_to="<start@example.com>"
            ).as_bytes()
        )
        assert r.json()["data"]["attributes"]["mail"]["outcome"] == "threaded"
    bob = Customer.objects.exclude(pk=ada.pk).get()
    assert bob.emails == [{"type": "other", "email": "bob@example.com"}]
    conversation = Conversation.objects.get()
    assert conversation.customer_id == ada.pk and conversation.message_count == 3
    assert set(Message.objects.values_list("customer_id", flat=True)) == {ada.pk}
    # and Ada's own reply is hers
    deliver(corpus.plain(in_reply_to="<start@example.com>").as_bytes())
    assert Customer.objects.count() == 2
    assert Conversation.objects.get().message_count == 4
