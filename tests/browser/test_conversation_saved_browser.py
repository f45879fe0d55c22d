"""The conversation card's "Saved." after a save moves nothing: the card keeps its size and
place, and so do its fields and buttons, while the confirmation shows (it used to push the
fields down for four seconds, then pull them back up); screen readers still hear it."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

# Where each piece of the card is on the page (document coordinates: a scroll is no move).
BOXES = """() => Object.fromEntries(
  ["#conversation-card", "#conv-status", "#conv-priority", "#conversation-card .conv-actions"]
    .map((sel) => {
      const r = document.querySelector(sel).getBoundingClientRect();
      return [sel, [r.left + scrollX, r.top + scrollY, r.width, r.height].map(Math.round)];
    }))"""


@pytest.mark.parametrize("width", [1280, 390])
def test_saved_shows_without_moving_the_card(db, signed_in, screenshot, width):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug=f"saved-{width}", name="Saved E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)

    page = signed_in(who["sam"], viewport={"width": width, "height": 900})
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    page.wait_for_load_state("networkidle")
    before = page.evaluate(BOXES)

    page.locator("#conv-priority").select_option("4")
    page.locator("#conversation-card button[type=submit]:has-text('Save')").click()
    saved = page.locator("#conversation-card .conv-saved")
    saved.wait_for(state="visible")
    during = page.evaluate(BOXES)
    screenshot(page, f"conversation-saved-{width}")

    assert saved.inner_text().strip() == "Saved."
    assert during == before
    # announced: the confirmation is inside a polite live region
    live = saved.locator("xpath=ancestor-or-self::*[@aria-live='polite']")
    assert live.count() == 1
