"""A commit's live pushes are rendered only for groups someone follows (timeline/audience.py):
the membership of all of a commit's groups is read in one round trip, an empty group costs no
fragment and no query, a followed one still gets its push, a tab that subscribes just after the
check gets the event from its replay, and any doubt (an unknown layer, Redis down) sends to every
group. On the PostgreSQL leg the configured layer is the Redis pub/sub one, so these run against
real Redis there and against the in-memory layer on SQLite."""

import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from kdesk.events import emit
from kdesk.models import Organization
from tests.factories import UserFactory
from tests.timeline.live_helpers import Browser, events_until, subscribe
from timeline import audience, fragments, live

needs_redis = pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.REDIS_URL",
    reason="needs Redis (the CI PostgreSQL leg runs it)",
)


def make_world(slug):
    org = Organization.objects.create(name=slug, slug=slug)
    sam = UserFactory(org=org, display_name="Sam Rivera")
    lee = UserFactory(org=org, display_name="Lee Chen")
    grace = Customer.objects.create(org=org, name="Grace")
    return org, sam, lee, grace


def committed_elsewhere(org, customer, text):
    """A note committed by another thread (its own connection, closed after): the test's
    sync thread stays free for the consumer while the publisher waits on it."""
    try:
        with transaction.atomic():
            return note(org, customer, text)
    finally:
        connection.close()


def note(org, customer, text, notified=()):
    return emit(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id=1,
        customer_id=customer.pk,
        data={"attributes": {"body": text}, "notified": list(notified)},
    )


@pytest.fixture
def captured(monkeypatch):
    """What publish hands the layer (the membership check itself stays real)."""
    out = []
    monkeypatch.setattr(live, "_flush", lambda layer, messages: out.extend(messages))
    return out


@pytest.fixture
def redis_sends(monkeypatch):
    """Every packed command (a pipeline is one) this process writes to Redis."""
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


@pytest.mark.django_db
def test_a_commit_nobody_follows_renders_nothing_and_queries_nothing(captured, monkeypatch):
    org, sam, lee, grace = make_world("empty")
    events = [note(org, grace, "mentions Lee", notified=[lee.pk]), note(org, grace, "again")]

    def never(*args, **kwargs):
        raise AssertionError("rendered for a group nobody follows")

    monkeypatch.setattr(fragments, "ops_for_many", never)
    monkeypatch.setattr(live, "notification_message", never)
    monkeypatch.setattr(live, "previous_ids", never)
    with CaptureQueriesContext(connection) as queries:
        live.publish(events)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert captured == []


def wait_until_listening(layer, group):
    """Redis processes a SUBSCRIBE shortly after group_add returns (no reply is awaited)."""
    deadline = time.monotonic() + 2
    while group not in (live.listening(layer, [group]) or {group}):
        assert time.monotonic() < deadline, "the subscription never showed"
        time.sleep(0.01)


@needs_redis
def test_the_membership_of_any_number_of_groups_is_one_round_trip(redis_sends):
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"kdesk-test-audience-{time.time_ns()}"
    )
    audience.listening(layer, ["warm"])  # the client connects once (HELLO/SELECT)
    for count in (1, 3, 40):
        redis_sends.clear()
        assert audience.listening(layer, [f"o1.customer.{n}" for n in range(count)]) == set()
        assert len(redis_sends) == 1, (count, redis_sends)


@needs_redis
def test_the_core_redis_layer_counts_live_members_in_one_pipeline(redis_sends):
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"kdesk-test-audience-{time.time_ns()}"
    )

    async def setup():
        await layer.group_add("o1.inbox", "specific.a")
        await layer.group_add("o1.user.2", "specific.b")
        # a member older than the group expiry: group_send would discard it, so it is nobody
        redis = layer.connection(layer.consistent_hash("o1.user.3"))
        await redis.zadd(layer._group_key("o1.user.3"), {"specific.c": 1})
        await layer.close_pools()

    async def teardown():
        await layer.flush()
        await layer.close_pools()

    async_to_sync(setup)()
    try:
        audience.listening(layer, ["warm"])
        redis_sends.clear()
        groups = ["o1.inbox", "o1.user.2", "o1.user.3"] + [f"o1.customer.{n}" for n in range(30)]
        assert audience.listening(layer, groups) == {"o1.inbox", "o1.user.2"}
        assert len(redis_sends) == 1
    finally:
        async_to_sync(teardown)()


def test_the_in_memory_layer_reads_its_groups_dict_and_skips_expired_members():
    layer = InMemoryChannelLayer(group_expiry=60)
    async_to_sync(layer.group_add)("o1.inbox", "reader")
    async_to_sync(layer.group_add)("o1.user.3", "old")
    layer.groups["o1.user.3"]["old"] = time.time() - 120
    assert audience.listening(layer, ["o1.inbox", "o1.user.3", "o1.customer.1"]) == {"o1.inbox"}


def test_doubt_counts_every_group_as_followed():
    from channels_redis.pubsub import RedisPubSubChannelLayer

    class OtherLayer(BaseChannelLayer):
        pass

    assert audience.listening(OtherLayer(), ["o1.inbox"]) is None
    # nothing listens on this port: an error, so None, and quickly (the check's own timeout)
    down = RedisPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"], prefix="kdesk-test-down")
    started = time.monotonic()
    assert audience.listening(down, ["o1.inbox", "o1.user.1"]) is None
    assert time.monotonic() - started < 3
    assert audience.listening(down, []) == set()


