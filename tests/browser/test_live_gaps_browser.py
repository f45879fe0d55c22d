"""Live pages stay right in the cases an audit found broken: a bulk import reaches an open page,
pushes keep to the filter chips, the author's own page is complete, the bell follows marking
read in another tab, sign-out closes the other tabs' socket, notification toasts open the note,
presence is per tab with an expiry, and server-formatted times are left alone."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

# What the socket delivered is written onto <html data-heard>, where a locator can wait for it:
# the page's CSP (no 'unsafe-eval') refuses a string predicate that has to be polled.
RECORD_EVENTS = """
document.addEventListener("kdesk:event", function (e) {
  var root = document.documentElement;
  root.dataset.heard = (root.dataset.heard || "") + JSON.stringify(e.detail.ops);
});
"""


def bell(page):
    return int(page.locator("#notif-count").inner_text() or 0)


@pytest.fixture
def world(db):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="gaps-e2e", name="Gaps E2E")
    who = people(org)
    customer, conversation = build(org, who)
    return org, who, customer, conversation


def test_bulk_orders_appear_and_pushes_keep_to_the_filter(world, signed_in, server, make_key):
    org, who, customer, _ = world
    url = f"/customers/{customer.pk}/"
    lee = signed_in(who["lee"])
    lee.goto(url + "?kind=kobject")  # the "Objects" chip
    lee.wait_for_selector("#timeline-entries .tl-kobject")
    lee.evaluate(RECORD_EVENTS)
    sam = signed_in(who["sam"])
    sam.goto(url)
    lee.wait_for_selector("#presence:has-text('Sam Rivera')")

    # a note is pushed to Lee's page, which shows objects only: it stays out
    sam.click("#compose [role=tab][data-mode=note]")
    sam.fill("#compose-body", "not an object, stay out")
    sam.keyboard.press("Control+Enter")
    sam.wait_for_selector(".tl-note:has-text('stay out')")
    expect(lee.locator("html")).to_have_attribute("data-heard", re.compile("stay out"))
    assert lee.locator("#timeline-entries .tl-note").count() == 0
    assert lee.locator("#timeline-entries [data-kind=note]").count() == 0

    # 25 orders in one API call: one refresh, and the open pages reload to show them
    _, token = make_key(org)
    items = [
        {
            "title": f"Bulk order {i}",
            "externalId": f"B-{i}",
            "customer": str(customer.pk),
            "data": {"orderNumberStr": f"B-{i}"},
        }
        for i in range(25)
    ]
    response = httpx.post(
        f"{server}/v1/klasses/order/bulk",
        headers={"Authorization": f"Bearer {token}"},
        json=items,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    for page in (lee, sam):
        page.wait_for_selector(
            "#timeline-entries .tl-kobject:has-text('Bulk order 24')", timeout=8000
        )
    assert lee.locator("#timeline-entries .tl-note").count() == 0  # still filtered
    assert lee.locator(".chip.is-active[data-chip=kobject]").count() == 1


def test_the_authors_page_is_complete_without_duplicates(world, signed_in, screenshot):
    from customers.models import Customer

    org, who, _, _ = world
    newcomer = Customer.objects.create(org=org, name="Nadia New")
    sam = signed_in(who["sam"])
    sam.goto(f"/customers/{newcomer.pk}/")
    sam.wait_for_selector("#conversation-card:has-text('No conversation yet')")

    # server-formatted absolute times are left as written (with the year), not rewritten
    since = sam.locator("#insights time[data-absolute]").first
    assert since.inner_text() == newcomer.created_at.strftime("%b %-d, %Y")

    sam.fill("#compose-body", "Welcome aboard, Nadia")
    sam.keyboard.press("Control+Enter")
    sam.wait_for_selector("#conversation-select")
    assert "No conversation yet" not in sam.inner_text("#conversation-card")
    sam.click("#compose [role=tab][data-mode=note]")
    sam.fill("#compose-body", "first internal note here")
    sam.keyboard.press("Control+Enter")
    sam.wait_for_selector(".tl-note:has-text('first internal note here')")
    assert sam.locator("#compose .form-errors").count() == 0
    # the pushes of the author's own writes have landed: the page applied the newest event
    from kdesk.models import Event

    newest = Event.objects.filter(org=org, customer_id=newcomer.pk).latest("pk").pk
    expect(sam.locator("html")).to_have_attribute("data-live-seen", str(newest))
    # (waited for, not counted at once: a push that arrived out of order is fetched again by
    # the page's gap fill, which may still be on its way when the newest event is marked seen)
    entries = sam.locator("#timeline-entries")
    expect(entries.locator(".tl-out:has-text('Welcome aboard')")).to_have_count(1)
    expect(entries.locator(".tl-note:has-text('first internal note')")).to_have_count(1)
    # the conversation the reply started: pushed to the author too (the response had no entry)
    expect(entries.locator(".tl-conversation:has-text('opened')")).to_have_count(1)
    ids = sam.eval_on_selector_all("#timeline-entries > li[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))
    screenshot(sam, "live-author-page")


def test_reading_in_one_tab_updates_the_other_and_sign_out_closes_it(world, signed_in):
    org, who, customer, _ = world
    lee = signed_in(who["lee"])  # Lee was mentioned by build()
    other = lee.context.new_page()
    other.goto(f"/customers/{customer.pk}/")
    other.wait_for_selector("#timeline-entries .tl-entry")
    lee.goto("/notifications/")
    assert bell(lee) == bell(other) == 1
    lee.click("button:has-text('Mark all read')")
    expect(lee.locator("#notif-count")).to_be_hidden()
    expect(other.locator("#notif-count")).to_be_hidden()
    assert bell(other) == 0

    lee.click("button:has-text('Sign out')")
    lee.wait_for_url("**/login/**")
    other.wait_for_selector("#conn-banner:has-text('Signed out')")


def test_a_toast_opens_the_note_and_presence_is_per_tab(world, signed_in):
    org, who, customer, _ = world
    url = f"/customers/{customer.pk}/"
    sam = signed_in(who["sam"])
    sam.goto(url)
    lee = signed_in(who["lee"])
    lee.goto(url)
    sam.wait_for_selector("#presence:has-text('Lee Chen')")

    # Lee opens a second tab and closes it: Lee is still here (the first tab is)
    second = lee.context.new_page()
    second.goto(url)
    second.wait_for_selector("#presence:has-text('Sam Rivera')")
    expect(sam.locator("#presence")).to_have_attribute("data-tabs", "2")
    second.close()
    expect(sam.locator("#presence")).to_have_attribute("data-tabs", "1")
    assert sam.locator("#presence:has-text('Lee Chen')").count() == 1
    # a tab not heard from for longer than the TTL (its process died) is dropped
    sam.evaluate("kdesk.presenceSweep(Date.now() + 120000)")
    assert sam.locator("#presence .presence-person").count() == 0

    # a mention toasts on Lee's inbox; its link opens the note, highlighted
    lee.goto("/inbox/")
    lee.wait_for_selector("[data-inbox-row]")
    expect(lee.locator("html")).to_have_attribute(
        "data-live-subscribed", re.compile(r"(^| )notifications( |$)")
    )
    sam.click("#compose [role=tab][data-mode=note]")
    sam.fill("#compose-body", "@lee the toast should open me")
    sam.keyboard.press("Control+Enter")
    link = lee.locator("#toasts a:has-text('mentioned you')")
    link.wait_for(timeout=5000)
    link.click()
    lee.wait_for_selector(".tl-entry.is-highlighted")
    assert "the toast should open me" in lee.inner_text(".tl-entry.is-highlighted")
    assert "?note=" in lee.url
