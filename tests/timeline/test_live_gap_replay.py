"""A socket that spotted a gap asks for a replay (`replay` {topic, last}): it gets what it
missed, oldest first, then `replayed`; nobody else in the room hears "viewing" again; and only a
topic this socket subscribed to (with its permission check) is replayed."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from customers.models import Customer
from kdesk.events import emit
from kdesk.models import Organization
from tests.factories import UserFactory
from tests.timeline.live_helpers import Browser, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def world():
    org = Organization.objects.create(name="A", slug="a")
    other = Organization.objects.create(name="B", slug="b")
    sam = UserFactory(org=org, display_name="Sam Rivera")
    lee = UserFactory(org=org, display_name="Lee Chen")
    grace = Customer.objects.create(org=org, name="Grace")
    ada = Customer.objects.create(org=org, name="Ada")
    foreign = Customer.objects.create(org=other, name="Other")
    return org, other, sam, lee, grace, ada, foreign


@sync_to_async
def note(org, customer, text):
    with transaction.atomic():
        return emit(
            org=org,
            type="conversation.note.create",
            resource="note",
            resource_id=1,
            customer_id=customer.pk,
            data={"attributes": {"body": text}},
        ).pk


async def drain(comm):
    seen = []
    while not await comm.receive_nothing(timeout=0.2):
        seen.append(await comm.receive_json_from())
    return seen


async def test_it_replays_the_missed_events_in_order_without_presence():
    org, other, sam, lee, grace, ada, foreign = await world()
    topic = f"customer.{grace.pk}"
    mine = await (await Browser.sign_in(sam)).socket("sam")
    theirs = await (await Browser.sign_in(lee)).socket("lee")
    await subscribe(mine, topic)
    await subscribe(theirs, topic)
    await drain(mine)
    await drain(theirs)  # the "viewing"/"here" of joining

    last = await note(org, grace, "seen before")
    await drain(mine)
    await drain(theirs)
    ids = [await note(org, grace, f"missed {i}") for i in range(3)]
    await note(org, ada, "another customer: not replayed")
    pushed = await drain(mine)
    assert [m["id"] for m in pushed] == ids  # (as if some had been lost on the way)
    await drain(theirs)

    await mine.send_json_to({"action": "replay", "topic": topic, "last": last})
    replayed = [await mine.receive_json_from() for _ in range(3)]
    assert [m["id"] for m in replayed] == ids
    assert all(m["type"] == "event" and m["replay"] and m["topic"] == topic for m in replayed)
    assert [f"missed {i}" in m["ops"][0]["html"] for i, m in enumerate(replayed)] == [True] * 3
    assert await mine.receive_json_from() == {"type": "replayed", "topic": topic, "id": ids[-1]}
    assert await mine.receive_nothing(timeout=0.2)
    assert await theirs.receive_nothing(timeout=0.3)  # no "viewing" again, so no "here" back

    # nothing missed: just the end of it
    await mine.send_json_to({"action": "replay", "topic": topic, "last": ids[-1]})
    assert await mine.receive_json_from() == {"type": "replayed", "topic": topic, "id": ids[-1]}
    for comm in (mine, theirs):
        await comm.disconnect()


async def test_it_refuses_a_topic_the_socket_did_not_subscribe_to():
    org, other, sam, lee, grace, ada, foreign = await world()
    comm = await (await Browser.sign_in(sam)).socket("sam")
    await subscribe(comm, f"customer.{grace.pk}")
    await note(org, ada, "Ada's note")
    await note(other, foreign, "another org's note")
    await drain(comm)
    for topic in (f"customer.{ada.pk}", f"customer.{foreign.pk}", "inbox", "nonsense"):
        await comm.send_json_to({"action": "replay", "topic": topic, "last": 0})
        assert await comm.receive_json_from() == {"type": "denied", "topic": topic}
        assert await comm.receive_nothing(timeout=0.2)
    await comm.send_json_to({"action": "replay", "topic": f"customer.{grace.pk}", "last": "x"})
    assert (await comm.receive_json_from())["type"] == "error"
    await comm.disconnect()
