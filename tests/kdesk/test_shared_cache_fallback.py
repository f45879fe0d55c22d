"""Redis unreachable: API authentication reads keys from the database, rate limits are counted
in the process, the change feed keeps working, the outage is logged once and Redis is tried
again after a pause; /readyz reports it while /healthz stays 200."""

import logging

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from kdesk import sharedcache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_state():
    from kdesk.api import ratelimit

    sharedcache._state.update(down=False, down_until=0.0)
    sharedcache._pending_deletes.clear()
    ratelimit._local_counts.clear()
    yield
    sharedcache._state.update(down=False, down_until=0.0)
    sharedcache._pending_deletes.clear()
    ratelimit._local_counts.clear()


@pytest.fixture
def outage(monkeypatch):
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    for name in ("get", "get_many", "set", "add", "incr", "delete"):
        monkeypatch.setattr(cache, name, down)
    if hasattr(getattr(cache, "_cache", None), "get_client"):
        # Redis: the rate-limit counter talks to the client itself

        class DeadClient:
            def get_client(self, *args, **kwargs):
                down()

        monkeypatch.setattr(cache, "_cache", DeadClient(), raising=False)
    return calls


def test_api_requests_are_served_from_the_database(api, outage):
    for path in ("/v1/users/current", "/v1/customers", "/v1/events"):
        response = api.get(path)
        assert response.status_code == 200, (path, response.content)
    created = api.post("/v1/customers", {"name": "Ada"})
    assert created.status_code == 201, created.content


def test_the_outage_is_logged_once_and_redis_retried_after_a_pause(api, outage, caplog):
    caplog.set_level(logging.WARNING, logger="kdesk.sharedcache")
    for _ in range(5):
        assert api.get("/v1/users/current").status_code == 200
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "unreachable" in errors[0].getMessage()
    assert len(outage) == 1  # later requests did not knock on the dead port again
    sharedcache._state["down_until"] = 0.0  # the pause is over
    api.get("/v1/users/current")
    assert len(outage) == 2


def test_recovery_is_logged(api, outage, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="kdesk.sharedcache")
    api.get("/v1/users/current")
    monkeypatch.undo()
    sharedcache._state["down_until"] = 0.0
    assert api.get("/v1/users/current").status_code == 200
    assert not sharedcache.is_down()
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_rate_limits_are_counted_in_the_process(org, make_key, outage, settings):
    from tests.factories import ApiClient

    key, token = make_key(org, rate_limit_per_minute=3)
    client = ApiClient(token, key=key)
    answers = [client.get("/v1/users/current") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert int(answers[3]["Retry-After"]) >= 1


def test_readyz_reports_redis_down_and_healthz_stays_live(client, outage, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["redis"]["status"] == "down"
    assert "Connection refused" in report["checks"]["redis"]["detail"]
    assert report["checks"]["database"] == {"status": "ok"}
