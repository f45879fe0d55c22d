"""Two agents, two browsers: a note by one appears live for the other, whose bell rises, and
each sees the other in the presence line."""

import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def bell(page):
    return int(page.locator("#notif-count").inner_text() or 0)


def test_a_mention_reaches_the_other_agent_live(db, signed_in, screenshot):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="live-e2e", name="Live E2E")
    who = people(org)
    customer, _ = build(org, who, orders=False)
    url = f"/customers/{customer.pk}/"

    lee = signed_in(who["lee"])
    lee.goto(url)
    lee.wait_for_selector("#timeline-entries .tl-entry")
    before = bell(lee)

    sam = signed_in(who["sam"])
    sam.goto(url)
    sam.wait_for_selector("#timeline-entries .tl-entry")

    # presence both ways
    lee.wait_for_selector("#presence:has-text('Sam Rivera')")
    sam.wait_for_selector("#presence:has-text('Lee Chen')")

    # Sam writes a note mentioning Lee; Lee sees "writing a note" first
    sam.locator("h1").click()
    sam.keyboard.press("n")
    sam.keyboard.type("Over to you @le")
    lee.wait_for_selector("#presence:has-text('writing a note')")
    sam.wait_for_selector("#compose-suggest li:has-text('@lee')")
    sam.keyboard.press("Enter")
    sam.keyboard.type("the parcel is lost, please refund")
    sam.keyboard.press("Control+Enter")
    sam.wait_for_selector(".tl-note:has-text('please refund')")

    # Lee: the note arrives without a reload, and the bell rises by one
    lee.wait_for_selector("#timeline-entries .tl-note:has-text('please refund')", timeout=5000)
    expect(lee.locator("#notif-count")).to_have_text(str(before + 1))
    assert lee.locator("#timeline-entries .tl-note:has-text('please refund')").count() == 1
    assert sam.locator("#timeline-entries .tl-note:has-text('please refund')").count() == 1
    screenshot(lee, "live-mention-received")
