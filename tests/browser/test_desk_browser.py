"""End to end on the agent desk: find a customer, read the timeline, scroll, @mention, close a
conversation through its validation rule, and KView fallbacks. Screenshots in test-artifacts/."""

import pytest

from tests.timeline.desk_data import add_events, build, people

pytestmark = pytest.mark.django_db(transaction=True)


def view_shot(page, name):
    """The visible part only (the full-page shots are very tall)."""
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-view.png"))


@pytest.fixture
def desk_org(db):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="desk-e2e", name="Desk E2E")
    who = people(org)
    customer, conversation = build(org, who)
    return org, who, customer, conversation


def test_agent_works_a_customer_end_to_end(desk_org, signed_in, screenshot):
    org, who, customer, conversation = desk_org
    add_events(org, customer, 60)  # old chat history, to scroll through
    page = signed_in(who["sam"])
    page.wait_for_selector("[data-inbox-row]")
    assert "Grace Hopper" in page.inner_text("#inbox-list")
    screenshot(page, "desk-inbox")

    # find the customer: "/" focuses the search box; an exact email jumps straight there
    page.keyboard.press("/")
    page.keyboard.type("grace@example.com")
    assert page.input_value("#global-search") == "grace@example.com"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/customers/{customer.pk}/"), page.url
    page.wait_for_selector("#cards .kview-card")
    page.frame_locator("iframe.kview-frame").locator(".demo-points").wait_for()

    texts = page.locator("#timeline-entries .tl-entry").all_inner_texts()
    joined = "\n".join(texts)
    note_at = joined.index("can you chase the carrier")
    reply_at = joined.index("checking with the carrier")
    inbound_at = joined.index("has not arrived yet")
    assert note_at < reply_at < inbound_at
    assert page.locator("#timeline-entries .tl-kobject").count() > 0
    assert page.locator(".tl-note .mention[data-handle=lee]").count() == 1
    screenshot(page, "desk-customer")
    view_shot(page, "desk-customer")

    # scroll: older entries arrive by keyset as the sentinel is revealed
    before = page.locator("#timeline-entries .tl-item").count()
    page.locator(".tl-more").scroll_into_view_if_needed()
    page.locator("#timeline-entries .tl-item").nth(before).wait_for()
    assert page.locator("#timeline-entries .tl-item").count() > before

    # expand an order entry: its timeline KView
    page.locator(".tl-kobject details.kview summary").first.click()
    page.wait_for_selector(".tl-kobject .kview-body a:has-text('Open in order admin')")
    link = page.locator(".tl-kobject .kview-body a:has-text('Open in order admin')").first
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("href").startswith("https://admin.example.com/orders?email=grace")

    # a note with an @mention picked from the autocomplete ("n" focuses a new note)
    page.locator("h1").click()
    page.keyboard.press("n")
    assert page.evaluate("document.activeElement.id") == "compose-body"
    page.keyboard.type("Thanks @le")
    page.wait_for_selector("#compose-suggest li:has-text('@lee')")
    screenshot(page, "desk-mention-autocomplete")
    view_shot(page, "desk-mention-autocomplete")
    page.keyboard.press("Enter")
    page.keyboard.type("the carrier called back.")
    assert page.input_value("#compose-body") == "Thanks @lee the carrier called back."
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".tl-note:has-text('the carrier called back') .mention[data-handle=lee]")
    first = page.locator("#timeline-entries .tl-entry").first
    assert "the carrier called back" in first.inner_text()

    # close the conversation: the rule wants a resolution first; fix it inline
    page.select_option("#conv-status", "done")
    page.click("#conversation-card button[type=submit]")
    page.wait_for_selector("#conv-error-resolutionStr")
    assert "Pick a resolution" in page.inner_text("#conv-error-resolutionStr")
    assert page.evaluate("document.activeElement.id") == "conv-custom-resolutionStr"
    screenshot(page, "desk-close-needs-resolution")
    view_shot(page, "desk-close-needs-resolution")
    page.select_option("#conv-custom-resolutionStr", "answered")
    page.click("#conversation-card button[type=submit]")
    page.wait_for_selector("#conversation-card .pill-done")
    page.wait_for_selector("#timeline-entries .tl-conversation:has-text('changed the status')")
    assert page.locator("#conv-error-resolutionStr").count() == 0

    # inline edit of a custom attribute: an engine error beside the field, then a save
    page.click("#attr-lifetimeValueNum button.attr-edit")
    page.fill("#attr-input-lifetimeValueNum", "-5")
    page.click("#attr-lifetimeValueNum button[type=submit]")
    page.wait_for_selector("#attr-error-lifetimeValueNum")
    page.fill("#attr-input-lifetimeValueNum", "1250")
    page.click("#attr-lifetimeValueNum button[type=submit]")
    page.wait_for_selector("#attr-lifetimeValueNum button.attr-edit:has-text('1,250')")
    screenshot(page, "desk-customer-after")
    view_shot(page, "desk-customer-after")


