"""The fixed-window counter behind the API's and the hooks' rate limits: counts per name and
window, readable through the cache, expiring after the window (Redis: INCR and EXPIRE sent
together), and counted per process while the shared cache is away."""

import time

import pytest
from django.core.cache import cache

from kdesk import sharedcache
from kdesk.api import ratelimit


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    ratelimit._local_counts.clear()
    sharedcache._state.update(down=False, down_until=0.0)
    yield
    ratelimit._local_counts.clear()
    sharedcache._state.update(down=False, down_until=0.0)


def test_counts_per_name_within_the_window():
    counts = [ratelimit.count_hit("t:a")[0] for _ in range(3)]
    other, reset = ratelimit.count_hit("t:b")
    assert counts == [1, 2, 3] and other == 1
    window = int(time.time() // ratelimit.WINDOW)
    assert reset in (window * 60 + 60, window * 60 + 120)  # the end of the (current) window
    key = f"t:a:{int((reset - 60) // 60)}"
    assert cache.get(key) == 3  # stored as the cache stores an int


def test_the_counter_expires_with_its_window():
    ratelimit.count_hit("t:ttl")
    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        pytest.skip("the TTL is read from Redis (REDIS_URL)")
    window = int(time.time() // ratelimit.WINDOW)
    key = cache.make_and_validate_key(f"t:ttl:{window}")
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= ratelimit.WINDOW + 5


def test_counted_in_the_process_while_the_cache_is_away(monkeypatch):
    def away(key):
        raise sharedcache.Unavailable

    monkeypatch.setattr(ratelimit, "_count_shared", away)
    assert [ratelimit.count_hit("t:down")[0] for _ in range(2)] == [1, 2]
