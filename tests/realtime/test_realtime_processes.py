"""Two daphne processes sharing PostgreSQL and Redis: a write on one reaches a socket on the
other (channels-redis carries the group message)."""

import asyncio
import json

import httpx
import pytest
from django.conf import settings
from django.db import connection

from tests.servers import start_daphne, stop


@pytest.mark.django_db(transaction=True)
def test_a_write_on_one_process_reaches_a_socket_on_another(org, agent, make_key):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (the CI PostgreSQL leg runs it)")
    import websockets
    from django.test import Client

    from customers.models import Customer
    from klasses.services import klass_create

    customer = Customer.objects.create(org=org, name="Grace")
    klass_create(org=org, actor=None, data={"name": "order"})
    _, token = make_key(org)
    browser = Client()
    browser.force_login(agent)
    cookie = browser.cookies["sessionid"].value
    (a, base_a), (b, base_b) = (
        start_daphne(REDIS_URL=settings.REDIS_URL),
        start_daphne(REDIS_URL=settings.REDIS_URL),
    )
    port_a = base_a.rsplit(":", 1)[1]
    try:

        async def scenario():
            async with websockets.connect(
                f"ws://127.0.0.1:{port_a}/ws/",
                additional_headers={
                    "Cookie": f"sessionid={cookie}",
                    "Origin": f"http://127.0.0.1:{port_a}",
                },
            ) as ws:
                await ws.send(json.dumps({"action": "hello", "tab": "x"}))
                await ws.send(
                    json.dumps({"action": "subscribe", "topic": f"customer.{customer.pk}"})
                )
                assert json.loads(await ws.recv())["type"] == "subscribed"
                async with httpx.AsyncClient(base_url=base_b) as http:
                    response = await http.post(
                        "/v1/klasses/order",
                        headers={"Authorization": f"Bearer {token}"},
                        json={"title": "Order across processes", "customer": str(customer.pk)},
                    )
                    assert response.status_code == 201, response.text
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                    if message["type"] == "event":
                        return message

        message = asyncio.run(scenario())
        assert message["topic"] == f"customer.{customer.pk}"
        assert any("Order across processes" in op.get("html", "") for op in message["ops"])
    finally:
        stop(a)
        stop(b)
