"""Two daphne processes sharing PostgreSQL and Redis: a write on one reaches a socket on the
other (channels-redis carries the group message)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env):
    port = _port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "kdesk.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("daphne did not start") from None
            time.sleep(0.2)


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
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        LOG_LEVEL="WARNING",
    )
    (a, port_a), (b, port_b) = _start(env), _start(env)
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
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port_b}") as http:
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
        for proc in (a, b):
            proc.terminate()
            proc.wait(timeout=10)
