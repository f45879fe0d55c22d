"""The email channel in the browser: an admin's mailbox page; an agent answers an email, the
reply is really sent (a loopback SMTP server receives it) and the entry shows it sent; the
customer's answer, delivered through the email hook, appears live in the same conversation with
its attachments."""

import urllib.request

import pytest
from aiosmtpd.controller import Controller

from tests.mail import corpus
from tests.mail.conftest import SmtpSink, free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server(tmp_path):
    """Our own daphne: this one may send to loopback SMTP and keeps files in a temp dir."""
    from tests.servers import start_daphne, stop

    with open(tmp_path / "daphne.log", "w") as log:
        proc, base = start_daphne(
            log=log, OUTBOUND_ALLOW_PRIVATE="true", MEDIA_ROOT=str(tmp_path / "media")
        )
        yield base
        stop(proc)


@pytest.fixture
def sink():
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def test_an_agent_answers_an_email_and_the_customer_answers_back(
    browser, mail_server, sink, org, screenshot, settings, tmp_path
):
    from apps_directory.hooks.services import hook_create
    from conversations.models import Conversation
    from mail import inbound, services
    from tests.factories import UserFactory

    settings.MEDIA_ROOT = str(tmp_path / "media")
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    services.mailbox_create(
        org=org,
        actor=admin,
        data={
            "address": "support@acme.test",
            "displayName": "Acme Support",
            "smtpHost": "127.0.0.1",
            "smtpPort": sink.port,
            "smtpSecurity": "none",
            "smtpUser": "",
        },
    )
    hook = hook_create(org=org, actor=admin, data={"name": "Inbound mail", "kind": "email"})
    first = corpus.with_inline_image_and_attachment(message_id="<start@example.com>")
    inbound.accept(org=org, raw=first.as_bytes(), source="hook")
    inbound.accept(org=org, raw=corpus.auto_reply().as_bytes(), source="hook")
    conversation = Conversation.objects.get()

    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=mail_server)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/inbox/**")

    page.goto("/settings/mailboxes/")
    page.get_by_role("link", name="support@acme.test").click()
    assert page.get_by_text("Opened a conversation").is_visible()
    assert page.get_by_text("An automatic reply (Auto-Submitted: auto-replied).").is_visible()
    screenshot(page, "email-mailbox-settings")

    page.goto(f"/customers/{conversation.customer_id}/")
    assert page.get_by_text("Sent by email from").is_visible()
    page.locator(".attachment a", has_text="invoice.pdf").wait_for()
    page.locator("#compose-body").fill("Sorry about that! A new one is on its way.")
    page.get_by_role("button", name="Send reply").click()
    sent = page.locator('.mail-status[data-status="sent"]')
    sent.wait_for(timeout=20_000)
    assert sent.inner_text() == "Sent"
    email = sink.parsed()
    assert email["In-Reply-To"] == "<start@example.com>"
    assert email.get_body(("plain",)).get_content().startswith("Sorry about that!")

    # the customer answers; the provider posts it to the email hook; it appears live
    answer = corpus.plain(
        subject="Re: Order A1 is broken",
        body="Thanks, received the tracking number.",
        in_reply_to=email["Message-ID"],
    )
    answer.add_attachment(corpus.picture(), maintype="image", subtype="png", filename="receipt.png")
    request = urllib.request.Request(
        mail_server + hook.path,
        data=answer.as_bytes(),
        headers={"Content-Type": "message/rfc822"},
        method="POST",
    )
    assert urllib.request.urlopen(request, timeout=20).status == 202
    page.get_by_text("Thanks, received the tracking number.").wait_for(timeout=20_000)
    page.locator(".attachment a", has_text="receipt.png").wait_for(timeout=20_000)
    assert Conversation.objects.get().message_count == 3
    screenshot(page, "email-conversation")
    context.close()
