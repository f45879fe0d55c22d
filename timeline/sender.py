"""One long-lived event loop thread per process for live pushes sent from code that has no event
loop of its own: WSGI workers (gunicorn) and the task worker.

Without it, every commit's `async_to_sync` would start a fresh event loop in a fresh thread, and
the Redis channel layer, which keeps its connections per event loop, would connect to Redis again
for each commit and close the connection afterwards. This loop keeps one set of connections for
the life of the process. A forked child (gunicorn forks its workers) starts its own thread on
first use: a loop thread does not survive fork.
"""

import asyncio
import os
import threading

_lock = threading.Lock()
_loop = None
_pid = None


def loop():
    """The process's sender loop, started on first use (and again in a forked child)."""
    global _loop, _pid
    if _loop is not None and _pid == os.getpid():
        return _loop
    with _lock:
        if _loop is None or _pid != os.getpid():
            new = asyncio.new_event_loop()
            threading.Thread(target=new.run_forever, name="kdesk-live-sender", daemon=True).start()
            _loop, _pid = new, os.getpid()
    return _loop


def run(coroutine, *, timeout):
    """Run `coroutine` on the sender loop and wait for it, as the ASGI server's own loop is
    waited for: a thread's pushes leave in the order its commits happened."""
    future = asyncio.run_coroutine_threadsafe(coroutine, loop())
    try:
        return future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise
