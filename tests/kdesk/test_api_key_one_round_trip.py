"""An API request authenticated by a key makes one round trip to Redis: the key's cache entry,
the cache generation and the hit on the key's rate limit travel in one script
(kdesk/api/ratelimit.py `read_and_count`), and the email lookup costs one SQL query beside it.
The counter is shared by every process and named after the token's hash; a made-up token
creates none. Revocation is unaffected: the entry is still read from Redis on every request
(tests/kdesk/test_api_key_revocation_everywhere.py)."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kdesk import sharedcache
from kdesk.api import ratelimit
from kdesk.api.auth import hash_token
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

needs_redis = pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.REDIS_URL",
    reason="needs Redis (the CI PostgreSQL leg runs it)",
)


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    ratelimit._local_counts.clear()
    sharedcache._state.update(down=False, down_until=0.0)
    yield
    sharedcache._state.update(down=False, down_until=0.0)


def _away_from_a_window_edge():
    """The counts below must fall in one window: wait out the last seconds of this one."""
    left = ratelimit.WINDOW - time.time() % ratelimit.WINDOW
    if left < 5:
        time.sleep(left + 0.05)


def _counter(token):
    window = int(time.time() // ratelimit.WINDOW)
    return cache.get(f"{ratelimit.key_counter(hash_token(token))}:{window}")


@pytest.fixture
def redis_sends(monkeypatch):
    """How many commands (or pipelines, or scripts) this process sent to Redis."""
    from redis.connection import AbstractConnection

    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


@needs_redis
def test_a_lookup_is_one_round_trip_to_redis_and_one_query(org, make_key, redis_sends):
    _away_from_a_window_edge()
    key, token = make_key(org)
    api = ApiClient(token, key=key)
    assert (
        api.post("/v1/customers", {"name": "Ada", "emails": [{"email": "a@x.io"}]}).status_code
        == 201
    )
    assert api.get("/v1/customers/email=a@x.io").status_code == 200  # the key is cached by now
    redis_sends.clear()
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/v1/customers/email=a@x.io")
    assert response.status_code == 200, response.content
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert len(redis_sends) == 1
    # and that round trip counted the hit the headers report: the third request of the key
    assert _counter(token) == 3
    assert response["x-ratelimit-remaining"] == str(int(response["x-ratelimit-limit"]) - 3)


@needs_redis
def test_the_counter_expires_after_its_window(org, make_key):
    _away_from_a_window_edge()
    key, token = make_key(org)
    api = ApiClient(token, key=key)
    for _ in range(2):  # the first reads the key from the database, the second from Redis
        assert api.get("/v1/users/current").status_code == 200
    window = int(time.time() // ratelimit.WINDOW)
    name = cache.make_and_validate_key(f"{ratelimit.key_counter(key.token_hash)}:{window}")
    assert 0 < cache._cache.get_client(name).ttl(name) <= ratelimit.WINDOW + 5


def test_every_request_is_counted_once_cached_or_not(org, make_key):
    """The first request reads the key from the database and counts its hit on its own; the
    later ones count it with the key's entry. Both land on the same counter."""
    _away_from_a_window_edge()
    key, token = make_key(org, rate_limit_per_minute=3)
    api = ApiClient(token, key=key)
    answers = [api.get("/v1/users/current") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert _counter(token) == 4


def test_a_made_up_token_creates_no_counter(db):
    token = "kdk_" + "x" * 40
    for _ in range(2):
        response = ApiClient(token).get("/v1/users/current")
        assert response.status_code == 401
    assert _counter(token) is None


def test_a_key_revoked_after_use_is_refused_and_its_hits_still_count(org, make_key):
    from kdesk.services import api_key_revoke

    _away_from_a_window_edge()
    key, token = make_key(org)
    api = ApiClient(token, key=key)
    assert api.get("/v1/users/current").status_code == 200
    assert api.get("/v1/users/current").status_code == 200
    api_key_revoke(org=org, key=key)
    refused = api.get("/v1/users/current")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["errors"][0]["detail"]


@needs_redis
def test_the_limit_is_counted_across_processes(org, make_key):
    """Two server processes (daphne and a gunicorn worker) share one Redis: the hits of a key
    made on either count against one limit."""
    import httpx
    from django.conf import settings

    from tests.servers import start_daphne, start_gunicorn, stop

    key, token = make_key(org, rate_limit_per_minute=4)
    servers = [
        start_daphne(REDIS_URL=settings.REDIS_URL),
        start_gunicorn(REDIS_URL=settings.REDIS_URL),
    ]
    try:
        _away_from_a_window_edge()
        headers = {"Authorization": f"Bearer {token}"}
        bases = [base for _, base in servers]
        answers = [
            httpx.get(base + "/v1/users/current", headers=headers)
            for base in (bases[0], bases[1], bases[0], bases[1], bases[0], bases[1])
        ]
    finally:
        for proc, _ in servers:
            stop(proc)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:4]] == ["3", "2", "1", "0"]


def test_a_request_refused_for_its_scope_counts_like_any_other(org, make_key):
    """Counted when the key is read, before scopes are checked, with or without Redis."""
    _away_from_a_window_edge()
    key, token = make_key(org, scopes=["org.permission.customer.read"])
    api = ApiClient(token, key=key)
    assert api.get("/v1/customers").status_code == 200
    assert api.post("/v1/customers", {"name": "Ada"}).status_code == 403
    third = api.get("/v1/customers")
    assert int(third["x-ratelimit-remaining"]) == int(third["x-ratelimit-limit"]) - 3


@needs_redis
def test_a_redis_without_the_script_loads_it(org, make_key, monkeypatch):
    """A restarted Redis has forgotten the script: EVALSHA fails with NOSCRIPT and the request
    runs it by EVAL instead (simulated with a digest Redis never saw)."""
    _away_from_a_window_edge()
    key, token = make_key(org)
    api = ApiClient(token, key=key)
    assert api.get("/v1/users/current").status_code == 200
    monkeypatch.setattr(ratelimit, "_READ_AND_COUNT_SHA", "0" * 40)
    response = api.get("/v1/users/current")
    assert response.status_code == 200, response.content
    assert _counter(token) == 2
