"""Taking an email in and sending one cost a fixed number of queries: not more with more
attachments, a longer thread or more mailboxes; a batch of sends costs the same per email."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation
from mail import inbound, sending, services
from mail.models import MailMessage
from tests.mail import corpus

pytestmark = pytest.mark.django_db


def cost(fn):
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries.captured_queries)


def reply_with(n_files, message_id):
    msg = corpus.plain(subject="Re: x", in_reply_to="<root@example.com>", message_id=message_id)
    for i in range(n_files):
        msg.add_attachment(
            b"%PDF-" + bytes([i]), maintype="application", subtype="pdf", filename=f"f{i}.pdf"
        )
    return msg.as_bytes()


def test_an_inbound_reply_costs_the_same_whatever_its_attachments_and_thread(org, mailbox):
    inbound.accept(
        org=org, raw=corpus.plain(message_id="<root@example.com>").as_bytes(), source="hook"
    )
    one = cost(
        lambda: inbound.accept(org=org, raw=reply_with(1, "<r1@example.com>"), source="hook")
    )
    for i in range(5):
        services.mailbox_create(
            org=org, actor=None, data={"address": f"x{i}@acme.test", "sending": "django"}
        )
        inbound.accept(org=org, raw=reply_with(0, f"<pad{i}@example.com>"), source="hook")
    five = cost(
        lambda: inbound.accept(org=org, raw=reply_with(5, "<r5@example.com>"), source="hook")
    )
    assert one == five
    # The org's mailboxes read once (routing and loop checks), the duplicate check and the
    # threading in one query, the sender's customer in one (on PostgreSQL the row lock the
    # message's write takes on the conversation's customer, which says whether the sender is
    # them; SQLite writes one transaction at a time). Inside the test's transaction the mail's
    # own is a savepoint (two statements); the message's write takes none of its own
    # (test_inbound_hook_costs.py lists each statement).
    assert one == 18
    assert Conversation.objects.get().message_count == 8


def test_sending_costs_the_same_per_email(
    org, mailbox, smtp_sink, django_capture_on_commit_callbacks, monkeypatch
):
    from conversations.services import message_create

    monkeypatch.setattr("mail.outbox.kick", lambda mailbox_id: None)  # sent below, by hand
    inbound.accept(org=org, raw=corpus.plain().as_bytes(), source="hook")
    conversation = Conversation.objects.get()

    def replies(n):
        for i in range(n):
            message_create(
                org=org,
                actor=None,
                conversation=conversation,
                data={"direction": "out", "channel": "email", "body": f"r{i}"},
            )

    replies(1)
    single = cost(lambda: sending.drain(mailbox.pk))
    replies(10)
    ten = cost(lambda: sending.drain(mailbox.pk))
    assert len(smtp_sink.messages) == 11
    replies(20)
    twenty = cost(lambda: sending.drain(mailbox.pk))  # one batch of 20: the most claimed at once
    per_email = (ten - single) / 9
    assert per_email == (twenty - ten) / 10  # the same for every email of a batch
    assert per_email <= 12 and single <= 20
    assert not MailMessage.objects.filter(status="queued").exists()