def test_failing_and_escaping_kviews_render_safely(desk_org, signed_in, screenshot):
    from klasses.services import kview_create

    org, who, customer, _ = desk_org
    kview_create(
        org=org,
        actor=None,
        data={
            "name": "Broken card",
            "resource": "customer",
            "context": "insight-card",
            "position": -10,
            "template": "<p>ok</p>\n{{ customer.name.missing() }}",
        },
    )
    kview_create(
        org=org,
        actor=None,
        data={
            "name": "Escape attempt",
            "resource": "customer",
            "context": "insight-card",
            "position": -5,
            "template": "<p id='x'>{{ ''.__class__.__mro__ }}{{ ''.__class__.__base__.__subclasses__() }}"
            "<script>document.title='pwned'</script><img src=x onerror=alert(1)></p>",
        },
    )
    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/")
    page.wait_for_selector("#cards .kview-error")
    broken = page.locator("#cards section[aria-label='Broken card']")
    assert "Card unavailable" in broken.inner_text()
    assert broken.locator("pre").count() == 0  # agents do not see the error
    escape = page.locator("#cards section[aria-label='Escape attempt']")
    html = escape.inner_html()
    assert "<script" not in html and "onerror" not in html and "class '" not in html
    assert "subclasses" not in html
    assert page.title() != "pwned"
    screenshot(page, "desk-kview-fallback-agent")
    view_shot(page, "desk-kview-fallback-agent")

    admin = signed_in(who["ada"])
    admin.goto(f"/customers/{customer.pk}/")
    admin.wait_for_selector("#cards section[aria-label='Broken card'] .kview-error pre")
    assert "(line 2)" in admin.inner_text("#cards section[aria-label='Broken card']")
    screenshot(admin, "desk-kview-fallback-admin")
    view_shot(admin, "desk-kview-fallback-admin")


def test_notification_opens_the_note_highlighted(desk_org, signed_in, screenshot):
    org, who, customer, _ = desk_org
    page = signed_in(who["lee"])
    page.goto("/notifications/")
    screenshot(page, "desk-notifications")
    page.click(".notif-link")
    page.wait_for_selector(".tl-entry.is-highlighted")
    assert "can you chase" in page.inner_text(".tl-entry.is-highlighted")
    page.goto("/shortcuts/")
    page.fill("#sc-name", "thanks")
    page.fill("#sc-payload", "Thanks {{customer.firstName}}, happy to help!")
    page.click("button:has-text('Create shortcut')")
    page.wait_for_selector("td:has-text('#thanks')")
    screenshot(page, "desk-shortcuts")
    page.goto(f"/customers/{customer.pk}/")
    page.click("#compose-body")
    page.keyboard.type("#tha")
    page.wait_for_selector("#compose-suggest li:has-text('#thanks')")
    page.keyboard.press("Enter")
    assert page.input_value("#compose-body") == "Thanks Grace, happy to help!"
