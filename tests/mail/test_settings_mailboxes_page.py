"""/settings/mailboxes/: admins add and edit mailboxes; errors beside the fields, in words
people read; the password is never shown back; recent mail is listed with what happened."""

import pytest

from mail import crypto
from mail.models import Mailbox
from tests.mail import corpus

pytestmark = pytest.mark.django_db

FORM = {
    "address": "support@acme.test",
    "display_name": "Acme Support",
    "enabled": "on",
    "sending": "smtp",
    "smtp_host": "smtp.acme.test",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_user": "support",
    "smtp_password": "pw-123",
    "imap_port": "993",
    "imap_security": "ssl",
    "imap_folder": "INBOX",
}


def test_an_admin_adds_a_mailbox(client, admin_user):
    client.force_login(admin_user)
    r = client.get("/settings/mailboxes/")
    assert r.status_code == 200 and b"No mailboxes yet" in r.content
    r = client.post("/settings/mailboxes/", FORM)
    box = Mailbox.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/settings/mailboxes/{box.pk}/"
    assert crypto.decrypt(box.smtp_password) == "pw-123"
    page = client.get(r["Location"]).content.decode()
    assert "support@acme.test" in page and "pw-123" not in page and "SMTP stored" in page
    # saving without a password keeps the stored one
    r = client.post(
        f"/settings/mailboxes/{box.pk}/", {**FORM, "smtp_password": "", "display_name": "Help"}
    )
    assert r.status_code == 302
    box.refresh_from_db()
    assert box.display_name == "Help" and crypto.decrypt(box.smtp_password) == "pw-123"


def test_errors_are_shown_beside_fields_in_plain_words(client, admin_user):
    client.force_login(admin_user)
    r = client.post(
        "/settings/mailboxes/",
        {**FORM, "address": "nope", "smtp_host": "", "imap_enabled": "on", "imap_host": "x y"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "is not an email address" in page
    assert "An SMTP server is needed to send from this mailbox." in page
    assert "IMAP user name is needed to fetch mail over IMAP." in page
    assert "imapUser" not in page and "smtpHost" not in page
    assert Mailbox.objects.count() == 0


def test_recent_mail_shows_what_happened(client, admin_user, org, mailbox):
    from mail import inbound

    inbound.accept(org=org, raw=corpus.plain().as_bytes(), source="hook")
    inbound.accept(org=org, raw=corpus.auto_reply().as_bytes(), source="hook")
    client.force_login(admin_user)
    page = client.get(f"/settings/mailboxes/{mailbox.pk}/").content.decode()
    assert "Opened a conversation" in page and "Order A1 is broken" in page
    assert "Ignored" in page and "An automatic reply (Auto-Submitted: auto-replied)." in page


def test_other_orgs_mailboxes_are_not_found(client, other_org, mailbox):
    from tests.factories import UserFactory

    client.force_login(UserFactory(org=other_org, role="admin", username="eve"))
    assert client.get(f"/settings/mailboxes/{mailbox.pk}/").status_code == 404
    assert client.post(f"/settings/mailboxes/{mailbox.pk}/delete/").status_code == 404
    assert Mailbox.objects.count() == 1
