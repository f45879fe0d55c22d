"""The desk composer's files and Cc on the server: limits refused before anything is written
(the draft comes back), files of a reply that could not be recorded deleted at once."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Conversation, Message
from kdesk.errors import FieldError, ValidationFailed
from mail.models import Attachment
from tests.mail import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(deliver, mailbox):
    deliver(corpus.plain().as_bytes())
    return Conversation.objects.get()


def stored_files():
    try:
        folders, _ = default_storage.listdir("attachments")
    except FileNotFoundError:
        return []
    out = []
    for year in folders:
        for month in default_storage.listdir(f"attachments/{year}")[0]:
            out += default_storage.listdir(f"attachments/{year}/{month}")[1]
    return out


def post(client, conversation, **extra):
    return client.post(
        f"/customers/{conversation.customer_id}/compose/",
        {"mode": "reply", "body": "See attached.", "conversation": conversation.pk, **extra},
    )


def test_files_over_the_limits_are_refused_and_the_draft_comes_back(
    client, agent, conversation, settings
):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 10
    settings.MAIL_ATTACHMENT_MAX_COUNT = 2
    before = stored_files()
    client.force_login(agent)
    r = post(
        client,
        conversation,
        cc="boss@example.com",
        attachments=[
            SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 10, "application/pdf"),
            SimpleUploadedFile("a.txt", b"a", "text/plain"),
            SimpleUploadedFile("b.txt", b"b", "text/plain"),
        ],
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "“big.pdf” (15 bytes) is over the 10 bytes limit for a file." in html
    assert "At most 2 files may be sent with a message (3 given)." in html
    assert "See attached.</textarea>" in html and 'value="boss@example.com"' in html
    assert not Message.objects.filter(direction="out").exists()
    assert not Attachment.objects.exclude(message__direction="in").exists()
    assert stored_files() == before


def test_a_reply_that_cannot_be_recorded_leaves_no_file(client, agent, conversation, monkeypatch):
    from conversations import services

    before = stored_files()
    original = services.message_create

    def refused(**kwargs):
        original(**kwargs)  # written, then refused: the transaction rolls back
        raise ValidationFailed([FieldError("/body", "rule", "A rule refused this reply.")])

    monkeypatch.setattr(services, "message_create", refused)
    client.force_login(agent)
    r = post(
        client,
        conversation,
        attachments=[SimpleUploadedFile("plan.pdf", b"%PDF-plan", "application/pdf")],
    )
    assert r.status_code == 422 and "A rule refused this reply." in r.content.decode()
    assert not Message.objects.filter(direction="out").exists()
    assert stored_files() == before


def test_a_reply_with_files_and_cc_from_the_desk(client, agent, conversation):
    client.force_login(agent)
    r = post(
        client,
        conversation,
        cc="boss@example.com; team@example.com",
        attachments=[SimpleUploadedFile("plan.pdf", b"%PDF-plan", "application/pdf")],
    )
    assert r.status_code == 200
    message = Message.objects.get(direction="out")
    assert message.cc == ["boss@example.com", "team@example.com"]
    (row,) = Attachment.objects.filter(message=message)
    assert message.attachments == [
        {"id": str(row.pk), "name": "plan.pdf", "contentType": "application/pdf", "size": 9}
    ]
    assert default_storage.open(row.file.name).read() == b"%PDF-plan"
