"""`manage.py fetch_mail` against a real IMAP server (Dovecot on a loopback port): customers,
threading, attachments; no duplicates on a second run, after a worker killed mid-batch, or
after the server renumbers the folder (UIDVALIDITY)."""

import io
import shutil
import tempfile

import pytest
from django.core.management import call_command

from conversations.models import Conversation, Message
from customers.models import Customer
from mail import crypto, inbound, services
from mail.models import Attachment, Mailbox, Received
from tests import imapserver
from tests.mail import corpus

pytestmark = pytest.mark.django_db

why = imapserver.unavailable()
if why:
    pytest.skip(f"IMAP tests skipped: {why}", allow_module_level=True)


@pytest.fixture(scope="module")
def dovecot():
    # Not under pytest's tmp_path: Dovecot's processes run as other users and need every
    # directory above its files to be searchable.
    root = tempfile.mkdtemp(prefix="kdesk-dovecot-")
    server = imapserver.Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_box(org, dovecot):
    dovecot.clear()
    return services.mailbox_create(
        org=org,
        actor=None,
        data={
            "address": "support@acme.test",
            "sending": "django",
            "imapEnabled": True,
            "imapHost": "127.0.0.1",
            "imapPort": dovecot.port,
            "imapSecurity": "none",
            "imapUser": imapserver.USER,
            "imapPassword": imapserver.PASSWORD,
        },
    )


def fetch_mail():
    out = io.StringIO()
    call_command("fetch_mail", stdout=out, stderr=out)
    return out.getvalue()


def test_mail_is_fetched_threaded_and_never_twice(imap_box, dovecot):
    dovecot.deliver(corpus.plain(message_id="<a1@example.com>").as_bytes())
    dovecot.deliver(corpus.plain(subject="Re: Order A1", in_reply_to="<a1@example.com>").as_bytes())
    dovecot.deliver(
        corpus.with_inline_image_and_attachment(
            sender="bo@example.com", subject="Invoice"
        ).as_bytes()
    )
    assert fetch_mail() == "support@acme.test: 3 new\n"
    assert Customer.objects.count() == 2
    assert sorted(Conversation.objects.values_list("name", "message_count")) == [
        ("Invoice", 1),
        ("Order A1 is broken", 2),
    ]
    assert Attachment.objects.filter(filename="invoice.pdf").count() == 1
    box = Mailbox.objects.get()
    assert box.imap_last_uid == 3 and box.imap_error == "" and box.imap_checked_at
    # a second run takes nothing; new mail is taken alone
    assert fetch_mail() == "support@acme.test: 0 new\n"
    dovecot.deliver(corpus.plain(subject="Later").as_bytes())
    assert fetch_mail() == "support@acme.test: 1 new\n"
    assert Message.objects.count() == 4
    # the server keeps the mail (read-only fetch): other clients still see it unread
    client = dovecot.client()
    client.select("INBOX", readonly=True)
    assert client.search(None, "UNSEEN")[1][0].split() == [b"1", b"2", b"3", b"4"]
    client.logout()


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
    imap_box, dovecot, monkeypatch
):
    for n in range(5):
        dovecot.deliver(corpus.plain(subject=f"Question {n}").as_bytes())
    real_accept = inbound.accept
    calls = []

    def dies_on_the_third(**kwargs):
        calls.append(1)
        result = real_accept(**kwargs)
        if len(calls) == 3:
            # the worker is killed after writing the third message, before its UID is saved
            raise SystemExit("killed")
        return result

    monkeypatch.setattr(inbound, "accept", dies_on_the_third)
    with pytest.raises(SystemExit):
        fetch_mail()
    client = dovecot.client()
    client.select("INBOX", readonly=True)
    uids = sorted(int(u) for u in client.uid("SEARCH", None, "ALL")[1][0].split())
    client.logout()
    # the first two are in, with their UIDs; the third rolled back with the UID it would save
    assert Message.objects.count() == 2 and Mailbox.objects.get().imap_last_uid == uids[1]
    monkeypatch.setattr(inbound, "accept", real_accept)
    assert fetch_mail() == "support@acme.test: 3 new\n"
    assert sorted(Conversation.objects.values_list("name", flat=True)) == [
        f"Question {n}" for n in range(5)
    ]


def test_a_renumbered_folder_is_read_again_without_duplicates(imap_box, dovecot):
    dovecot.deliver(corpus.plain(subject="One").as_bytes())
    fetch_mail()
    Mailbox.objects.update(imap_uidvalidity=1)  # as if the server had renumbered the folder
    dovecot.deliver(corpus.plain(subject="Two").as_bytes())
    assert fetch_mail() == "support@acme.test: 2 new\n"
    assert sorted(Conversation.objects.values_list("name", flat=True)) == ["One", "Two"]
    assert Received.objects.filter(detail="Already received.").count() == 1


def test_a_wrong_password_is_shown_on_the_mailbox(imap_box, dovecot):
    Mailbox.objects.update(imap_password=crypto.encrypt("wrong"))
    out = fetch_mail()
    assert "support@acme.test:" in out and "Sign-in" in out or "AUTHENTICATIONFAILED" in out
    box = Mailbox.objects.get()
    assert box.imap_error and box.imap_lease_until is None
    assert Message.objects.count() == 0


def test_the_password_is_stored_encrypted(imap_box):
    stored = Mailbox.objects.values_list("imap_password", flat=True).get()
    assert imapserver.PASSWORD not in stored and stored.startswith("gAAAAA")
    assert crypto.decrypt(stored) == imapserver.PASSWORD


def test_an_admin_fetches_now_from_the_settings_page(imap_box, dovecot, client, admin_user):
    dovecot.deliver(corpus.plain(subject="Urgent").as_bytes())
    client.force_login(admin_user)
    r = client.post(f"/settings/mailboxes/{imap_box.pk}/fetch/", follow=True)
    page = r.content.decode()
    assert "1 new email taken in." in page and "Opened a conversation" in page
    assert Conversation.objects.get().name == "Urgent"
