"""gunicorn settings for kdesk's HTTP; websockets (/ws/) go to daphne.

    gunicorn -c deploy/gunicorn.conf.py kdesk.wsgi:application

Every kdesk view is synchronous, so plain sync workers serve it without any event loop hop.
Sync workers handle one request at a time, which is what a CPU-bound Django request wants on a
machine with few cores: bench/api.py measured them against gthread workers (same worker count,
4 threads each) on the lookup, and threads added context switches and GIL hand-offs without
more throughput. A sync worker must not face slow clients directly: nginx buffers requests and
responses in front of it (deploy/nginx.conf).

Environment: GUNICORN_BIND (default 127.0.0.1:8000; several addresses comma-separated),
WEB_CONCURRENCY (workers, default 2 per core), GUNICORN_THREADS (default 1: above 1 gunicorn
runs gthread workers), GUNICORN_TIMEOUT (seconds, default 30), FORWARDED_ALLOW_IPS (the
proxies whose X-Forwarded-* headers gunicorn trusts, default 127.0.0.1).
"""

import gc
import os


def _int(name, default, minimum=1):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}.") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}, not {value}.")
    return value


# A sync worker serves one request at a time, so it keeps one persistent database connection
# (CONN_MAX_AGE) instead of a pool: no checkout and return around every request.
# DATABASE_POOL=true in the environment still wins.
os.environ.setdefault("DATABASE_POOL", "false")

bind = [a.strip() for a in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if a]
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = timeout
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Long externalIds and search links in the URL: up to 8190 bytes of request line (default 4094).
limit_request_line = 8190
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Import Django and the apps once in the master: workers fork with them loaded (copy-on-write)
# and start in milliseconds. Loading the app opens no connection: the database pool and Redis
# connections open in each worker on first use.
preload_app = True


def pre_fork(server, worker):
    # The preloaded app moves out of the collector's reach before each fork: a worker's
    # collections then never write to those objects, and their pages stay shared with the master.
    gc.freeze()


def post_worker_init(worker):
    # What is loaded by now lives as long as the worker: moving it out of the collector's reach
    # keeps full collections from rescanning it on requests that allocate a lot (bulk imports).
    gc.freeze()
