"""One drain sends a batch over one connection and records each email on its own: a refused
email, or one whose desk message was deleted while it went out, does not stop the others."""

import pytest

from conversations import services as conversations
from conversations.models import Conversation, Message
from mail import sending
from mail.models import MailMessage
from tests.mail import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(org, mailbox, monkeypatch):
    """Three replies queued in one conversation, not yet sent."""
    from mail import inbound

    monkeypatch.setattr("mail.outbox.kick", lambda mailbox_id: None)  # drained by hand below
    inbound.accept(org=org, raw=corpus.plain().as_bytes(), source="hook")
    conversation = Conversation.objects.get()
    return [
        conversations.message_create(
            org=org,
            actor=None,
            conversation=conversation,
            data={"direction": "out", "channel": "email", "body": f"Reply {i}"},
        )
        for i in range(3)
    ]


def test_a_refused_and_a_deleted_email_leave_the_others_sent(
    org, mailbox, queued, smtp_sink, monkeypatch
):
    refused, deleted, third = queued
    real_build = sending.build

    def build(mail, message, files, connection):
        if message.pk == deleted.pk:  # an agent deletes the reply while the worker sends it
            Message.objects.filter(pk=deleted.pk).delete()
        return real_build(mail, message, files, connection)

    monkeypatch.setattr(sending, "build", build)
    smtp_sink.answers = ["550 5.1.1 No such user"]  # for the first email only
    assert sending.drain(mailbox.pk) == 2
    refused.refresh_from_db()
    third.refresh_from_db()
    assert refused.status == "failed" and refused.status_detail == "550 5.1.1 No such user"
    # the deleted reply still left (its email row went with it), and the next one after it
    assert not MailMessage.objects.filter(desk_message_id=deleted.pk).exists()
    assert third.status == "sent"
    assert len(smtp_sink.messages) == 2
    assert b"Reply 1" in smtp_sink.messages[0]["raw"]
    assert b"Reply 2" in smtp_sink.messages[1]["raw"]
