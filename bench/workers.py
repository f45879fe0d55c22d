"""gunicorn worker types for kdesk's HTTP, measured side by side: the email lookup under
`wrk -t1 -c16` against sync workers (2 per core, and 2 in all) and gthread workers (1 per core
with 4 or 8 threads, 2 per core with 2 threads). The servers run at once on three ports and
wrk alternates between them in short rounds, so that a change in the machine's load hits every
variant alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench .venv/bin/python bench/workers.py

Uses bench/api.py's database and seed (run it once first, or this seeds it). `--workload hook`
measures a write instead: a JSON POST to an inbound web hook (`/v1/hooks/web/{token}`: one
indexed read, one event insert and its commit), where a worker waits on the commit; `--variants`
picks some of the variants by number (1-5, in the order above).
"""

import argparse
import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import DEFAULT_URL, combine, ensure_database, lookup_scripts, seed  # noqa: E402
from bench.serve import (  # noqa: E402
    bench_env,
    cpu_seconds,
    manage,
    pg_backend_pids,
    served,
    server_pids,
    wrk,
)

HOOK = """
from apps_directory.hooks.services import hook_create
from kdesk.services import organization_get_or_create
org, _ = organization_get_or_create(slug="workers-bench", name="Workers bench")
hook = hook_create(org=org, actor=None, data={"name": "bench", "kind": "web"})
print(hook.path)
"""


def hook_script():
    """wrk posts one small JSON order to the hook (its rate limit is lifted by bench env)."""
    import json
    import tempfile

    body = json.dumps({"order": {"id": "A1", "total": 12.5, "lines": [{"sku": "x", "qty": 2}]}})
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    f.close()
    return f.name


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=5, help="per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workload", choices=["lookup", "hook"], default="lookup")
    parser.add_argument("--variants", default="1,2,3,4,5")
    parser.add_argument("--port", type=int, default=8300, help="the first variant's port")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    # the hook workload posts far more than a hook's default limit a minute
    env = bench_env(DATABASE_URL=url, HOOK_RATE_LIMIT_PER_MINUTE="10000000")
    manage("migrate", "--noinput", env=env)
    info = seed(env, args.customers)
    if args.workload == "lookup":
        script = lookup_scripts(args.customers)["api"]
        auth = [f"Authorization: Bearer {info['token']}"]
        path = "/v1/customers"
    else:
        script, auth = hook_script(), []
        path = manage("shell", "-c", HOOK, env=env).strip().splitlines()[-1]
    cores = os.cpu_count() or 1
    variants = {
        f"sync, {2 * cores} workers (2 per core)": {"workers": 2 * cores},
        "sync, 2 workers": {"workers": 2},
        f"gthread, {cores} workers x 4 threads": {"workers": cores, "threads": 4},
        f"gthread, {2 * cores} workers x 2 threads": {"workers": 2 * cores, "threads": 2},
        f"gthread, {cores} workers x 8 threads": {"workers": cores, "threads": 8},
    }
    chosen = [int(n) for n in args.variants.split(",") if n.strip()]
    variants = {name: v for i, (name, v) in enumerate(variants.items(), 1) if i in chosen}
    rounds = {name: [] for name in variants}
    with contextlib.ExitStack() as stack:
        bases = {
            name: stack.enter_context(
                served(port=args.port + i, env=env, server="gunicorn", **options)
            )
            for i, (name, options) in enumerate(variants.items())
        }
        for base in bases.values():
            wrk(base + "/healthz", duration=2, connections=4)
            # every thread opens its database connection before anything is counted
            wrk(base + path, duration=2, connections=16, headers=auth, script=script)
        ports = {name: args.port + i for i, name in enumerate(variants)}
        for number in range(1, args.rounds + 1):
            for name, base in bases.items():
                # CPU of the variant's processes and of the database's backends (the other
                # variants sit idle meanwhile): what a request costs whatever else the machine
                # runs, where req/s depends on the share of the cores the variant gets
                pids = server_pids(ports[name]) + pg_backend_pids(url)
                before = cpu_seconds(pids)
                figures = wrk(
                    base + path,
                    duration=args.seconds,
                    connections=16,
                    headers=auth,
                    script=script,
                )
                figures["cpu_ms"] = (cpu_seconds(pids) - before) * 1000 / (figures["requests"] or 1)
                rounds[name].append(figures)
                # each run as it happens, with the load it ran under (the machine is shared)
                print(
                    f"round {number} {name:<34} {figures['rps']:7.0f} req/s  "
                    f"p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
                    f"errors {figures.get('non2xx', 0) + figures.get('errors', 0)}  "
                    f"cpu {figures['cpu_ms']:.2f} ms/request  "
                    f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
                    flush=True,
                )
    os.unlink(script)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    what = "email lookup" if args.workload == "lookup" else "hook intake (POST)"
    print(f"{what}, wrk -t1 -c16, {args.rounds} rounds of {args.seconds} s, {cores} cores")
    for name, figures in rounds.items():
        f = combine(figures)
        cpu = sorted(r["cpu_ms"] for r in figures)[len(figures) // 2]
        print(
            f"{name:<34} {f['rps']:7.0f} req/s  p50 {f['p50']:6.1f} ms  p99 {f['p99']:6.1f} ms  "
            f"errors {f['non2xx'] + f['errors']}  cpu {cpu:.2f} ms/request (median)  "
            f"rounds {f['rounds']}"
        )


if __name__ == "__main__":
    main()
