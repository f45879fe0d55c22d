"""Fault test: a server process killed with SIGKILL during a bulk request, then the client's retry
with the same Idempotency-Key on a fresh server. The retry is never locked out with 409 and
nothing is written twice: a kill before the commit leaves nothing (the retry runs the request),
a kill after it leaves the committed answer (the retry replays it)."""

import http.client
import json
import os
import signal
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.db import connection

from kdesk.models import Event
from klasses import services as klass_services
from klasses.models import KObject
from tests.servers import start_daphne, stop

ITEMS = 1000
KEY = "bulk-import-2026-12-06"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the fault suite runs in the PostgreSQL leg (it watches pg_stat_activity)")


@pytest.fixture
def token(org, make_key):
    klass_services.klass_create(org=org, actor=None, data={"name": "order"})
    _, token = make_key(org)
    return token


def _body():
    return json.dumps(
        [
            {"title": f"Order {i}", "externalId": f"o-{i}", "data": {"totalNum": i}}
            for i in range(ITEMS)
        ]
    ).encode()


def _headers(token):
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": KEY,
    }


def _send_and_leave(base, token):
    """Send the bulk request and do not wait for the answer; the connection stays open."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("POST", "/v1/klasses/order/bulk", body=_body(), headers=_headers(token))
    return conn


def _retry(base, token):
    request = urllib.request.Request(
        base + "/v1/klasses/order/bulk", data=_body(), headers=_headers(token), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def _transactions_of_others():
    """Open transactions on the test database other than this test's own: the server's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.002)
    return False


def _kill(proc):
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _counts(org):
    return (
        KObject.objects.filter(org=org).count(),
        Event.objects.filter(org=org, type="kobject.order.create").count(),
    )


def test_killed_before_the_commit_the_retry_runs_once(org, token):
    proc, base = start_daphne()
    try:
        conn = _send_and_leave(base, token)
        # in flight: the server's transaction is open
        assert _wait_for(lambda: _transactions_of_others() > 0, 30)
        _kill(proc)
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    # the database rolls the dead server's transaction back: nothing half-written, no key
    assert _wait_for(lambda: _transactions_of_others() == 0, 30)
    assert _counts(org) == (0, 0)

    proc, base = start_daphne()
    try:
        status, headers, body = _retry(base, token)
        assert status == 200, body
        assert "Idempotent-Replayed" not in headers
        assert body["meta"]["created"] == ITEMS
        status, headers, again = _retry(base, token)
        assert status == 200 and headers.get("Idempotent-Replayed") == "true"
        assert again == body
    finally:
        stop(proc)
    assert _counts(org) == (ITEMS, ITEMS)


def test_killed_after_the_commit_the_retry_replays(org, token):
    proc, base = start_daphne()
    try:
        conn = _send_and_leave(base, token)
        assert _wait_for(lambda: KObject.objects.filter(org=org).exists(), 60)
        _kill(proc)
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: _transactions_of_others() == 0, 30)
    assert _counts(org) == (ITEMS, ITEMS)

    proc, base = start_daphne()
    try:
        status, headers, body = _retry(base, token)
        assert status == 200, body
        assert headers.get("Idempotent-Replayed") == "true"
        assert body["meta"]["created"] == ITEMS
    finally:
        stop(proc)
    assert _counts(org) == (ITEMS, ITEMS)
