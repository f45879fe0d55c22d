"""Notifications on a phone (390 px): the text takes the row's width and "Mark read" goes under
it (beside it, the text was a column a few words wide); marking one read still works."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notification_reads_across_a_phone(db, signed_in, screenshot):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="notif-phone", name="Notifications phone")
    who = people(org)
    build(org, who, orders=False)  # Sam's note mentions @lee
    page = signed_in(who["lee"], viewport={"width": 390, "height": 844})
    page.goto("/notifications/")
    item = page.locator(".notification-item").first
    text = item.locator(".notif-link").bounding_box()
    button = item.get_by_role("button", name="Mark").bounding_box()
    assert text["width"] >= 250, text
    assert button["y"] >= text["y"] + text["height"], (text, button)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "notifications-phone")
    item.get_by_role("button", name="Mark").click()
    page.locator(".notification-item.is-unread").wait_for(state="detached")
