"""The composer's files and Cc in the browser: files picked and dropped are listed with name and
size and can be removed; one over the limit is refused with a clear error; a bad Cc address is
refused beside the field with the draft and the files kept; once fixed, the reply goes out by
SMTP with the files as MIME parts and the Cc header, and its entry lists the files."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_email_browser import mail_server, sink  # noqa: F401 (fixtures)
from tests.mail import corpus

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 4096


@pytest.fixture
def small_files_server(tmp_path):
    from tests.servers import start_daphne, stop

    with open(tmp_path / "daphne.log", "w") as log:
        proc, base = start_daphne(
            log=log,
            OUTBOUND_ALLOW_PRIVATE="true",
            MEDIA_ROOT=str(tmp_path / "media"),
            MAIL_ATTACHMENT_MAX_BYTES=str(LIMIT),
        )
        yield base
        stop(proc)


def test_an_agent_sends_files_and_cc_from_the_composer(
    browser,
    small_files_server,
    sink,  # noqa: F811
    org,
    screenshot,
    settings,
    tmp_path,
):
    from conversations.models import Conversation, Message
    from mail import inbound, services
    from mail.models import Attachment
    from tests.factories import UserFactory

    settings.MEDIA_ROOT = str(tmp_path / "media")
    agent = UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")
    services.mailbox_create(
        org=org,
        actor=None,
        data={
            "address": "support@acme.test",
            "displayName": "Acme Support",
            "smtpHost": "127.0.0.1",
            "smtpPort": sink.port,
            "smtpSecurity": "none",
        },
    )
    inbound.accept(
        org=org, raw=corpus.plain(message_id="<start@example.com>").as_bytes(), source="hook"
    )
    conversation = Conversation.objects.get()

    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, base_url=small_files_server
    )
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/inbox/**")
    page.goto(f"/customers/{conversation.customer_id}/")

    files = page.locator("#compose-file-list li")
    picker = page.locator("#compose-files-input")
    picker.set_input_files(
        [
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"},
            {"name": "shot.png", "mimeType": "image/png", "buffer": corpus.PNG},
            {"name": "draft.txt", "mimeType": "text/plain", "buffer": b"remove me"},
        ]
    )
    expect(files).to_have_count(3)
    expect(files.nth(0)).to_contain_text("plan.pdf")
    expect(files.nth(0)).to_contain_text("13 bytes")
    page.get_by_role("button", name="Remove draft.txt").click()
    expect(files).to_have_count(2)

    # a file over the limit is refused at once, the others stay
    picker.set_input_files(
        {"name": "huge.zip", "mimeType": "application/zip", "buffer": b"x" * (LIMIT + 1)}
    )
    error = page.locator("#compose-files-error")
    expect(error).to_contain_text("“huge.zip” (4.0 KB) is over the 4.0 KB limit for a file.")
    expect(files).to_have_count(2)

    # dropped on the reply box, a file joins the list
    dropped = page.evaluate_handle(
        "() => { const t = new DataTransfer();"
        " t.items.add(new File(['a,b'], 'rows.csv', {type: 'text/csv'})); return t; }"
    )
    page.locator("#compose-body").dispatch_event("drop", {"dataTransfer": dropped})
    expect(files).to_have_count(3)
    expect(files.nth(2)).to_contain_text("rows.csv")
    expect(error).to_be_hidden()

    # a bad Cc: refused beside the field, nothing sent, the text and the files kept
    page.locator("#compose-body").fill("Here is the plan and a screenshot.")
    page.get_by_label("Cc").fill("boss@example.com, not-an-address")
    page.get_by_role("button", name="Send reply").click()
    cc_error = page.locator("#compose-cc-error")
    expect(cc_error).to_have_text("“not-an-address” is not an email address.")
    expect(page.get_by_label("Cc")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#compose-body")).to_have_value("Here is the plan and a screenshot.")
    expect(page.get_by_label("Cc")).to_have_value("boss@example.com, not-an-address")
    expect(files).to_have_count(3)
    assert not Message.objects.filter(direction="out").exists()
    assert not Attachment.objects.filter(filename="plan.pdf").exists()
    screenshot(page, "email-compose-files-error")

    page.get_by_label("Cc").fill("boss@example.com")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator('.mail-status[data-status="sent"]')).to_be_visible()
    expect(files).to_have_count(0)  # the box is clear for the next reply
    expect(page.locator(".attachment a", has_text="plan.pdf")).to_be_visible()
    screenshot(page, "email-compose-files-sent")

    email = sink.parsed()
    assert email["Cc"] == "boss@example.com"
    assert sorted(sink.messages[-1]["rcpt"]) == ["ada@example.com", "boss@example.com"]
    parts = {p.get_filename(): p for p in email.iter_attachments()}
    assert set(parts) == {"plan.pdf", "shot.png", "rows.csv"}
    assert parts["plan.pdf"].get_content_type() == "application/pdf"
    assert parts["shot.png"].get_content_type() == "image/png"
    assert parts["shot.png"].get_content() == corpus.PNG
    assert parts["rows.csv"].get_content_type() == "text/csv"
    message = Message.objects.get(direction="out")
    assert message.cc == ["boss@example.com"] and len(message.attachments) == 3
    context.close()
