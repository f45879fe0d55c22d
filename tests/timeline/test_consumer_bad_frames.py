"""Frames the desk socket cannot use (not JSON, binary, oversized, wrong types, absurd `last`
numbers) get an error frame and the socket keeps working; and however a consumer ends, even by
an error in a handler, its tab leaves the rooms it was in (others stop seeing it "viewing")."""

import json

import pytest

from kdesk.payload import MAX_ID
from tests.timeline.live_helpers import Browser, desk_world, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

DIGITS_5000 = "1" * 5000
LONG_LIST = [1] * 4000  # within the frame limit: refused for its type, not its size

NOT_JSON = [
    "not json",
    "{",
    '{"action": "subscribe",',
    "{'action': 'hello'}",
    "NaN",
    '{"action": "subscribe", "topic": "inbox", "last": 1e999}',
    '{"action": "subscribe", "topic": "inbox", "last": ' + DIGITS_5000 + "}",
    '{"action": "replay", "topic": "inbox", "last": -' + DIGITS_5000 + "}",
    "[" * 5000 + "]" * 5000,
    '{"action": "hello", "tab": "\\ud800"}',
    " ",
]
NOT_OBJECTS = ["null", "[]", "[1, 2]", '"subscribe"', "42", "true"]
OVERSIZED = [json.dumps({"action": "hello", "tab": "x" * 20_000}), json.dumps(list(range(5000)))]
BAD_LAST = [
    -1,
    0,
    1.5,
    1e3,
    -0.0,
    MAX_ID + 1,
    10**30,
    True,
    "abc",
    "-5",
    "１２",  # full-width digits
    "9" * 30,
    [1],
    LONG_LIST,
    {"id": 1},
]
BAD_FIELDS = [
    {"action": "subscribe", "topic": LONG_LIST},
    {"action": "subscribe", "topic": {"customer": 1}},
    {"action": "subscribe", "topic": 12},
    {"action": "subscribe"},
    {"action": "subscribe", "topic": "x" * 1000},
    {"action": "unsubscribe", "topic": ["inbox"]},
    {"action": "replay", "topic": None, "last": 1},
    {"action": "presence", "topic": "inbox", "state": ["viewing"]},
    {"action": "presence", "topic": "inbox", "state": {"s": 1}},
    {"action": "presence", "topic": "inbox", "state": "sleeping"},
    {"action": "presence", "topic": LONG_LIST, "state": "viewing"},
    {"action": "hello", "tab": LONG_LIST},
    {"action": "hello", "tab": {"a": 1}},
    {"action": LONG_LIST},
    {"action": {"a": 1}},
    {"action": 5},
    {},
    {"action": "reboot"},
]


async def alive(comm):
    """The socket still answers: a subscribe round trip."""
    await comm.send_json_to({"action": "unsubscribe", "topic": "inbox"})
    await subscribe(comm, "inbox")


async def error_for(comm, *, text=None, data=None):
    message = {"type": "websocket.receive"}
    if data is not None:
        message["bytes"] = data
    else:
        message["text"] = text
    await comm.send_input(message)
    reply = await comm.receive_json_from()
    assert reply["type"] == "error" and reply["detail"], reply
    await alive(comm)
    return reply["detail"]


async def presence_until(comm, predicate):
    while True:
        message = await comm.receive_json_from(timeout=3)
        if message["type"] == "presence" and predicate(message):
            return message


