import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from customers.models import Customer
from kdesk.asgi import application
from kdesk.events import emit
from tests.factories import UserFactory
from tests.timeline.live_helpers import Browser

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(user, tab="t1"):
    return await (await Browser.sign_in(user)).socket(tab)


@sync_to_async
def make_world():
    from kdesk.models import Organization

    org = Organization.objects.create(name="A", slug="a")
    other = Organization.objects.create(name="B", slug="b")
    agent = UserFactory(org=org)
    stranger = UserFactory(org=other)
    customer = Customer.objects.create(org=org, name="Grace")
    foreign = Customer.objects.create(org=other, name="Other")
    return org, other, agent, stranger, customer, foreign


@sync_to_async
def note(org, customer, text, fail=False):
    with transaction.atomic():
        emit(
            org=org,
            type="conversation.note.create",
            resource="note",
            resource_id=1,
            customer_id=customer.pk,
            data={"attributes": {"body": text}},
        )
        if fail:
            raise RuntimeError("rolled back")


async def test_anonymous_sockets_are_refused():
    comm = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, code = await comm.connect()
    assert not connected


async def test_cross_org_subscription_is_denied():
    org, other, agent, stranger, customer, foreign = await make_world()
    comm = await connect(agent)
    await comm.send_json_to({"action": "subscribe", "topic": f"customer.{foreign.pk}"})
    assert (await comm.receive_json_from())["type"] == "denied"
    await note(other, foreign, "secret")
    assert await comm.receive_nothing(timeout=0.2)
    await comm.disconnect()


async def test_fragment_arrives_after_commit_and_not_after_rollback():
    org, other, agent, stranger, customer, foreign = await make_world()
    comm = await connect(agent)
    await comm.send_json_to({"action": "subscribe", "topic": f"customer.{customer.pk}"})
    assert (await comm.receive_json_from())["type"] == "subscribed"
    with pytest.raises(RuntimeError):
        await note(org, customer, "never", fail=True)
    assert await comm.receive_nothing(timeout=0.2)
    await note(org, customer, "hello there")
    message = await comm.receive_json_from(timeout=2)
    assert message["type"] == "event" and message["topic"] == f"customer.{customer.pk}"
    assert "hello there" in message["ops"][0]["html"]
    await comm.disconnect()


async def test_replay_after_reconnect_sends_what_was_missed():
    org, other, agent, stranger, customer, foreign = await make_world()
    await note(org, customer, "seen")
    from kdesk.models import Event

    last = await sync_to_async(lambda: Event.objects.latest("id").pk)()
    await note(org, customer, "missed one")
    await note(org, customer, "missed two")
    comm = await connect(agent)
    await comm.send_json_to(
        {"action": "subscribe", "topic": f"customer.{customer.pk}", "last": last}
    )
    assert (await comm.receive_json_from())["type"] == "subscribed"
    bodies = [(await comm.receive_json_from())["ops"][0]["html"] for _ in range(2)]
    assert "missed one" in bodies[0] and "missed two" in bodies[1]
    await comm.disconnect()


async def test_each_push_names_the_previous_event_so_a_gap_is_detectable():
    org, other, agent, stranger, customer, foreign = await make_world()
    comm = await connect(agent)
    await comm.send_json_to({"action": "subscribe", "topic": f"customer.{customer.pk}"})
    assert (await comm.receive_json_from())["type"] == "subscribed"
    await note(org, customer, "first")
    first = await comm.receive_json_from(timeout=2)
    await note(other, foreign, "another customer in another org does not count")
    neighbour = await sync_to_async(Customer.objects.create)(org=org, name="Neighbour")
    await note(org, neighbour, "another customer in the same org does not count either")
    await note(org, customer, "second")
    second = await comm.receive_json_from(timeout=2)
    assert second["prev"] == first["id"] and second["id"] > first["id"]
    from kdesk.models import Event

    between = await sync_to_async(
        lambda: Event.objects.filter(customer_id=neighbour.pk).values_list("id", flat=True).get()
    )()
    assert first["id"] < between < second["id"]  # it lies between the two
    await comm.disconnect()


async def test_presence_tells_others_who_is_here():
    org, other, agent, stranger, customer, foreign = await make_world()
    colleague = await sync_to_async(UserFactory)(org=org, display_name="Lee Chen")
    a = await connect(agent, tab="a")
    b = await connect(colleague, tab="b")
    topic = f"customer.{customer.pk}"
    await a.send_json_to({"action": "subscribe", "topic": topic})
    assert (await a.receive_json_from())["type"] == "subscribed"
    await b.send_json_to({"action": "subscribe", "topic": topic})
    assert (await b.receive_json_from())["type"] == "subscribed"
    seen_by_a = await a.receive_json_from()
    assert seen_by_a["type"] == "presence" and seen_by_a["name"] == "Lee Chen"
    # B learns A is here: by A's answer ("here"), or, with a pub/sub layer, by A's own
    # "viewing" arriving after B joined (and then B's answer may reach A too)
    seen_by_b = await b.receive_json_from()
    assert seen_by_b["type"] == "presence" and seen_by_b["state"] in ("here", "viewing")
    assert seen_by_b["user"] == agent.pk
    await b.send_json_to({"action": "presence", "topic": topic, "state": "replying"})
    typing = await a.receive_json_from()
    while typing["state"] == "here":
        assert typing["user"] == colleague.pk
        typing = await a.receive_json_from()
    assert typing["type"] == "presence" and typing["state"] == "replying"
    assert typing["user"] == colleague.pk
    await a.disconnect()
    await b.disconnect()


async def test_a_mention_updates_the_bell_of_the_mentioned_only():
    org, other, agent, stranger, customer, foreign = await make_world()
    colleague = await sync_to_async(UserFactory)(org=org, display_name="Lee Chen", username="lee")

    @sync_to_async
    def mention():
        from conversations.services import conversation_create, note_create

        conv = conversation_create(
            org=org, actor=agent, data={"customer": str(customer.pk), "name": "Hi"}
        )
        note_create(org=org, actor=agent, conversation=conv, data={"body": "@lee can you look?"})

    b = await connect(colleague, tab="b")
    await b.send_json_to({"action": "subscribe", "topic": "notifications"})
    assert (await b.receive_json_from())["type"] == "subscribed"
    a = await connect(agent, tab="a")
    await a.send_json_to({"action": "subscribe", "topic": "notifications"})
    assert (await a.receive_json_from())["type"] == "subscribed"
    await mention()
    message = await b.receive_json_from(timeout=3)
    assert message["ops"] == [{"op": "unread", "count": 1}]
    assert message["notify"]["title"].endswith("mentioned you")
    assert await a.receive_nothing(timeout=0.3)
    await a.disconnect()
    await b.disconnect()


async def test_resubscribing_to_notifications_sends_the_current_count():
    org, other, agent, stranger, customer, foreign = await make_world()
    comm = await connect(agent)
    await comm.send_json_to({"action": "subscribe", "topic": "notifications", "last": 5})
    assert (await comm.receive_json_from())["type"] == "subscribed"
    message = await comm.receive_json_from()
    assert message["ops"] == [{"op": "unread", "count": 0}]
    await comm.disconnect()
