"""A background request that fails says so: sending a reply that the server refuses (a write
that collided with another, the database away) or that never reaches it shows a toast in
people's words, and the reply stays in the box to send again; nothing was sent."""

import pytest

from kdesk.page_messages import tell
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT = "Your parcel left the depot this morning."
BUSY = "Someone else was saving the same thing at that moment, so nothing was saved. Send it again."


def test_a_refused_or_unsent_reply_says_why_and_keeps_the_text(db, signed_in, screenshot):
    from playwright.sync_api import expect

    from conversations.models import Message
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="failed-send-e2e", name="Failed send E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    before = Message.objects.filter(org=org).count()

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    page.locator("#compose-body").fill(DRAFT)
    page.locator("#compose-body").dispatch_event("input")

    def refused(route):
        if route.request.method != "POST":
            return route.continue_()
        # what kdesk's collision page answers (kdesk/api/errors.write_collision)
        route.fulfill(
            status=503,
            headers=tell({"Retry-After": "1"}, BUSY),  # as kdesk encodes its words
            content_type="text/html",
            body="<!doctype html><title>Nothing was saved</title>",
        )

    page.route("**/*", refused)
    page.locator("#compose button[type=submit]").click()
    toast = page.locator("#toasts .toast-error")
    expect(toast).to_have_text(BUSY)
    assert toast.get_attribute("role") == "alert"
    assert page.locator("#compose-body").input_value() == DRAFT
    screenshot(page, "failed-send-toast")
    page.unroute("**/*")

    page.route(
        "**/*",
        lambda route: (
            route.abort("failed") if route.request.method == "POST" else route.continue_()
        ),
    )
    page.locator("#compose button[type=submit]").click()
    expect(page.locator("#toasts .toast-error").last).to_contain_text("could not be reached")
    assert page.locator("#compose-body").input_value() == DRAFT
    page.unroute("**/*")
    assert Message.objects.filter(org=org).count() == before

    page.locator("#compose button[type=submit]").click()  # sent for real this time
    page.locator(f"#timeline-entries .tl-entry:has-text('{DRAFT}')").wait_for()
    assert Message.objects.filter(org=org).count() == before + 1
