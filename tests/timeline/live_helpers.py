"""Shared helpers for the websocket tests: signed-in browsers (a Django test client whose session
also opens sockets) and a small org. Not a test module (no test_ prefix)."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from kdesk.asgi import application


class Browser:
    """One signed-in browser session: HTTP through a test client, sockets with its cookie."""

    def __init__(self, client):
        self.client = client

    @classmethod
    async def sign_in(cls, user):
        from django.test import Client

        client = Client()
        await sync_to_async(client.force_login)(user)
        return cls(client)

    async def socket(self, tab):
        cookie = self.client.cookies["sessionid"].value
        comm = WebsocketCommunicator(
            application,
            "/ws/",
            headers=[(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"http://127.0.0.1")],
        )
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"action": "hello", "tab": tab})
        return comm

    async def post(self, url, data, tab="", htmx=True):
        headers = {"X-Kdesk-Tab": tab}
        if htmx:
            headers["HX-Request"] = "true"
        return await sync_to_async(self.client.post)(url, data, headers=headers)

    async def get(self, url):
        return await sync_to_async(self.client.get)(url)


async def subscribe(comm, topic, last=None):
    await comm.send_json_to({"action": "subscribe", "topic": topic, "last": last})
    reply = await comm.receive_json_from()
    assert reply == {"type": "subscribed", "topic": topic}, reply


async def events_until(comm, predicate, timeout=3):
    """Messages received until one satisfies `predicate` (that one included)."""
    seen = []
    while True:
        message = await comm.receive_json_from(timeout=timeout)
        seen.append(message)
        if predicate(message):
            return seen


def refresh_parts(message):
    return [op.get("part") for op in message.get("ops", []) if op.get("op") == "refresh"]


@sync_to_async
def desk_world():
    """An org with Sam and Lee, the demo attribute definitions, Grace with one conversation, and
    a customer without any conversation yet."""
    from customers.models import Customer
    from kdesk.models import Organization
    from tests.timeline.desk_data import build, people

    org = Organization.objects.create(name="Live", slug="live")
    who = people(org)
    grace, conversation = build(org, who, orders=False)
    newcomer = Customer.objects.create(org=org, name="Nadia New")
    return org, who, grace, conversation, newcomer
