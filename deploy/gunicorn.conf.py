"""gunicorn settings for kdesk's HTTP; websockets (/ws/) go to daphne.

    gunicorn -c deploy/gunicorn.conf.py kdesk.wsgi:application

Every kdesk view is synchronous, so WSGI serves it without any event-loop hop. The worker type
was chosen by measurement (bench/workers.py: the email lookup, wrk -t1 -c16, the variants
alternating in rounds on one machine): gthread workers, one per core with 4 threads each,
answered about 2.5-3x the requests of sync workers (2 in all, or 2 per core), in every round. A
sync worker closes the connection after each response, so every request pays a new TCP
connection, and it sits idle while its one request waits on PostgreSQL; a gthread worker keeps
connections alive and runs another thread's Python during that wait. More threads per worker
(8) or more workers with fewer threads (2 per core x 2) did worse. nginx still buffers requests
and responses in front (deploy/nginx.conf), so a slow client never holds a thread.

Environment: GUNICORN_BIND (default 127.0.0.1:8000; several addresses comma-separated),
WEB_CONCURRENCY (workers, default 1 per core), GUNICORN_THREADS (threads per worker, default 4;
1 runs sync workers), GUNICORN_TIMEOUT (seconds, default 30), FORWARDED_ALLOW_IPS (the proxies
whose X-Forwarded-* headers gunicorn trusts, default 127.0.0.1).
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


# Each worker thread keeps one persistent database connection (CONN_MAX_AGE) instead of sharing
# a pool: a thread serves one request at a time, and nothing is checked out and returned around
# every request. DATABASE_POOL=true in the environment still wins.
os.environ.setdefault("DATABASE_POOL", "false")

bind = [a.strip() for a in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if a]
workers = _int("WEB_CONCURRENCY", os.cpu_count() or 1)
threads = _int("GUNICORN_THREADS", 4)
# gunicorn's gthread and sync workers, with kdesk's answers to what gunicorn refuses before the
# application runs (a 414 in the API's error shape; an unread body is not drained).
worker_class = "kdesk.serving.gunicorn_workers." + ("ThreadWorker" if threads > 1 else "SyncWorker")
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = timeout
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
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
