"""Marking notifications read updates the bell of the tab that did it (HX-Trigger with the new
count) and of the person's other tabs (a push), never someone else's."""

import json

import pytest

from tests.timeline.live_helpers import Browser, desk_world, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_mark_all_read_updates_this_bell_and_the_other_tabs():
    org, who, grace, conversation, newcomer = await desk_world()  # Lee has one mention
    lee = await Browser.sign_in(who["lee"])
    here, there = await lee.socket("here"), await lee.socket("there")
    sam = await (await Browser.sign_in(who["sam"])).socket("sam")
    for tab in (here, there, sam):
        await subscribe(tab, "notifications")

    response = await lee.post("/notifications/read/", {}, tab="here")
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"kdesk-unread": {"count": 0}}
    assert await there.receive_json_from(timeout=2) == {"type": "unread", "count": 0}
    assert await here.receive_nothing(timeout=0.2)  # it has the header
    assert await sam.receive_nothing(timeout=0.2)
    for tab in (here, there, sam):
        await tab.disconnect()


async def test_a_plain_form_post_updates_every_tab():
    org, who, grace, conversation, newcomer = await desk_world()
    lee = await Browser.sign_in(who["lee"])
    tab = await lee.socket("any")
    await subscribe(tab, "notifications")
    response = await lee.post("/notifications/read/", {}, htmx=False)
    assert response.status_code == 302
    assert await tab.receive_json_from(timeout=2) == {"type": "unread", "count": 0}
    await tab.disconnect()
