"""Serve kdesk the way the README's production section says, for benchmarks.

HTTP through gunicorn (deploy/gunicorn.conf.py, kdesk.wsgi), or N daphne processes accepting on
one shared listening socket (daphne --fd); each process has its own psycopg pool; DEBUG off. Used as a context manager by the bench scripts, or run directly:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench \
        python bench/serve.py --workers 2 --port 8100
"""

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

BENCH_ENV = {
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123",
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "STATIC_MANIFEST": "false",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}


def bench_env(**extra):
    env = dict(os.environ)
    env.update(BENCH_ENV)
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def manage(*args, env=None):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env or bench_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _commands(server, workers, threads, fd, port):
    """The processes serving on the shared socket `fd` (daphne) or binding `port` (gunicorn,
    whose master owns the socket and forks the workers)."""
    if server == "daphne":
        command = [PYTHON, "-m", "daphne", "--fd", str(fd), "-v", "0", "kdesk.asgi:application"]
        return [command] * workers
    if server == "gunicorn":
        # workers/threads None: deploy/gunicorn.conf.py decides (WEB_CONCURRENCY,
        # GUNICORN_THREADS), i.e. the production section's setup as deployed.
        sizing = []
        if workers is not None:
            sizing += ["--workers", str(workers)]
        if threads is not None:
            sizing += ["--threads", str(threads)]
            sizing += ["--worker-class", "gthread" if threads > 1 else "sync"]
        return [
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                *sizing,
                "--log-level",
                "warning",
                "kdesk.wsgi:application",
            ]
        ]
    raise ValueError(server)


@contextlib.contextmanager
def served(*, workers=2, port=8100, env=None, server="daphne", threads=1, log=None):
    """kdesk served by `workers` daphne processes on one socket, or by gunicorn with `workers`
    workers (sync, or gthread with `threads` threads each), on 127.0.0.1:`port`. `log`: an open
    file the servers' output goes to (a bench that reads their tracebacks), else the console."""
    sock = None
    fd = None
    if server == "daphne":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1024)
        sock.set_inheritable(True)
        fd = sock.fileno()
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env or bench_env(),
            pass_fds=(fd,) if fd is not None else (),
            stdout=log,
            stderr=subprocess.STDOUT if log is not None else None,
        )
        for command in _commands(server, workers, threads, fd, port)
    ]
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("the server did not come up") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if sock is not None:
            sock.close()


def _ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pids):
    """CPU time (user + system) the processes have used so far, Linux only."""
    return sum(_ticks(pid) for pid in pids) / os.sysconf("SC_CLK_TCK")


def server_pids(port):
    """gunicorn's master and workers bound to `port` (daphne's processes take a socket and name
    no port: CPU figures are gunicorn's only)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "gunicorn" in cmdline and f"127.0.0.1:{port} " in cmdline + " ":
            found.append(int(entry))
    return found


def pg_backend_pids(url):
    """The PostgreSQL backends connected to the database of `url` (the servers' persistent
    connections, once they have served a request)."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


def wrk(url, *, duration=10, connections=16, headers=(), script=None):
    """Run wrk (-t1: its Lua script only loads with one thread); return parsed figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("The benches drive load with wrk: apt-get install wrk")
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def _ms(value):
    value = value.strip()
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def parse_wrk(out):
    figures = {"raw": out}
    for line in out.splitlines():
        parts = line.split()
        if line.strip().startswith("Requests/sec:"):
            figures["rps"] = float(parts[1])
        elif len(parts) == 2 and parts[0] in ("50%", "75%", "90%", "99%"):
            figures[f"p{parts[0][:-1]}"] = _ms(parts[1])
        elif "Non-2xx or 3xx responses" in line:
            figures["non2xx"] = int(parts[-1])
        elif line.strip().startswith("Socket errors"):
            figures["socket_errors"] = line.strip()
            # "Socket errors: connect 0, read 0, write 0, timeout 0"
            figures["errors"] = sum(int(p.strip(",")) for p in parts[3::2])
        elif "requests in" in line:
            figures["requests"] = int(parts[0])
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--server", choices=["daphne", "gunicorn"], default="daphne")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with served(
        workers=args.workers, port=args.port, server=args.server, threads=args.threads
    ) as base:
        print(f"serving {base} with {args.workers} {args.server} workers; Ctrl-C stops")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)
