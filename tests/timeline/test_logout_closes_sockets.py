"""Signing out closes the sockets that browser session opened (code 4401, so the page does not
reconnect); the same person's other sessions stay connected."""

import pytest
from asgiref.sync import sync_to_async

from tests.timeline.live_helpers import Browser, desk_world, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_sign_out_closes_that_sessions_sockets_with_4401():
    org, who, grace, conversation, newcomer = await desk_world()
    laptop = await Browser.sign_in(who["sam"])
    phone = await Browser.sign_in(who["sam"])
    tabs = [await laptop.socket("a"), await laptop.socket("b")]
    elsewhere = await phone.socket("c")
    for tab in [*tabs, elsewhere]:
        await subscribe(tab, f"customer.{grace.pk}")
        await subscribe(tab, "notifications")
    for tab in [*tabs, elsewhere]:
        while not await tab.receive_nothing(timeout=0.1):
            await tab.receive_json_from()  # presence of each other

    response = await sync_to_async(laptop.client.post)("/logout/")
    assert response.status_code == 302
    for tab in tabs:
        closed = await tab.receive_output(timeout=2)
        assert closed == {"type": "websocket.close", "code": 4401}
    await elsewhere.send_json_to({"action": "subscribe", "topic": "inbox"})
    assert (await elsewhere.receive_json_from())["type"] == "subscribed"
    await elsewhere.disconnect()
