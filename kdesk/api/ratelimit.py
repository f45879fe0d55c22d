"""Per-principal fixed-window rate limits kept in the shared cache (Redis in production).

An API key's hits are counted when the key is read (kdesk/api/auth.py, which leaves the count
on the request as `counted_hit`), so every request presenting an existing key counts, refused
or not. On Redis that is the same round trip as the read of the key's cache entry
(`read_and_count`, a Lua script): one round trip per request, not two. The counter is named
after the key's token hash, which is all a request knows before the entry is read; a made-up
token creates no counter.

While Redis is unreachable the windows are counted in this process instead (logged once, by
kdesk/sharedcache.py): each process then allows the full limit, so the limit is looser by the
number of processes, but requests keep being served and still get rate-limit headers."""

import hashlib
import threading
import time

from django.conf import settings
from django.core.cache import cache, caches

from kdesk import sharedcache
from kdesk.models import ApiKey

WINDOW = 60

_local_lock = threading.Lock()
_local_counts = {}


def principal(request):
    if isinstance(request.auth, ApiKey):
        return f"k{request.auth.pk}"
    return f"u{request.user.pk}"


def key_counter(token_hash):
    """The name an API key's hits are counted under."""
    return f"rl:t{token_hash}"


def limit_for(request):
    if isinstance(request.auth, ApiKey) and request.auth.rate_limit_per_minute:
        return request.auth.rate_limit_per_minute
    return settings.API_RATE_LIMIT_PER_MINUTE


def hit(request):
    """Count this request (unless authenticating counted it already); return (limit,
    remaining, reset_epoch_seconds, allowed)."""
    counted = None
    if isinstance(request.auth, ApiKey):  # counted when the key was read (kdesk/api/auth.py)
        counted = getattr(request, "counted_hit", None)
        name = key_counter(request.auth.token_hash)
    else:
        name = f"rl:{principal(request)}"
    count, reset = counted or count_hit(name)
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


# The entries that authenticate a request (an API key's, and the cache generation it must carry)
# and, when the key's entry is there, one hit on the key's counter in the current window. A
# script runs atomically in Redis: the counter and its expiry are set together, as in
# _count_shared.
_READ_AND_COUNT = """
local found = redis.call('MGET', KEYS[1], KEYS[2])
local count = false
if found[1] then
  count = redis.call('INCR', KEYS[3])
  if count == 1 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
end
return {found[1], found[2], count}
"""
_READ_AND_COUNT_SHA = hashlib.sha1(_READ_AND_COUNT.encode()).hexdigest()


def read_and_count(entry, generation, counter):
    """The cache entries `entry` and `generation` (as cache.get_many returns them) and the hit
    counted on `counter` when `entry` exists, (count, window end) or None, in one round trip.
    None instead of all that when the cache is not Redis: the caller reads the entries and
    counts the hit itself. Raises sharedcache.Unavailable while Redis is away."""
    # The backend itself, looked up once: each attribute read through the `cache` proxy finds
    # this thread's backend again, and this runs on every API request.
    backend = caches["default"]
    client_for = getattr(getattr(backend, "_cache", None), "get_client", None)
    if client_for is None:
        return None
    return sharedcache.run(_read_and_count, backend, client_for, entry, generation, counter)


def _read_and_count(backend, client_for, entry, generation, counter):
    from redis.exceptions import NoScriptError

    window = int(time.time() // WINDOW)
    # make_key, not make_and_validate_key: these names are kdesk's own (fixed prefixes and a
    # hex digest), and the validation only warns about keys memcached could not store, one
    # character at a time, three names on every API request.
    names = [
        backend.make_key(entry),
        backend.make_key(generation),
        backend.make_key(f"{counter}:{window}"),
    ]
    # the counter is written: the server that takes writes runs the script
    client = client_for(names[2], write=True)
    try:
        raw_entry, raw_generation, count = client.evalsha(
            _READ_AND_COUNT_SHA, 3, *names, WINDOW + 5
        )
    except NoScriptError:  # a restarted or new Redis: EVAL loads the script for next time
        raw_entry, raw_generation, count = client.eval(_READ_AND_COUNT, 3, *names, WINDOW + 5)
    loads = backend._cache._serializer.loads
    found = {}
    # a missing entry comes back as nil (RESP2) or false (RESP3)
    if raw_entry not in (None, False):
        found[entry] = loads(raw_entry)
    if raw_generation not in (None, False):
        found[generation] = loads(raw_generation)
    counted = None if count in (None, False) else (int(count), (window + 1) * WINDOW)
    return found, counted


def _count_locally(key, window):
    with _local_lock:
        for stale in [k for k, (w, _) in _local_counts.items() if w < window]:
            del _local_counts[stale]
        _, count = _local_counts.get(key, (window, 0))
        _local_counts[key] = (window, count + 1)
        return count + 1
