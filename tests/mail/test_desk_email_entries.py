"""What agents see of email in the desk: the composer names the mailbox a reply goes from, a
reply's entry shows its delivery status (and why it failed), an email's attachments are listed
with name, size and an image preview."""

import pytest

from conversations.models import Conversation
from mail.models import Attachment
from tests.mail import corpus

pytestmark = pytest.mark.django_db


def test_a_desk_reply_is_sent_and_its_entry_says_so(
    client, agent, deliver, mailbox, smtp_sink, django_capture_on_commit_callbacks
):
    deliver(corpus.plain().as_bytes())
    conversation = Conversation.objects.get()
    client.force_login(agent)
    page = client.get(f"/customers/{conversation.customer_id}/").content.decode()
    assert "Sent by email from" in page and "Acme Support &lt;support@acme.test&gt;" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/customers/{conversation.customer_id}/compose/",
            {"mode": "reply", "body": "On its way.", "conversation": conversation.pk},
        )
    assert r.status_code == 200
    assert smtp_sink.parsed()["Subject"] == "Re: Order A1 is broken"
    page = client.get(f"/customers/{conversation.customer_id}/timeline/").content.decode()
    assert 'data-status="sent"' in page and ">Sent</span>" in page


def test_a_failed_reply_shows_the_reason(
    client, agent, deliver, mailbox, smtp_sink, django_capture_on_commit_callbacks
):
    deliver(corpus.plain().as_bytes())
    conversation = Conversation.objects.get()
    smtp_sink.answers = ["550 5.1.1 No such user"]
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/customers/{conversation.customer_id}/compose/",
            {"mode": "reply", "body": "Hello", "conversation": conversation.pk},
        )
    page = client.get(f"/customers/{conversation.customer_id}/timeline/").content.decode()
    assert ">Not delivered</span>" in page and "550 5.1.1 No such user" in page


def test_attachments_are_listed_with_size_and_preview(client, agent, deliver, mailbox):
    deliver(corpus.with_inline_image_and_attachment().as_bytes())
    conversation = Conversation.objects.get()
    client.force_login(agent)
    page = client.get(f"/customers/{conversation.customer_id}/timeline/").content.decode()
    message_id = Attachment.objects.first().message_id
    assert f'hx-get="/desk/messages/{message_id}/email/"' in page
    parts = client.get(f"/desk/messages/{message_id}/email/").content.decode()
    pdf = Attachment.objects.get(filename="invoice.pdf")
    image = Attachment.objects.get(filename="attachment.png")
    assert (
        f'href="/attachments/{pdf.pk}/" download="invoice.pdf">invoice.pdf</a> <span class="small muted">16 bytes</span>'
        in parts
    )
    assert f'<img src="/attachments/{image.pk}/"' in parts
    assert "From ada@example.com" in parts


def test_another_orgs_message_shows_nothing(client, other_org, deliver, mailbox):
    from tests.factories import UserFactory

    deliver(corpus.with_inline_image_and_attachment().as_bytes())
    message_id = Attachment.objects.first().message_id
    client.force_login(UserFactory(org=other_org, role="agent", username="eve"))
    parts = client.get(f"/desk/messages/{message_id}/email/").content.decode()
    assert "invoice" not in parts and "ada@example.com" not in parts
