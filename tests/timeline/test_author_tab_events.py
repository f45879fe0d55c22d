"""The tab that made a change skips only what its own response rendered: everything else the
change caused (a conversation a reply started, the cards after an inline edit) still reaches it,
and every event id does, so its replay cursor keeps up."""

import re

import pytest

from tests.timeline.live_helpers import Browser, desk_world, events_until, refresh_parts, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_a_reply_that_starts_a_conversation_shows_it_on_the_authors_page():
    org, who, grace, conversation, newcomer = await desk_world()
    sam = await Browser.sign_in(who["sam"])
    tab = await sam.socket("sams-tab")
    topic = f"customer.{newcomer.pk}"
    await subscribe(tab, topic)

    response = await sam.post(
        f"/customers/{newcomer.pk}/compose/", {"mode": "reply", "body": "Welcome!"}, tab="sams-tab"
    )
    assert response.status_code == 200
    html = response.content.decode()
    # the response brings the conversation card with the new conversation chosen
    assert 'id="conversation-wrap"' in html and 'hx-swap-oob="true"' in html
    assert "No conversation yet" not in html
    new_id = re.search(r'<option value="(\d+)" selected', html).group(1)

    # the author's socket still gets the events: the conversation.create entry the response
    # did not render, and no conversation refresh (the response rendered the card)
    messages = await events_until(tab, lambda m: "Welcome!" in str(m.get("ops")))
    assert any("opened the conversation" in op.get("html", "") for m in messages for op in m["ops"])
    assert not any("conversation" in refresh_parts(m) for m in messages)

    # the next note goes to that conversation instead of failing with "Open a conversation first"
    response = await sam.post(
        f"/customers/{newcomer.pk}/compose/",
        {"mode": "note", "body": "first note", "conversation": new_id},
        tab="sams-tab",
    )
    assert response.status_code == 200, response.content.decode()
    await tab.disconnect()


async def test_saving_the_conversation_card_skips_only_the_card_refresh_for_the_author():
    org, who, grace, conversation, newcomer = await desk_world()
    sam = await Browser.sign_in(who["sam"])
    lee = await Browser.sign_in(who["lee"])
    mine, theirs = await sam.socket("sams-tab"), await lee.socket("lees-tab")
    topic = f"customer.{grace.pk}"
    await subscribe(mine, topic)
    await subscribe(theirs, topic)
    await events_until(mine, lambda m: m["type"] == "presence")  # Lee arrived

    response = await sam.post(
        f"/customers/{grace.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "assignedTeam": who["billing"].pk},
        tab="sams-tab",
    )
    assert response.status_code == 200

    def is_event(m):
        return m["type"] == "event"

    own = (await events_until(mine, is_event))[-1]
    other = (await events_until(theirs, is_event))[-1]
    assert own["id"] == other["id"]
    assert own["ops"][0]["op"] == "prepend"  # shown once: the page swaps entries by id
    assert "conversation" not in refresh_parts(own)
    assert "conversation" in refresh_parts(other)
    await mine.disconnect()
    await theirs.disconnect()


async def test_an_inline_edit_still_refreshes_the_authors_cards():
    org, who, grace, conversation, newcomer = await desk_world()
    sam = await Browser.sign_in(who["sam"])
    lee = await Browser.sign_in(who["lee"])
    mine, theirs = await sam.socket("sams-tab"), await lee.socket("lees-tab")
    topic = f"customer.{grace.pk}"
    await subscribe(mine, topic)
    await subscribe(theirs, topic)
    await events_until(mine, lambda m: m["type"] == "presence")

    response = await sam.post(
        f"/customers/{grace.pk}/attributes/tierStr/", {"value": "gold"}, tab="sams-tab"
    )
    assert response.status_code == 200

    def is_event(m):
        return m["type"] == "event"

    own = (await events_until(mine, is_event))[-1]
    other = (await events_until(theirs, is_event))[-1]
    assert refresh_parts(own) == ["cards"]  # the response rendered the row itself
    assert sorted(refresh_parts(other)) == ["attributes", "cards"]
    await mine.disconnect()
    await theirs.disconnect()
