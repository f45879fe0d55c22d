"""A reply on the email channel is queued in its transaction, sent by the worker after commit
to a real SMTP server (aiosmtpd), with proper headers, both parts and attachments; its status
(queued, sent, retried, failed with the SMTP error) is on the message. Never sent twice."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from conversations import services as conversations
from conversations.models import Conversation, Message
from kdesk.models import Event
from mail import sending, tokens
from mail.models import Attachment, MailMessage
from tests.mail import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(deliver, mailbox):
    """A conversation opened by the customer's email."""
    deliver(
        corpus.plain(message_id="<first@example.com>", references="<older@example.com>").as_bytes()
    )
    return Conversation.objects.get()


def reply(api, conversation, capture, **extra):
    with capture(execute=True):
        r = api.post(
            f"/v1/conversations/{conversation.pk}/messages",
            {"direction": "out", "channel": "email", "body": "We are on it.\nThanks!", **extra},
        )
    assert r.status_code == 201, r.content
    return Message.objects.get(pk=r.json()["data"]["id"])


def test_a_reply_is_sent_with_headers_threading_and_both_parts(
    api, thread, smtp_sink, org, django_capture_on_commit_callbacks
):
    message = reply(api, thread, django_capture_on_commit_callbacks)
    (sent,) = smtp_sink.messages
    assert sent["from"] == "support@acme.test" and sent["rcpt"] == ["ada@example.com"]
    email = smtp_sink.parsed()
    mail = MailMessage.objects.get(direction="out")
    assert email["Message-ID"] == f"<{mail.message_id}>" and mail.message_id.endswith("@acme.test")
    assert email["In-Reply-To"] == "<first@example.com>"
    assert email["References"] == "<older@example.com> <first@example.com>"
    assert email["From"] == "Acme Support <support@acme.test>"
    assert email["To"] == "ada@example.com"
    assert email["Reply-To"] == tokens.reply_address("support@acme.test", org.pk, thread.pk)
    assert email["Subject"] == "Re: Order A1 is broken"
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip() == "We are on it.\nThanks!"
    assert "We are on it.<br>Thanks!" in email.get_body(("html",)).get_content()
    message.refresh_from_db()
    assert (message.status, message.status_detail) == ("sent", "")
    # the timeline saw queued, then sent
    updates = Event.objects.filter(type="conversation.message.update", resource_id=str(message.pk))
    assert [e.data["attributes"]["status"] for e in updates.order_by("id")] == ["queued", "sent"]
    # the customer's answer to it threads back into the conversation
    answer = corpus.plain(subject="Re: Order A1 is broken", in_reply_to=email["Message-ID"])
    from mail import inbound

    inbound.accept(org=org, raw=answer.as_bytes(), source="hook")
    assert Conversation.objects.get().message_count == 3


def test_attachments_go_out_as_parts(
    api, thread, smtp_sink, org, django_capture_on_commit_callbacks, agent
):
    # the attachment is linked to the message in its transaction (as the composer does)
    original = conversations.message_create

    def with_file(**kwargs):
        message = original(**kwargs)
        if kwargs["data"].get("direction") == "out":
            row = Attachment(
                org=org,
                message=message,
                filename="plan.pdf",
                content_type="application/pdf",
                size=9,
            )
            row.file.save("plan.pdf", ContentFile(b"%PDF-plan"), save=False)
            row.save()
        return message

    import mail.outbox

    conversations.message_create = with_file
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with_file(
                org=org,
                actor=agent,
                conversation=thread,
                data={"direction": "out", "channel": "email", "body": "See the plan."},
            )
    finally:
        conversations.message_create = original
    assert mail.outbox  # imported for the recorder
    email = smtp_sink.parsed()
    (part,) = list(email.iter_attachments())
    assert part.get_filename() == "plan.pdf" and part.get_content_type() == "application/pdf"
    assert part.get_content() == b"%PDF-plan"


