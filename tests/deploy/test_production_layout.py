"""The production process layout without containers (deploy/compose.yaml runs the same):
gunicorn serves HTTP, daphne the websockets, `db_worker` the background tasks, all on one
PostgreSQL and one Redis. Writes through a gunicorn worker and through the task worker reach a
socket daphne holds, in commit order, each naming the event before it."""

import asyncio
import json
import time

import httpx
import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import override_settings

from tests.servers import start_daphne, start_db_worker, start_gunicorn, stop

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _needs_postgres_and_redis():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (the CI PostgreSQL leg runs it)")


async def _events(ws, count):
    out = []
    while len(out) < count:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=15))
        if message["type"] == "event":
            out.append(message)
    return out


@pytest.mark.django_db(transaction=True)
def test_it_serves_http_websockets_and_tasks_from_their_own_processes(org, agent, make_key):
    _needs_postgres_and_redis()
    import websockets
    from django.test import Client

    from klasses.services import klass_create
    from tests.conversations.factories import ConversationFactory
    from tests.deploy.layout_tasks import order_for_customer

    conversation = ConversationFactory(org=org)
    customer = conversation.customer
    klass_create(org=org, actor=None, data={"name": "order"})
    _, token = make_key(org)
    browser = Client()
    browser.force_login(agent)
    cookie = browser.cookies["sessionid"].value
    redis = {"REDIS_URL": settings.REDIS_URL}
    web, web_base = start_gunicorn(workers=2, **redis)
    ws_proc, ws_base = start_daphne(**redis)
    worker = start_db_worker(**redis)
    port = ws_base.rsplit(":", 1)[1]
    try:

        async def scenario():
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/",
                additional_headers={
                    "Cookie": f"sessionid={cookie}",
                    "Origin": f"http://127.0.0.1:{port}",
                },
            ) as ws:
                await ws.send(json.dumps({"action": "hello", "tab": "t1"}))
                await ws.send(
                    json.dumps({"action": "subscribe", "topic": f"customer.{customer.pk}"})
                )
                assert json.loads(await ws.recv())["type"] == "subscribed"
                async with httpx.AsyncClient(base_url=web_base) as http:
                    for body in ("First note through gunicorn", "Second note through gunicorn"):
                        response = await http.post(
                            f"/v1/conversations/{conversation.pk}/notes",
                            headers={"Authorization": f"Bearer {token}"},
                            json={"body": body},
                        )
                        assert response.status_code == 201, response.text
                        assert "daphne" not in response.headers.get("server", "").lower()
                notes = await _events(ws, 2)
                await asyncio.to_thread(enqueue_and_wait)
                (order,) = await _events(ws, 1)
                return notes, order

        def enqueue_and_wait():
            try:
                with override_settings(TASKS=DATABASE_TASKS):
                    result = order_for_customer.enqueue(
                        org.pk, customer.pk, "Order from the worker"
                    )
                    deadline = time.time() + 30
                    while result.status not in ("SUCCESSFUL", "FAILED") and time.time() < deadline:
                        time.sleep(0.2)
                        result.refresh()
                assert result.status == "SUCCESSFUL", result.status
            finally:
                connections.close_all()  # this thread's own connection

        (first, second), order = asyncio.run(scenario())
        assert "First note through gunicorn" in json.dumps(first["ops"])
        assert "Second note through gunicorn" in json.dumps(second["ops"])
        assert second["id"] > first["id"]
        assert second["prev"] == first["id"]
        assert "Order from the worker" in json.dumps(order["ops"])
        assert order["prev"] == second["id"]
    finally:
        stop(web)
        stop(ws_proc)
        stop(worker)


def test_it_serves_the_app_through_gunicorn_on_sqlite_too(db):
    """The WSGI entry point and deploy/gunicorn.conf.py start and answer without Redis."""
    web, base = start_gunicorn(workers=1)
    try:
        response = httpx.get(base + "/healthz")
        assert response.status_code == 200
        assert response.headers["server"].startswith("gunicorn")
    finally:
        stop(web)