async def test_every_bad_frame_gets_an_error_frame_and_the_socket_stays():
    org, who, grace, conversation, newcomer = await desk_world()
    comm = await (await Browser.sign_in(who["sam"])).socket("sam")
    await subscribe(comm, "inbox")
    for text in NOT_JSON:
        assert "JSON" in await error_for(comm, text=text)
    assert "JSON" in await error_for(comm, text="")
    for text in NOT_OBJECTS:
        assert await error_for(comm, text=text) == "Messages are JSON objects."
    for text in OVERSIZED:
        assert "at most" in await error_for(comm, text=text)
    for data in (b"\x00\x01\x02", b'{"action": "hello"}', b""):
        assert "Binary frames" in await error_for(comm, data=data)
    topic = f"customer.{grace.pk}"
    await subscribe(comm, topic)
    for last in BAD_LAST:
        for action in ("subscribe", "replay"):
            frame = {"action": action, "topic": topic, "last": last}
            assert "'last'" in await error_for(comm, text=json.dumps(frame))
    for frame in BAD_FIELDS:
        await error_for(comm, text=json.dumps(frame))
    # after all of that, the subscription made before still receives and replays
    await comm.send_json_to({"action": "replay", "topic": topic, "last": 1})
    while (reply := await comm.receive_json_from())["type"] != "replayed":
        assert reply["type"] == "event"
    await comm.disconnect()


async def test_a_bad_subscribe_does_not_join_the_room():
    org, who, grace, conversation, newcomer = await desk_world()
    topic = f"customer.{grace.pk}"
    lee = await (await Browser.sign_in(who["lee"])).socket("lee")
    await subscribe(lee, topic)
    sam = await (await Browser.sign_in(who["sam"])).socket("sam")
    await error_for(sam, text=json.dumps({"action": "subscribe", "topic": topic, "last": -1}))
    assert await lee.receive_nothing(timeout=0.3)  # nobody announced as viewing
    for comm in (sam, lee):
        await comm.disconnect()


async def test_a_frame_that_fails_inside_is_an_error_frame_not_a_close(monkeypatch):
    from timeline import selectors

    org, who, grace, conversation, newcomer = await desk_world()
    comm = await (await Browser.sign_in(who["sam"])).socket("sam")

    def broken(**kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(selectors, "may_subscribe", broken)
    await comm.send_json_to({"action": "subscribe", "topic": "inbox"})
    reply = await comm.receive_json_from()
    assert reply["type"] == "error" and "could not be handled" in reply["detail"]
    monkeypatch.undo()
    await alive(comm)
    await comm.disconnect()


async def test_presence_leaves_when_a_handler_crashes_the_consumer():
    from channels.layers import get_channel_layer

    from timeline import live

    org, who, grace, conversation, newcomer = await desk_world()
    topic = f"customer.{grace.pk}"
    lee = await (await Browser.sign_in(who["lee"])).socket("lee")
    await subscribe(lee, topic)
    sam = await (await Browser.sign_in(who["sam"])).socket("sam")
    await subscribe(sam, "notifications")
    await subscribe(sam, topic)
    seen = await presence_until(lee, lambda m: m["user"] == who["sam"].pk)
    assert seen["state"] in ("viewing", "here")
    # A malformed message from the server side (no `count`) makes Sam's handler raise: the
    # consumer ends with that error, as it would in production (a 1011 close).
    await get_channel_layer().group_send(
        live.user_group(org.pk, who["sam"].pk), {"type": "live.unread"}
    )
    with pytest.raises(KeyError):
        while True:
            await sam.receive_output(timeout=3)
    # With the Redis pub/sub layer "here" answers and "viewing" announcements cross, so a late
    # "here" may come first: wait for the "left" (a timeout fails the test).
    gone = await presence_until(lee, lambda m: m["user"] == who["sam"].pk and m["state"] == "left")
    assert gone["conn"] == seen["conn"]
    await lee.disconnect()


async def test_presence_leaves_once_on_an_ordinary_close():
    org, who, grace, conversation, newcomer = await desk_world()
    topic = f"customer.{grace.pk}"
    lee = await (await Browser.sign_in(who["lee"])).socket("lee")
    await subscribe(lee, topic)
    sam = await (await Browser.sign_in(who["sam"])).socket("sam")
    await subscribe(sam, topic)
    await presence_until(lee, lambda m: m["user"] == who["sam"].pk)
    await sam.disconnect()
    await presence_until(lee, lambda m: m["state"] == "left")
    rest = []
    while not await lee.receive_nothing(timeout=0.5):
        rest.append(await lee.receive_json_from())
    assert not [m for m in rest if m.get("state") == "left"]  # announced once, not twice
    await lee.disconnect()
