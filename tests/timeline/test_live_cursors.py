"""Every page renders the reconnect cursor where it declares its topics (the inbox, the bell on
<body>), read before the page's own queries: what commits while the page renders is replayed."""

import re

import pytest
from asgiref.sync import sync_to_async

from kdesk.events import emit
from kdesk.models import Event
from tests.timeline.desk_data import build, people
from tests.timeline.live_helpers import Browser, desk_world, subscribe


def cursor(html, topics):
    tag = re.search(rf'<[^>]*data-live-topics="{topics}"[^>]*>', html).group(0)
    return int(re.search(r'data-live-last="(\d+)"', tag).group(1))


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    return who, customer, conversation


def sneak_in(org, customer):
    """An event another request commits while this page is being rendered."""
    return emit(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id=999,
        customer_id=customer.pk,
        data={"attributes": {"body": "written meanwhile"}},
    )


@pytest.mark.django_db
def test_the_inbox_and_the_bell_render_their_cursor(client, org, agent, desk):
    client.force_login(agent)
    newest = Event.objects.filter(org=org).latest("id").pk
    inbox = client.get("/inbox/").content.decode()
    assert cursor(inbox, "inbox notifications") == newest
    assert cursor(inbox, "notifications") == newest  # <body>
    shortcuts = client.get("/shortcuts/").content.decode()
    assert cursor(shortcuts, "notifications") == newest


@pytest.mark.django_db
def test_the_inbox_cursor_is_read_before_the_rows(client, org, agent, desk, monkeypatch):
    from conversations import selectors as conv_selectors

    who, customer, _ = desk
    real = conv_selectors.conversations_for_inbox
    sneaked = []

    def rows_then_a_commit(**kwargs):
        out = real(**kwargs)
        sneaked.append(sneak_in(org, customer))
        return out

    monkeypatch.setattr(conv_selectors, "conversations_for_inbox", rows_then_a_commit)
    client.force_login(agent)
    html = client.get("/inbox/").content.decode()
    assert cursor(html, "inbox notifications") < sneaked[0].pk


@pytest.mark.django_db
def test_the_customer_cursor_is_read_before_the_timeline(client, org, agent, desk, monkeypatch):
    from timeline.views import customer as views

    who, customer, _ = desk
    real = views.timeline_page
    sneaked = []

    def page_then_a_commit(**kwargs):
        out = real(**kwargs)
        sneaked.append(sneak_in(org, customer))
        return out

    monkeypatch.setattr(views, "timeline_page", page_then_a_commit)
    client.force_login(agent)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'id="entry-{sneaked[0].pk}"' not in html  # not rendered, so it must be replayed:
    last = cursor(html, f"customer.{customer.pk} notifications")
    assert last < sneaked[0].pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_reconnecting_inbox_reloads_once_for_all_it_missed():
    from conversations.services import conversation_create

    org, who, grace, conversation, newcomer = await desk_world()
    last = await sync_to_async(lambda: Event.objects.latest("id").pk)()
    for i in range(3):
        await sync_to_async(conversation_create)(
            org=org, actor=None, customer=grace, data={"name": f"Missed {i}"}
        )
    sam = await Browser.sign_in(who["sam"])
    tab = await sam.socket("t")
    await subscribe(tab, "inbox", last=last)
    message = await tab.receive_json_from()
    assert message["ops"] == [{"op": "refresh", "topic": "inbox"}]
    assert message["id"] == await sync_to_async(lambda: Event.objects.latest("id").pk)()
    assert await tab.receive_nothing(timeout=0.2)
    await tab.disconnect()
