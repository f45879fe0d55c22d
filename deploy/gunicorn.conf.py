"""gunicorn settings for kdesk's HTTP; websockets (/ws/) go to daphne.

    gunicorn -c deploy/gunicorn.conf.py kdesk.wsgi:application

Every kdesk view is synchronous, so WSGI serves it without any event-loop hop. The worker type
was chosen by measurement (bench/workers.py: the variants served at once, wrk -t1 -c16 against
each in turn, round after round, so that the machine's load hits all alike; each run prints its
load average and the CPU a request cost the server and its database backends):

- On a quiet 2-core machine, the email lookup: sync workers (2 per core) 1,514 req/s, p99
  15.8 ms; gthread (1 per core x 4 threads) 1,433 req/s, p99 35.8 ms. Sync is 6% ahead and has
  the shorter tail; both meet the targets (>= 1,000 req/s, p99 <= 50 ms).
- On the same machine busy with other work (load average 11-20 on 2 cores), interleaved, every
  run reported: the lookup, 2 x 6 rounds, gthread x4 ahead of sync in 11 of 12 runs (means 226
  vs 77 and 74 vs 56 req/s); the inbound hook intake (a write: one read, one insert, a commit
  to wait for), 5 rounds, gthread x4 ahead in all 5 (74 vs 49 req/s). The CPU a request costs
  is about the same either way (3.4-4.0 ms): sync loses by waiting, not by working.

So gthread: a single host running PostgreSQL, Redis, daphne and the task worker beside the web
service (deploy/compose.yaml) is the busy case, not the quiet one; a sync worker sits idle while
its one request waits on the database (every write waits on a commit), and one slow request
(a 1,000-object bulk upsert, a row lock held by another writer) takes a whole process. What the quiet case gives up is a few percent of throughput and 20 ms of p99. 4
threads: under load 8 threads did better still (means 257, 104, 134 req/s), on a quiet machine
worse than 4; GUNICORN_THREADS=8 suits a host that is never quiet. GUNICORN_THREADS=1 runs sync
workers for a dedicated web host. nginx buffers requests and responses in front, so a slow
client never holds a thread.

Environment: GUNICORN_BIND (default 127.0.0.1:8000; several addresses comma-separated),
WEB_CONCURRENCY (workers, default 1 per core), GUNICORN_THREADS (threads per worker, default 4;
1 runs sync workers), GUNICORN_TIMEOUT (seconds, default 30), GUNICORN_KEEPALIVE (seconds a
connection is kept between requests, default 0: see below), FORWARDED_ALLOW_IPS (the proxies
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
# No keep-alive: a kept-alive connection stays with the worker that accepted it, so a few
# long-lived connections (nginx's upstream pool, an integration's HTTP client) can all land on
# one worker and leave the other idle. Measured on 2 workers with wrk -c16: 16/0 splits in one
# round of four halved throughput (890 against 1,770-2,530 req/s); closed after each response,
# every request goes to whichever worker accepts first (1,790-2,280 req/s, every round).
keepalive = _int("GUNICORN_KEEPALIVE", 0, minimum=0)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Import Django, the apps and the URLconf with every view once in the master (kdesk/wsgi.py,
# kdesk/serving/warm.py): workers fork with them loaded (copy-on-write) and start in
# milliseconds, instead of each spending about a second of CPU on its first requests. Loading
# the app opens no connection: each worker opens its own (post_worker_init).
preload_app = True


def pre_fork(server, worker):
    # The preloaded app moves out of the collector's reach before each fork: a worker's
    # collections then never write to those objects, and their pages stay shared with the master.
    gc.freeze()


def post_worker_init(worker):
    # Every thread opens its database and Redis connections before the worker accepts, not in
    # the middle of its first request; a dependency that is down does not stop the worker.
    from kdesk.serving import warm

    pool = getattr(worker, "tpool", None)  # gthread's threads; a sync worker answers on its own
    if pool is not None:
        warm.connect_threads(pool, worker.cfg.threads)
    else:
        warm.connect_this_thread()
    # What is loaded by now lives as long as the worker: moving it out of the collector's reach
    # keeps full collections from rescanning it on requests that allocate a lot (bulk imports).
    gc.freeze()
