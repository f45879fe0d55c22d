"""CPU and queries per request in this process, for the endpoints bench/api.py serves: the
email lookup (and the bare view beside it), a KObject by externalId, a customer's timeline first
page and a 1000-object bulk upsert. Requests go through Django's WSGI handler as gunicorn calls
it, without a socket, so the figures do not depend on how loaded the machine is. The database's
own work, in the PostgreSQL backend serving this process's connection, is printed beside it
(read from /proc: PostgreSQL on this machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python bench/inprocess.py [--profile bulk] [--requests 300]

`--profile NAME` prints the top of a cProfile of that endpoint (sorted by own time and by
cumulative time).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import DEFAULT_URL, ORDERS, SEED, ensure_database, order_item  # noqa: E402
from bench.serve import BENCH_ENV  # noqa: E402


def _environ(method, path, token=None, body=None):
    from django.test.client import FakePayload

    path, _, query = path.partition("?")
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": FakePayload(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(data)),
    }
    if body is not None:
        environ["CONTENT_TYPE"] = "application/json"
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


class Counter:
    def __init__(self, show=False):
        self.n = 0
        self.show = show

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.show:
                print(f"    {(time.perf_counter() - started) * 1000:7.1f} ms  {sql[:200]}")


def call(app, environ):
    status = []
    chunks = app(environ, lambda s, h, *a: status.append(s))
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return int(status[0].split()[0]), body


class RedisSends:
    """Round trips to Redis: every command, pipeline or script is one packed send."""

    def __init__(self):
        self.n = 0
        try:
            from redis.connection import AbstractConnection
        except ImportError:  # pragma: no cover - redis is a dependency
            return
        original = AbstractConnection.send_packed_command

        def counting(connection, command, check_health=True):
            self.n += 1
            return original(connection, command, check_health)

        AbstractConnection.send_packed_command = counting


def backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def measure(app, make_environ, n, expect=200, profile=None, show=False, sends=None):
    """(ms of CPU per request here, ms wall, min and max queries, min and max Redis round trips,
    ms of CPU per request in the PostgreSQL backend or None if it could not be read)."""
    from django.db import connection

    from bench.serve import _ticks

    pid = backend_pid()
    backend_before = None
    counter = Counter()
    trips = []
    cpu = wall = 0.0
    queries = []
    for i in range(n + 3):  # the first few warm caches (the org's metadata, prepared queries)
        environ = make_environ(i)
        before, sent = counter.n, sends.n if sends else 0
        start, started = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(counter):
            if profile is not None and i >= 3:
                profile.enable()
            code, body = call(app, environ)
            if profile is not None:
                profile.disable()
        elapsed, waited = time.process_time() - start, time.perf_counter() - started
        assert code == expect, (code, body[:300])
        counter.show = show and i == 2  # the queries of the first measured request
        if i == 2:
            backend_before = _ticks(pid)
        if i >= 3:
            cpu += elapsed
            wall += waited
            queries.append(counter.n - before)
            trips.append((sends.n if sends else 0) - sent)
    backend = None
    if backend_pid() == pid and backend_before:  # the same connection all along
        backend = (_ticks(pid) - backend_before) / os.sysconf("SC_CLK_TCK") * 1000 / n
    figures = (cpu * 1000 / n, wall * 1000 / n, min(queries), max(queries), min(trips), max(trips))
    return (*figures, backend)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=300, help="per read endpoint")
    parser.add_argument("--bulk", type=int, default=6, help="bulk requests of 1000")
    parser.add_argument("--profile", choices=["lookup", "bare", "kobject", "timeline", "bulk"])
    parser.add_argument("--sql", action="store_true", help="print one request's queries")
    parser.add_argument("--only", help="comma-separated endpoints to measure")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/inprocess.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database(url)
    os.environ.update(BENCH_ENV)
    os.environ["DATABASE_URL"] = url
    # as deploy/gunicorn.conf.py serves: one persistent connection per thread, no pool
    os.environ.setdefault("DATABASE_POOL", "false")
    # one connection (and so one backend to read the CPU of) for the whole run
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "3600")
    import gc

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    out = io.StringIO()
    sys.argv = ["seed", str(args.customers)]
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        exec(SEED.replace("sys.argv[1]", str(args.customers)), {})  # noqa: S102
    info = json.loads(out.getvalue().strip().splitlines()[-1])
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    app = WSGIHandler()
    gc.freeze()  # as the servers do once the app is loaded
    token, first, customers = info["token"], info["first"], info["customers"]
    for start in range(0, ORDERS, 1000):
        items = [
            order_item(f"ord-{i}", first if i < 100 else None) for i in range(start, start + 1000)
        ]
        code, body = call(app, _environ("POST", "/v1/klasses/order/bulk", token, items))
        assert code == 200, body[:300]
    stamp = int(time.time() * 1000)
    endpoints = {
        "bare": (lambda i: _environ("GET", f"/bare/lookup?email=c{i % customers}@bench.io"), 200),
        "lookup": (
            lambda i: _environ("GET", f"/v1/customers/email=c{i % customers}@bench.io", token),
            200,
        ),
        "kobject": (
            lambda i: _environ("GET", f"/v1/klasses/order/externalId=ord-{i % ORDERS}", token),
            200,
        ),
        "timeline": (lambda i: _environ("GET", f"/v1/customers/{first}/timeline", token), 200),
        "bulk": (
            lambda i: _environ(
                "POST",
                "/v1/klasses/order/bulk",
                token,
                [order_item(f"{stamp}-{i}-{j}") for j in range(1000)],
            ),
            200,
        ),
    }
    only = args.only.split(",") if args.only else list(endpoints)
    sends = RedisSends()
    print(f"PostgreSQL {connection.pg_version}; Redis: {bool(os.environ.get('REDIS_URL'))}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for name in only:
        make, expect = endpoints[name]
        n = args.bulk if name == "bulk" else args.requests
        profile = cProfile.Profile(time.process_time) if args.profile == name else None
        ms, wall, qmin, qmax, rmin, rmax, backend = measure(
            app, make, n, expect, profile, args.sql, sends
        )
        database = "n/a" if backend is None else f"{backend:.2f} ms"
        queries = f"{qmin}" if qmin == qmax else f"{qmin}-{qmax}"
        queries += " queries, " + (f"{rmin}" if rmin == rmax else f"{rmin}-{rmax}")
        queries += " Redis round trips"
        if name == "bulk":
            print(
                f"{name:<9} {ms:8.1f} ms CPU per 1000 objects ({1000 / ms * 1000:,.0f} objects/s of"
                f" CPU), {wall:.1f} ms wall, {queries} per request; PostgreSQL backend"
                f" {database} CPU per request"
            )
        else:
            print(
                f"{name:<9} {ms:8.2f} ms CPU per request ({wall:.2f} ms wall), {queries} per"
                f" request; PostgreSQL backend {database} CPU per request"
            )
        if profile is not None:
            profile.dump_stats(f"/tmp/kdesk-profile-{name}.prof")
            for key in ("tottime", "cumulative"):
                s = io.StringIO()
                stats = pstats.Stats(profile, stream=s).sort_stats(key)
                stats.print_stats(45)
                if key == "tottime":
                    stats.print_callers(12)
                print(s.getvalue())
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
