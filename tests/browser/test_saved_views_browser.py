"""Saved views in the browser: Sam saves a "VIP" view (tag vip) from the inbox; the sidebar
shows its count; when Ada tags another conversation vip in her own browser, Sam's count and
list follow live, without a reload."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_view_with_a_count_that_follows_live(db, signed_in, screenshot):
    from playwright.sync_api import expect

    from conversations import services as conv
    from customers.services import customer_create
    from tests.conversations.factories import TagFactory
    from tests.factories import OrganizationFactory
    from timeline.models import SavedView

    org = OrganizationFactory(slug="views-e2e", name="Views E2E")
    who = people(org)
    grace, grace_conv = build(org, who, orders=False)
    TagFactory(org=org, name="vip", color="#7c3aed")
    ken = customer_create(org=org, actor=None, data={"name": "Ken Tanaka"})
    message = conv.message_create(
        org=org,
        actor=None,
        customer=ken,
        data={"direction": "in", "channel": "chat", "body": "Is my refund through?"},
    )
    conv.conversation_update(
        org=org, actor=who["ada"], conversation=message.conversation, data={"tags": ["vip"]}
    )

    sam = signed_in(who["sam"])
    sam.goto("/inbox/")
    sam.get_by_role("link", name="New view").click()
    sam.get_by_label("Name", exact=True).fill("VIP")
    sam.get_by_label("Tag", exact=True).select_option("vip")
    screenshot(sam, "saved-view-form")
    sam.get_by_role("button", name="Create view").click()
    view = SavedView.objects.get(org=org, name="VIP")
    sam.wait_for_url(f"**/inbox/?view={view.pk}")
    count = sam.locator(f'[data-view-count="{view.pk}"]')
    count.wait_for()
    assert count.inner_text() == "1"
    assert sam.locator("[data-inbox-row]").count() == 1
    screenshot(sam, "saved-view-before")

    ada = signed_in(who["ada"])
    ada.goto(f"/customers/{grace.pk}/?conversation={grace_conv.pk}")
    ada.locator("#conv-tag-input").fill("vip")
    ada.keyboard.press("Enter")
    ada.locator("#conversation-card button[type=submit]:has-text('Save')").click()
    ada.locator("#conversation-card .conv-saved").wait_for()

    # Playwright's string predicates need eval, which the page's CSP refuses: locators poll.
    expect(count).to_have_text("2", timeout=10000)
    expect(sam.locator("[data-inbox-row]")).to_have_count(2)
    screenshot(sam, "saved-view-live-count")
