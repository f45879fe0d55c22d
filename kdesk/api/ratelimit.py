"""Per-principal fixed-window rate limits kept in the shared cache (Redis in production).

While Redis is unreachable the windows are counted in this process instead (logged once, by
kdesk/sharedcache.py): each process then allows the full limit, so the limit is looser by the
number of processes, but requests keep being served and still get rate-limit headers."""

import threading
import time

from django.conf import settings
from django.core.cache import cache

from kdesk import sharedcache
from kdesk.models import ApiKey

WINDOW = 60

_local_lock = threading.Lock()
_local_counts = {}


def principal(request):
    if isinstance(request.auth, ApiKey):
        return f"k{request.auth.pk}"
    return f"u{request.user.pk}"


def limit_for(request):
    if isinstance(request.auth, ApiKey) and request.auth.rate_limit_per_minute:
        return request.auth.rate_limit_per_minute
    return settings.API_RATE_LIMIT_PER_MINUTE


def hit(request):
    """Count this request; return (limit, remaining, reset_epoch_seconds, allowed)."""
    count, reset = count_hit(f"rl:{principal(request)}")
    limit = limit_for(request)
    return limit, max(0, limit - count), reset, count <= limit


def count_hit(name):
    """Count one hit for `name` in the current one-minute window: (hits so far in it, the
    window's end in epoch seconds)."""
    window = int(time.time() // WINDOW)
    key = f"{name}:{window}"
    try:
        count = sharedcache.run(_count_shared, key)
    except sharedcache.Unavailable:
        count = _count_locally(key, window)
    return count, (window + 1) * WINDOW


def _count_shared(key):
    redis_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if redis_client is not None:
        # Django's Redis cache: INCR and EXPIRE in one round trip (its add-then-incr takes
        # three: SET NX, EXISTS, INCR), on every request to the API and to the hooks. The
        # counter is stored as Django's cache stores an int, so cache.get reads it back.
        full = cache.make_and_validate_key(key)
        pipe = redis_client(full, write=True).pipeline(transaction=True)
        pipe.incr(full)
        pipe.expire(full, WINDOW + 5)
        count, _ = pipe.execute()
        return int(count)
    if cache.add(key, 1, timeout=WINDOW + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW + 5)
        return 1


def _count_locally(key, window):
    with _local_lock:
        for stale in [k for k, (w, _) in _local_counts.items() if w < window]:
            del _local_counts[stale]
        _, count = _local_counts.get(key, (window, 0))
        _local_counts[key] = (window, count + 1)
        return count + 1
