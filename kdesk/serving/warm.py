"""Loading ahead what a server process's first requests would otherwise load while clients wait.

Django imports the URLconf (and with it every view module, DRF, the OpenAPI declarations) on
the first request a process answers, and compiles each URL pattern's regex the first time a
request is matched against it. Under gunicorn that is about a second of CPU per worker, paid
by the first requests of every worker ever started (after a deploy, a restart, a worker
recycled after a crash or a timeout), with the worker's other threads queued behind the import
lock. `load()` does it once where the application is loaded: in gunicorn's master when the app
is preloaded (deploy/gunicorn.conf.py), so that every worker forks with it done.

`connect_threads()` is for a fresh worker (gunicorn's post_worker_init): each of its threads
opens its database connection and its Redis connection before the worker accepts, instead of
during its first request. It never fails the worker: a dependency that is down is reported by
/readyz and retried by the first request that needs it, as without the warm-up.
"""

import logging
import threading

log = logging.getLogger(__name__)

# A worker's threads wait at most this long for one another before giving up the warm-up; the
# database's own connect timeout (DATABASE_CONNECT_TIMEOUT) bounds each connection.
CONNECT_WAIT_SECONDS = 10.0


def _compile(patterns):
    from django.urls.resolvers import URLResolver

    count = 0
    for entry in patterns:
        entry.pattern.regex  # noqa: B018  (compiled on first access, then kept on the pattern)
        count += 1
        if isinstance(entry, URLResolver):
            count += _compile(entry.url_patterns)
    return count


def load():
    """Import the URLconf and every module it names, compile every URL pattern, build the
    reverse() lookup, and load what the first request's libraries load lazily (the Redis client
    reads its own version from the installed package metadata on its first connection). No
    database or network access: safe before a fork. Returns the number of patterns compiled."""
    from django.urls import get_resolver

    resolver = get_resolver()
    count = _compile(resolver.url_patterns)
    resolver._populate()  # reverse(): built per language on first use
    try:
        from redis.utils import get_lib_version
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    else:
        get_lib_version()
    return count


def _connect():
    """This thread's database connection and its Redis connection (the cache of each thread
    holds its own), opened now."""
    from django.conf import settings
    from django.db import connections

    for alias in connections:
        connections[alias].ensure_connection()
    if settings.REDIS_URL:
        from kdesk import sharedcache

        problem = sharedcache.ping()
        if problem is not None:
            log.warning("warm-up: Redis did not answer (%s)", problem)


def _connect_quietly(barrier):
    try:
        # every thread waits for the others, so that each task runs on a thread of its own
        barrier.wait()
    except threading.BrokenBarrierError:
        return
    try:
        _connect()
    except Exception as exc:  # a dependency that is down: the first request retries
        log.warning("warm-up: a connection could not be opened (%s)", exc)


def connect_threads(executor, threads):
    """Open the connections of `threads` threads of `executor` (a ThreadPoolExecutor with at
    most that many threads), waiting at most CONNECT_WAIT_SECONDS plus the connect timeouts."""
    barrier = threading.Barrier(threads, timeout=CONNECT_WAIT_SECONDS)
    futures = [executor.submit(_connect_quietly, barrier) for _ in range(threads)]
    for future in futures:
        future.result()


def connect_this_thread():
    """The same for a worker that answers on its own thread (gunicorn's sync worker)."""
    try:
        _connect()
    except Exception as exc:
        log.warning("warm-up: a connection could not be opened (%s)", exc)
