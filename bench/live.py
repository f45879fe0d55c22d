"""Live update latency: one daphne process with the Redis channel layer, 1,000 websocket clients
subscribed across 200 customers, notes posted through the API at a steady rate.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_bench_live \
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/live.py

Prints latency from commit to receipt (p50, p99; targets ≤ 50 ms and ≤ 250 ms), memory per
idle connection, and whether every expected message arrived. Loopback only, bounded in count
and time. `--writes both` (the default) runs the measurement twice in one go: notes posted
through daphne itself, then through gunicorn (two gthread workers, the production HTTP server),
whose on-commit pushes reach daphne's sockets through Redis.
"""

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import ensure_database  # noqa: E402
from bench.serve import bench_env, manage, served  # noqa: E402

NOTE_RE = re.compile(r"bench note (\d+)\b")

SEED = """
import json
from django.contrib.sessions.backends.db import SessionStore
from customers.models import Customer
from conversations.models import Conversation
from conversations.services import conversation_create
from kdesk.models import User
from kdesk.services import api_key_create, organization_get_or_create, user_create_or_update
org, _ = organization_get_or_create(slug="live", name="Live bench")
user = User.objects.filter(email="watcher@live.bench").first()
if user is None:
    user, _ = user_create_or_update(org=org, email="watcher@live.bench", password="x" * 20,
                                    display_name="Watcher")
customers = list(Customer.objects.filter(org=org).order_by("id")[:CUSTOMERS])
while len(customers) < CUSTOMERS:
    customers.append(Customer.objects.create(org=org, name=f"Live {len(customers)}"))
conversations = []
for c in customers:
    conv = Conversation.objects.filter(org=org, customer=c).first()
    if conv is None:
        conv = conversation_create(org=org, actor=None, data={"customer": str(c.pk), "name": "Bench"})
    conversations.append(conv.pk)
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.create()
key, token = api_key_create(org=org, name="live bench", rate_limit_per_minute=10_000_000)
print(json.dumps({"session": session.session_key, "token": token,
                  "customers": [c.pk for c in customers], "conversations": conversations}))
"""


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def daphne_pids():
    out = subprocess.run(["pgrep", "-f", "daphne --fd"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


async def run(base, info, clients, rate, seconds, http_base=None):
    import httpx
    import websockets

    port = base.rsplit(":", 1)[1]
    url = f"ws://127.0.0.1:{port}/ws/"
    headers = {"Cookie": f"sessionid={info['session']}", "Origin": base}
    customers = info["customers"]
    latencies, received, sockets, recovered = [], {}, [], []
    connected = asyncio.Event()

    async def client(i):
        topic = f"customer.{customers[i % len(customers)]}"
        async with websockets.connect(url, additional_headers=headers, max_queue=None) as ws:
            await ws.send(json.dumps({"action": "hello", "tab": f"bench{i}"}))
            await ws.send(json.dumps({"action": "subscribe", "topic": topic}))
            sockets.append(ws)
            if len(sockets) == clients:
                connected.set()
            last, seen = 0, set()
            async for raw in ws:
                msg = json.loads(raw)
                if msg.get("type") != "event" or msg["id"] in seen:
                    continue
                # the page script's gap check: an unseen predecessor means a lost push
                if msg.get("prev") and last and msg["prev"] > last and msg["prev"] not in seen:
                    recovered.append(msg["prev"])
                    await ws.send(json.dumps({"action": "subscribe", "topic": topic, "last": last}))
                seen.add(msg["id"])
                last = max(last, msg["id"])
                html = "".join(op.get("html", "") for op in msg.get("ops", []))
                found = NOTE_RE.search(html)
                if found:  # only the measured notes count (not warm-up ones)
                    if msg.get("ts"):
                        latencies.append((time.time() - msg["ts"]) * 1000)
                    n = int(found.group(1))
                    received[n] = received.get(n, 0) + 1

    pids = daphne_pids()
    before = sum(rss_kib(p) for p in pids)
    tasks = []
    for i in range(clients):
        tasks.append(asyncio.create_task(client(i)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(connected.wait(), timeout=60)
    await asyncio.sleep(2)
    after = sum(rss_kib(p) for p in pids)
    per_connection = (after - before) / clients

    posted = []
    async with httpx.AsyncClient(
        base_url=http_base or base,
        headers={"Authorization": f"Bearer {info['token']}"},
        timeout=30,
    ) as http:
        # warm up (templates compiled, pools filled); these deliveries are not counted
        for conv in info["conversations"][:10]:
            await http.post(f"/v1/conversations/{conv}/notes", json={"body": "warm-up"})
        await asyncio.sleep(2)
        latencies.clear()
        received.clear()
        interval = 1 / rate
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < seconds:
            conv = info["conversations"][n % len(info["conversations"])]
            response = await http.post(
                f"/v1/conversations/{conv}/notes", json={"body": f"bench note {n}"}
            )
            assert response.status_code == 201, response.text[:300]
            posted.append(n)
            n += 1
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
    await asyncio.sleep(5)
    if recovered:
        print(f"{len(recovered)} pushes went missing and were replayed from the event log")
    failed = [t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception()]
    if failed:
        print(f"{len(failed)} clients failed, e.g. {failed[0]!r}")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    per_topic = clients // len(customers)
    expected = len(posted) * per_topic
    got = sum(min(received.get(n, 0), per_topic) for n in posted)
    return latencies, expected, got, per_connection, len(posted)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20, help="notes per second")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--writes", choices=["daphne", "gunicorn", "both"], default="both")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kdesk_bench_live")
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, REDIS_URL=redis, DATABASE_POOL_MAX="8")
    manage("migrate", "--noinput", env=env)
    info = json.loads(
        manage("shell", "-c", SEED.replace("CUSTOMERS", str(args.customers)), env=env)
        .strip()
        .splitlines()[-1]
    )
    writers = ["daphne", "gunicorn"] if args.writes == "both" else [args.writes]
    results = {}
    with served(workers=1, port=8200, env=env) as base:
        for writer in writers:
            if writer == "daphne":
                results[writer] = asyncio.run(
                    run(base, info, args.clients, args.rate, args.seconds)
                )
                continue
            with served(workers=2, threads=4, port=8201, env=env, server="gunicorn") as web:
                results[writer] = asyncio.run(
                    run(base, info, args.clients, args.rate, args.seconds, http_base=web)
                )
    print(
        f"\n{args.clients} websocket clients over {args.customers} customers, one daphne process,"
        f" Redis channel layer; notes at {args.rate}/s through the API"
    )
    for writer, (latencies, expected, got, per_conn, notes) in results.items():
        latencies.sort()
        p50 = statistics.median(latencies) if latencies else float("nan")
        p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
        print(
            f"notes written through {writer} ({notes}): commit → receipt p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms (targets <= 50 ms, <= 250 ms); delivered {got} of {expected} "
            f"({'none lost' if got >= expected else f'{expected - got} LOST'}); "
            f"memory per idle connection {per_conn:.1f} KiB"
        )


if __name__ == "__main__":
    main()