def test_a_temporary_failure_is_retried_then_sent_once(
    api, thread, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.answers = ["451 4.3.0 Try again later"]
    message = reply(api, thread, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == "queued"
    assert "attempt 1 of 3 failed: 451 4.3.0 Try again later" in message.status_detail
    assert smtp_sink.messages == []
    mail = MailMessage.objects.get(direction="out")
    assert mail.status == "queued" and mail.attempts == 1
    # not due yet: a drain sends nothing
    assert sending.drain(mail.mailbox_id) == 0
    MailMessage.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
    assert sending.sweep() == [mail.mailbox_id]
    assert sending.drain(mail.mailbox_id) == 1
    assert sending.drain(mail.mailbox_id) == 0  # never twice
    assert len(smtp_sink.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.status_detail) == ("sent", "")


def test_a_permanent_failure_shows_the_smtp_error(
    api, thread, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.answers = ["554 5.7.1 Message rejected as spam"]
    message = reply(api, thread, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.status_detail == "554 5.7.1 Message rejected as spam"


def test_retries_run_out(api, thread, smtp_sink, settings, django_capture_on_commit_callbacks):
    settings.MAIL_RETRY_SCHEDULE = [0]
    smtp_sink.answers = ["421 busy", "421 still busy"]
    message = reply(api, thread, django_capture_on_commit_callbacks)
    sending.drain(MailMessage.objects.get(direction="out").mailbox_id)  # the retry, now due
    message.refresh_from_db()
    assert (message.status, message.status_detail) == ("failed", "421 still busy")


def test_an_unreachable_server_is_retried(api, thread, mailbox, django_capture_on_commit_callbacks):
    from tests.mail.conftest import free_port

    mailbox.smtp_port = free_port()  # nothing listens there
    mailbox.save()
    message = reply(api, thread, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == "queued" and "Connection refused" in message.status_detail


def test_a_send_abandoned_by_a_killed_worker_is_reported_not_repeated(
    api, thread, smtp_sink, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("mail.outbox.kick", lambda mailbox_id: None)  # no worker runs
    message = reply(api, thread, django_capture_on_commit_callbacks)
    (claimed,) = sending._claim(MailMessage.objects.get(direction="out").mailbox_id)
    # ...the worker dies here, mid-send; its lease runs out
    MailMessage.objects.filter(pk=claimed.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert sending.sweep() == []
    assert sending.drain(claimed.mailbox_id) == 0
    message.refresh_from_db()
    assert message.status == "failed" and "may or may not have left" in message.status_detail
    assert smtp_sink.messages == []


def test_nothing_is_sent_inside_the_request_transaction(
    api, thread, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api.post(
            f"/v1/conversations/{thread.pk}/messages",
            {"direction": "out", "channel": "email", "body": "Hi"},
        )
    assert r.status_code == 201
    assert r.json()["data"]["attributes"]["status"] == "sent"  # as created; queued right after
    assert smtp_sink.messages == []  # only after commit
    assert MailMessage.objects.get(direction="out").status == "queued"
    for callback in callbacks:
        callback()
    assert len(smtp_sink.messages) == 1


def test_imports_and_other_channels_are_not_sent(
    api, thread, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            f"/v1/conversations/{thread.pk}/messages",
            {
                "direction": "out",
                "channel": "email",
                "body": "old",
                "sentAt": "2020-01-01T00:00:00Z",
            },
        )
        api.post(
            f"/v1/conversations/{thread.pk}/messages",
            {"direction": "out", "channel": "sms", "body": "text"},
        )
        api.post(
            f"/v1/conversations/{thread.pk}/messages",
            {"direction": "out", "channel": "email", "body": "x", "status": "delivered"},
        )
    assert smtp_sink.messages == [] and not MailMessage.objects.filter(direction="out").exists()


def test_no_address_or_no_mailbox_on_fails_visibly(
    api, org, mailbox, django_capture_on_commit_callbacks
):
    customer = api.post("/v1/customers", {"name": "No Mail"}).json()["data"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            f"/v1/customers/{customer['id']}/messages",
            {"direction": "out", "channel": "email", "body": "Hello?"},
        )
    message = Message.objects.get(pk=r.json()["data"]["id"])
    assert (message.status, message.status_detail) == (
        "failed",
        "The customer has no email address.",
    )
    mailbox.enabled = False
    mailbox.save()
    with_mail = api.post(
        "/v1/customers", {"name": "B", "emails": [{"email": "b@example.com"}]}
    ).json()["data"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            f"/v1/customers/{with_mail['id']}/messages",
            {"direction": "out", "channel": "email", "body": "Hello?"},
        )
    message = Message.objects.get(pk=r.json()["data"]["id"])
    assert message.status == "failed" and "No mailbox is turned on" in message.status_detail


def test_sending_refuses_private_addresses_unless_allowed(
    api, thread, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    message = reply(api, thread, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == "failed"
    assert (
        message.status_detail
        == "127.0.0.1 resolves to a loopback address (127.0.0.1), which kdesk refuses."
    )