@pytest.mark.django_db
def test_a_failing_check_sends_every_push_as_before(captured, monkeypatch):
    org, sam, lee, grace = make_world("fallback")

    def broken(layer, groups):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(audience, "_check_for", lambda layer: broken)
    event = note(org, grace, "hello", notified=[lee.pk])
    live.publish([event])
    groups = [group for group, _ in captured]
    assert groups == [
        live.user_group(org.pk, lee.pk),
        live.customer_group(org.pk, grace.pk),
        live.inbox_group(org.pk),
    ]
    timeline_push = captured[1][1]
    assert timeline_push["id"] == event.pk and timeline_push["ops"]


async def drain(comm):
    while not await comm.receive_nothing(timeout=0.2):
        await comm.receive_json_from()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_only_the_followed_groups_are_rendered_and_sent(captured):
    org, sam, lee, grace = await sync_to_async(make_world)("some")
    comm = await (await Browser.sign_in(sam)).socket("sam")
    try:
        await subscribe(comm, "inbox")
        inbox = live.inbox_group(org.pk)
        await sync_to_async(wait_until_listening)(get_channel_layer(), inbox)
        # Lee's bell and Grace's timeline have nobody: only the inbox push is made
        await sync_to_async(transaction.atomic()(note))(org, grace, "hello", [lee.pk])
        assert [group for group, _ in captured] == [inbox]
    finally:
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_followed_customer_still_gets_its_push_through_the_real_layer():
    org, sam, lee, grace = await sync_to_async(make_world)("followed")
    topic = f"customer.{grace.pk}"
    comm = await (await Browser.sign_in(sam)).socket("sam")
    try:
        await subscribe(comm, topic)
        await drain(comm)
        await sync_to_async(wait_until_listening)(
            get_channel_layer(), live.customer_group(org.pk, grace.pk)
        )
        event = await sync_to_async(transaction.atomic()(note))(org, grace, "pushed")
        seen = await events_until(comm, lambda m: m.get("type") == "event" and m["id"] == event.pk)
        assert seen[-1]["ops"] and not seen[-1].get("replay")
    finally:
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_tab_subscribing_right_after_an_empty_check_gets_the_event_by_replay(
    monkeypatch,
):
    """The worst moment: the publisher found the group empty, and before it goes on, the tab
    subscribes (with the cursor its page rendered). No push comes; its replay carries the event."""
    org, sam, lee, grace = await sync_to_async(make_world)("late")
    topic = f"customer.{grace.pk}"
    group = live.customer_group(org.pk, grace.pk)
    cursor = (await sync_to_async(transaction.atomic()(note))(org, grace, "on the page")).pk
    comm = await (await Browser.sign_in(sam)).socket("sam")
    checked = []
    real = live.listening

    def check_then_a_tab_subscribes(layer, groups):
        heard = real(layer, groups)
        checked.append(heard)
        if group in groups:
            # back on the test's loop, from the publishing thread: the tab subscribes now
            async_to_sync(subscribe)(comm, topic, cursor)
        return heard

    monkeypatch.setattr(live, "listening", check_then_a_tab_subscribes)
    try:
        missed = await sync_to_async(committed_elsewhere, thread_sensitive=False)(
            org, grace, "while nobody looked"
        )
        assert checked and group not in checked[-1]  # the push was skipped...
        seen = await events_until(comm, lambda m: m.get("id") == missed.pk)
        # ...and the replay after subscribing delivered it
        assert seen[-1]["type"] == "event" and seen[-1]["replay"] is True
        assert "while nobody looked" in seen[-1]["ops"][0]["html"]
        assert await comm.receive_nothing(timeout=0.3)  # and no push of it on top
    finally:
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_skipped_push_is_seen_as_a_gap_by_the_next_one_and_replayed():
    """A tab that subscribed without a cursor after a skipped push: the next push names the
    skipped event as its `prev`, which is how the client (static/js/kdesk.js) asks for it."""
    org, sam, lee, grace = await sync_to_async(make_world)("gap")
    topic = f"customer.{grace.pk}"
    cursor = (await sync_to_async(transaction.atomic()(note))(org, grace, "rendered")).pk
    skipped = (await sync_to_async(transaction.atomic()(note))(org, grace, "unheard")).pk
    comm = await (await Browser.sign_in(sam)).socket("sam")
    try:
        await subscribe(comm, topic)
        await drain(comm)
        await sync_to_async(wait_until_listening)(
            get_channel_layer(), live.customer_group(org.pk, grace.pk)
        )
        after = (await sync_to_async(transaction.atomic()(note))(org, grace, "heard")).pk
        push = (await events_until(comm, lambda m: m.get("id") == after))[-1]
        assert push["prev"] == skipped and cursor < skipped
        await comm.send_json_to({"action": "replay", "topic": topic, "last": cursor})
        seen = await events_until(comm, lambda m: m.get("type") == "replayed")
        assert [m["id"] for m in seen if m.get("type") == "event"] == [skipped, after]
    finally:
        await comm.disconnect()
