"""gunicorn worker types for kdesk's HTTP, measured side by side: the email lookup under
`wrk -t1 -c16` against sync workers (2 per core, and 2 in all) and gthread workers (1 per core
with 4 or 8 threads, 2 per core with 2 threads). The servers run at once on three ports and
wrk alternates between them in short rounds, so that a change in the machine's load hits every
variant alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench .venv/bin/python bench/workers.py

Uses bench/api.py's database and seed (run it once first, or this seeds it).
"""

import argparse
import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import DEFAULT_URL, combine, ensure_database, lookup_scripts, seed  # noqa: E402
from bench.serve import bench_env, manage, served, wrk  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = bench_env(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env)
    info = seed(env, args.customers)
    script = lookup_scripts(args.customers)["api"]
    auth = [f"Authorization: Bearer {info['token']}"]
    cores = os.cpu_count() or 1
    variants = {
        f"sync, {2 * cores} workers (2 per core)": {"workers": 2 * cores},
        "sync, 2 workers": {"workers": 2},
        f"gthread, {cores} workers x 4 threads": {"workers": cores, "threads": 4},
        f"gthread, {2 * cores} workers x 2 threads": {"workers": 2 * cores, "threads": 2},
        f"gthread, {cores} workers x 8 threads": {"workers": cores, "threads": 8},
    }
    rounds = {name: [] for name in variants}
    with contextlib.ExitStack() as stack:
        bases = {
            name: stack.enter_context(served(port=8300 + i, env=env, server="gunicorn", **options))
            for i, (name, options) in enumerate(variants.items())
        }
        for base in bases.values():
            wrk(base + "/healthz", duration=2, connections=4)
        for _ in range(args.rounds):
            for name, base in bases.items():
                rounds[name].append(
                    wrk(
                        base + "/v1/customers",
                        duration=args.seconds,
                        connections=16,
                        headers=auth,
                        script=script,
                    )
                )
    os.unlink(script)
    print(f"\nemail lookup, wrk -t1 -c16, {args.rounds} rounds of {args.seconds} s, {cores} cores")
    for name, figures in rounds.items():
        f = combine(figures)
        print(
            f"{name:<34} {f['rps']:7.0f} req/s  p50 {f['p50']:6.1f} ms  p99 {f['p99']:6.1f} ms  "
            f"errors {f['non2xx'] + f['errors']}  rounds {f['rounds']}"
        )


if __name__ == "__main__":
    main()
