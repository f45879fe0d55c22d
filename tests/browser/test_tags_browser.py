"""Tags in the browser: a customer tag added with Enter saves at once and shows as a chip; a
conversation tag saved with the card filters the inbox."""

import time

import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def eventually(read, expected, timeout=10):
    """The chip is drawn as the request goes out: the row may commit a moment later."""
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert value == expected


def test_tagging_a_customer_and_a_conversation(db, signed_in, screenshot):
    from conversations.models import Conversation
    from customers.models import Customer
    from kdesk.models import Event
    from tests.conversations.factories import TagFactory
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="tags-e2e", name="Tags E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    TagFactory(org=org, name="vip", color="#7c3aed")

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    page.locator("#customer-tag-input").fill("vip")
    page.keyboard.press("Enter")
    page.locator("#attr-tags .tag-chip:has-text('vip')").wait_for()
    expect(page.locator("#customer-tag-input")).to_be_focused()
    eventually(lambda: Customer.objects.get(pk=customer.pk).tags, ["vip"])
    # the customer's live refresh of the page settles first: its push is applied, then the
    # parts it reloads are back
    newest = Event.objects.filter(org=org, customer_id=customer.pk).latest("pk").pk
    expect(page.locator("html")).to_have_attribute("data-live-seen", str(newest))
    page.wait_for_load_state("networkidle")

    page.locator("#conv-tag-input").fill("refund")
    page.keyboard.press("Enter")
    assert page.locator("#conversation-card .tag-chip:has-text('refund')").count() == 1
    page.locator("#conversation-card button[type=submit]:has-text('Save')").click()
    page.locator("#conversation-card .conv-saved").wait_for()
    eventually(lambda: Conversation.objects.get(pk=conversation.pk).tags, ["refund"])
    screenshot(page, "tags-customer")

    page.goto("/inbox/?tag=refund")
    page.locator("[data-inbox-row]").first.wait_for()
    assert page.locator("[data-inbox-row]").count() == 1
    assert "Grace Hopper" in page.locator("[data-inbox-row]").inner_text()
