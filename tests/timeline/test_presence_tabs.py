"""Presence is per socket (one per tab), with heartbeats: closing one of a person's two tabs keeps
them listed, a beat keeps a tab alive without making everyone answer, and a person's own tabs do
not list them."""

import pytest

from tests.timeline.live_helpers import Browser, desk_world, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def presence_until(comm, predicate):
    """Presence messages until one satisfies `predicate`; with the Redis pub/sub layer their
    order varies ("here" answers and "viewing" announcements cross), so tests wait, not count."""
    while True:
        message = await comm.receive_json_from(timeout=2)
        if message["type"] == "presence" and predicate(message):
            return message


async def drain(comm):
    out = []
    while not await comm.receive_nothing(timeout=0.3):
        out.append(await comm.receive_json_from())
    return out


async def test_each_tab_is_its_own_presence():
    org, who, grace, conversation, newcomer = await desk_world()
    topic = f"customer.{grace.pk}"
    lee = await (await Browser.sign_in(who["lee"])).socket("lee")
    await subscribe(lee, topic)
    sam = await Browser.sign_in(who["sam"])
    first, second = await sam.socket("one"), await sam.socket("two")
    await subscribe(first, topic)
    a = await presence_until(lee, lambda m: m["user"] == who["sam"].pk)
    await subscribe(second, topic)
    b = await presence_until(lee, lambda m: m["user"] == who["sam"].pk and m["conn"] != a["conn"])
    assert a["conn"] and b["conn"]
    assert {a["state"], b["state"]} <= {"viewing", "here"}
    # each of Sam's tabs hears of Lee, never of its sibling tab
    for tab in (first, second):
        seen = [m for m in await drain(tab) if m["type"] == "presence"]
        assert seen and {m["user"] for m in seen} == {who["lee"].pk}

    await second.disconnect()
    gone = await presence_until(lee, lambda m: m["state"] == "left")
    assert gone["conn"] == b["conn"]  # the first tab stays
    await first.disconnect()
    await lee.disconnect()


async def test_a_heartbeat_repeats_the_state_and_is_not_answered():
    org, who, grace, conversation, newcomer = await desk_world()
    topic = f"customer.{grace.pk}"
    lee = await (await Browser.sign_in(who["lee"])).socket("lee")
    sam = await (await Browser.sign_in(who["sam"])).socket("sam")
    await subscribe(lee, topic)
    await subscribe(sam, topic)
    await presence_until(lee, lambda m: m["user"] == who["sam"].pk)
    await drain(lee)
    await drain(sam)

    await sam.send_json_to({"action": "presence", "topic": topic, "state": "viewing", "beat": True})
    beat = await presence_until(lee, lambda m: m["beat"])
    assert beat["state"] == "viewing" and beat["user"] == who["sam"].pk
    assert await sam.receive_nothing(timeout=0.3)  # no "here" flood every beat
    await lee.disconnect()
    await sam.disconnect()
