"""Real server processes (daphne, gunicorn, the task worker) for tests that need them outside the
test process (browser tests, several processes over Redis, the production layout). They serve
the test database, so tests using them commit data (`django_db(transaction=True)`)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_database_url():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daphne(*, log=subprocess.DEVNULL, **extra_env):
    """(process, base URL) of a daphne serving kdesk on a free port, once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "kdesk.asgi:application",
        ],
        cwd=ROOT,
        env=_server_env(extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(proc, base, "daphne")
    return proc, base


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _server_env(extra_env):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=test_database_url(),
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
        TASK_BACKEND="immediate",
    )
    env.update(extra_env)
    return env


def _wait_healthy(proc, base, name):
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.2)


def start_gunicorn(*, workers=2, log=subprocess.DEVNULL, **extra_env):
    """(process, base URL) of gunicorn serving kdesk's HTTP with deploy/gunicorn.conf.py on a
    free port, once /healthz answers."""
    port = free_port()
    env = _server_env(
        {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), **extra_env}
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "kdesk.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_healthy(proc, base, "gunicorn")
    return proc, base


def start_db_worker(*, log=subprocess.DEVNULL, **extra_env):
    """The task worker (`manage.py db_worker`) on the test database's queue."""
    env = _server_env({"TASK_BACKEND": "database", **extra_env})
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "db_worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
