"""The session expires while an agent is writing: sending gets a banner, not a login form in
the compose box; the text stays (and is kept in the browser per conversation); signing in again
returns to the same conversation with the draft back, and nothing was sent behind their back."""

import re

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT = "Hi Grace, the carrier confirmed delivery for tomorrow morning."


def test_an_expired_session_keeps_the_draft_and_signs_back_in_to_the_same_place(
    db, signed_in, screenshot
):
    from django.contrib.sessions.models import Session
    from playwright.sync_api import expect

    from conversations.models import Message
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="expiry-e2e", name="Expiry E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    before = Message.objects.filter(org=org).count()
    url = f"/customers/{customer.pk}/?conversation={conversation.pk}"

    page = signed_in(who["sam"])
    page.goto(url)
    page.locator("#compose-body").fill(DRAFT)
    page.locator("#compose-body").dispatch_event("input")

    Session.objects.all().delete()  # the session expires server-side

    page.locator("#compose button[type=submit]").click()
    banner = page.locator("#signed-out")
    banner.wait_for(state="visible")
    assert "You were signed out" in banner.inner_text()
    assert page.locator("#compose-body").input_value() == DRAFT
    assert page.locator("#compose input[name=password]").count() == 0
    # Saving the status embeds no login form either.
    page.select_option("#conv-status", "done")
    with page.expect_response(lambda r: r.request.method == "POST" and "/conversation/" in r.url):
        page.locator("#conversation-card button[type=submit]:has-text('Save')").click()
    expect(page.locator("#conversation-card")).not_to_have_class(re.compile(r"htmx-request"))
    assert page.locator("#conversation-card input[name=password]").count() == 0
    assert page.locator("input[name=password]").count() == 0
    screenshot(page, "session-expired-banner")
    assert Message.objects.filter(org=org).count() == before

    with page.expect_navigation():
        page.locator("#signed-out-link").click()
    assert "/login/" in page.url and "next=" in page.url
    page.get_by_label("Email").fill(who["sam"].email)
    page.get_by_label("Password").fill("correct horse battery")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(url), page.url
    page.locator("#compose-body").wait_for()
    assert page.locator("#compose-body").input_value() == DRAFT
    assert Message.objects.filter(org=org).count() == before  # nothing resent silently

    page.locator("#compose button[type=submit]").click()
    page.locator(f"#timeline-entries .tl-entry:has-text('{DRAFT}')").wait_for()
    expect(page.locator("#compose-body")).to_have_value("")
    assert Message.objects.filter(org=org).count() == before + 1
    page.reload()
    page.locator("#compose-body").wait_for()
    assert page.locator("#compose-body").input_value() == ""  # the sent draft is forgotten
