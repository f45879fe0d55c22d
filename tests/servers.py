"""Real server processes (daphne, gunicorn, the task worker) for tests that need them outside the
test process (browser tests, several processes over Redis, the production layout, HTTP framing:
chunked bodies, long request lines). daphne runs
through kdesk's guarded entry point (kdesk/serving/asgi_server.py), gunicorn with kdesk's worker
class (kdesk/serving/gunicorn_workers.py), as the README says to run them. They serve the test
database, so tests using them commit data (`django_db(transaction=True)`)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
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


def _wait_until_up(proc, base, name, answer_is_enough=False):
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=5).read()
            return proc, base
        except OSError as exc:
            if answer_is_enough and isinstance(exc, urllib.error.HTTPError):
                return proc, base  # it answers (503: the database is down on purpose)
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.2)


def start_daphne(*, log=subprocess.DEVNULL, answer_is_enough=False, **extra_env):
    """(process, base URL) of a daphne serving kdesk on a free port, once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kdesk.serving.asgi_server",
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
    return _wait_until_up(proc, f"http://127.0.0.1:{port}", "daphne", answer_is_enough)


def start_gunicorn(
    *, workers=1, worker="ThreadWorker", log=subprocess.DEVNULL, answer_is_enough=False, **extra_env
):
    """(process, base URL) of gunicorn serving kdesk.wsgi with deploy/gunicorn.conf.py (kdesk's
    worker classes) on a free port, once /healthz answers. `worker="SyncWorker"` runs one thread."""
    port = free_port()
    env = _server_env(
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": "1" if worker == "SyncWorker" else "4",
            **extra_env,
        }
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
    return _wait_until_up(proc, f"http://127.0.0.1:{port}", "gunicorn", answer_is_enough)


def start_db_worker(*, log=subprocess.DEVNULL, **extra_env):
    """The task worker (`manage.py db_worker`) on the test database's queue."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "db_worker"],
        cwd=ROOT,
        env=_server_env({"TASK_BACKEND": "database", **extra_env}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


SERVERS = {"daphne": start_daphne, "gunicorn": start_gunicorn}


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def rss_kib(proc):
    """Resident memory of a server process and its children (gunicorn's workers), Linux only."""

    def rss(pid):
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def children(pid):
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                            found.append(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
        return found

    return rss(proc.pid) + sum(rss(child) for child in children(proc.pid))
