"""The shared cache (Redis when REDIS_URL is set), and what kdesk does while it is unreachable.

API keys, rate-limit counters and the change feed's horizon samples live in the shared cache.
When Redis stops answering, the callers fall back instead of failing the request: API keys are
read from the database on every request (never cached in a process, so a revocation still takes
effect at once everywhere), rate limits are counted per process, the feed keeps its samples for
itself. The outage is logged once; Redis is tried again every `RETRY_SECONDS`, so a dead Redis
costs one refused connection per process every few seconds, not one per request. Deletes that
could not be made (a key revoked during the outage) are made when Redis answers again.
"""

import logging
import threading
import time

from django.core.cache import cache

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Bumped when Redis answers again after an outage: entries cached before it are not trusted.
GENERATION_KEY = "kdesk:cache-generation"

try:
    from redis.exceptions import RedisError

    ERRORS = (RedisError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    ERRORS = (OSError,)


class Unavailable(Exception):
    """The shared cache cannot be reached now."""


_lock = threading.Lock()
_state = {"down_until": 0.0, "down": False}
_pending_deletes = set()


def is_down():
    return _state["down"]


def _failed(exc):
    with _lock:
        _state["down_until"] = time.monotonic() + RETRY_SECONDS
        first = not _state["down"]
        _state["down"] = True
    if first:
        log.error(
            "the shared cache (Redis) is unreachable (%s): API keys are checked against the "
            "database and rate limits are counted per process until it answers again",
            exc,
        )


def _replay_pending():
    """Before anything is read again: the deletes missed while Redis was away, and a new
    generation (entries written before the outage may be stale: another process may have
    revoked a key while it could not delete the entry). Raises ERRORS if Redis is still away."""
    with _lock:
        pending = list(_pending_deletes)
        _pending_deletes.clear()
    try:
        for key in pending:
            cache.delete(key)
        if _state["down"]:
            if not cache.add(GENERATION_KEY, 1, timeout=None):
                cache.incr(GENERATION_KEY)
    except BaseException:
        with _lock:
            _pending_deletes.update(pending)
        raise


def _recovered():
    with _lock:
        was_down = _state["down"]
        _state["down"] = False
    if was_down:
        log.warning("the shared cache (Redis) answers again")


def run(operation, *args, **kwargs):
    """`operation(*args, **kwargs)` on the cache; raises Unavailable while Redis is away."""
    if _state["down"] and time.monotonic() < _state["down_until"]:
        raise Unavailable
    try:
        if _state["down"] or _pending_deletes:
            _replay_pending()
        result = operation(*args, **kwargs)
    except ERRORS as exc:
        _failed(exc)
        raise Unavailable from exc
    if _state["down"]:
        _recovered()
    return result


def get(key, default=None):
    return run(cache.get, key, default)


def set_quietly(key, value, timeout):
    """Store `value` if the cache answers; a lost entry only costs a later database read."""
    try:
        run(cache.set, key, value, timeout)
    except Unavailable:
        pass


def delete(key):
    """Delete `key` now, or as soon as the cache answers again."""
    try:
        run(cache.delete, key)
    except Unavailable:
        with _lock:
            _pending_deletes.add(key)


def ping():
    """None when the cache answers, else the error (for /readyz); ignores the retry pause."""
    try:
        run_now(cache.get, "kdesk:readyz")
    except Unavailable as exc:
        return exc.__cause__
    return None


def run_now(operation, *args, **kwargs):
    """`run`, without waiting for the retry pause to end."""
    _state["down_until"] = 0.0
    return run(operation, *args, **kwargs)
