"""Bulk actions in the browser: select 20 inbox rows (one click, a shift-click for the range,
`x` for one more with j), assign them all to Lee at once; the bar reports it and the rows
show the new assignee."""

import pytest

from tests.timeline.desk_data import people

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_assign_of_twenty_rows(db, signed_in, screenshot):
    from playwright.sync_api import expect

    from conversations import services as conv
    from conversations.models import Conversation
    from customers.services import customer_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="bulk-e2e", name="Bulk E2E")
    who = people(org)
    for i in range(21):
        customer = customer_create(org=org, actor=None, data={"name": f"Customer {i:02d}"})
        conv.message_create(
            org=org,
            actor=None,
            customer=customer,
            data={"direction": "in", "channel": "chat", "body": f"question {i}"},
        )

    page = signed_in(who["sam"])
    page.goto("/inbox/")
    boxes = page.locator("[data-row-select]")
    boxes.first.wait_for()
    assert boxes.count() == 21
    boxes.nth(0).click()
    boxes.nth(18).click(modifiers=["Shift"])  # rows 0..18
    assert page.locator("[data-bulk-count]").inner_text() == "19"
    page.locator("h1").click()
    for _ in range(20):
        page.keyboard.press("j")  # to row 19
    page.keyboard.press("x")
    assert page.locator("[data-bulk-count]").inner_text() == "20"
    page.locator("#bulk-user").select_option(label="Lee Chen")
    page.screenshot(
        path=str(screenshot(page, "inbox-bulk-selected").with_name("inbox-bulk-bar.png"))
    )
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#desk-announce")).to_contain_text("20 conversations assigned to Lee")
    expect(page.locator(".inbox-row .assignee:has-text('Lee Chen')")).to_have_count(20)
    assert Conversation.objects.filter(org=org, assigned_user=who["lee"]).count() == 20
    assert page.locator("[data-bulk-bar]").is_hidden()
    screenshot(page, "inbox-bulk-done")
