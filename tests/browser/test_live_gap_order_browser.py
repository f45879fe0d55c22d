"""A push that went missing is noticed by the next one (its prev was never seen): the page
replays what it missed and shows the entries in order, the missed one below the newer one, and
the others on the page are not told again that it is viewing."""

import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

RECORD = """() => {
  window.__presence = [];
  document.addEventListener("kdesk:presence", function (e) { window.__presence.push(e.detail); });
}"""


@pytest.fixture
def world(db):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="gap-order-e2e", name="Gap Order E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    return org, who, customer, conversation


def test_a_missed_push_is_replayed_in_order_without_presence(world, signed_in, monkeypatch):
    from conversations.services import note_create
    from timeline import live

    org, who, customer, conversation = world
    url = f"/customers/{customer.pk}/"
    lee = signed_in(who["lee"])
    lee.goto(url)
    lee.wait_for_selector("#timeline-entries .tl-entry")
    sam = signed_in(who["sam"])
    sam.goto(url)
    sam.wait_for_selector("#presence:has-text('Lee Chen')")
    lee.wait_for_selector("#presence:has-text('Sam Rivera')")
    lee.evaluate(RECORD)
    sam.evaluate(RECORD)

    # a note whose push never reaches anyone (as if the channel layer had dropped it)
    with monkeypatch.context() as m:
        m.setattr(live, "get_channel_layer", lambda: None)
        note_create(
            org=org, actor=who["ada"], conversation=conversation, data={"body": "missed push"}
        )
    # no push went out for it (the layer was None when it was published): only the replay below
    # can bring it
    assert lee.locator(".tl-note:has-text('missed push')").count() == 0

    # the next push names it as its prev: Lee's page replays, and keeps the order
    sam.click("#compose [role=tab][data-mode=note]")
    sam.fill("#compose-body", "after the gap")
    sam.keyboard.press("Control+Enter")
    lee.wait_for_selector("#timeline-entries .tl-note:has-text('after the gap')", timeout=5000)
    lee.wait_for_selector("#timeline-entries .tl-note:has-text('missed push')", timeout=5000)
    texts = lee.eval_on_selector_all(
        "#timeline-entries > li[data-event-id]",
        "els => els.map(e => [Number(e.dataset.eventId), e.textContent])",
    )
    ids = [i for i, _ in texts]
    assert ids == sorted(ids, reverse=True)
    newer = next(n for n, (_, t) in enumerate(texts) if "after the gap" in t)
    missed = next(n for n, (_, t) in enumerate(texts) if "missed push" in t)
    assert newer < missed
    assert len(set(ids)) == len(ids)

    # no re-subscription: Sam heard no new "viewing" from Lee, and Lee no "here" answers. Each
    # then starts writing (Lee a note, Sam a reply), a marker sent after anything the replay
    # could have set off; once each sees the other's marker, all of that has arrived before it.
    lee.click("#compose [role=tab][data-mode=note]")
    lee.locator("#compose-body").press_sequentially("x")
    sam.click("#compose [role=tab][data-mode=reply]")
    sam.locator("#compose-body").press_sequentially("y")
    expect(sam.locator("#presence")).to_contain_text("Lee Chen is writing a note")
    expect(lee.locator("#presence")).to_contain_text("Sam Rivera is writing a reply")
    before = """marker => {
      const states = window.__presence.filter(p => !p.beat).map(p => p.state);
      return states.slice(0, states.lastIndexOf(marker));
    }"""
    assert "viewing" not in sam.evaluate(before, "noting")
    assert "here" not in lee.evaluate(before, "replying")
