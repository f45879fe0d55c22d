"""Email channel figures on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_email \\
        /work/main/.venv/bin/python bench/mail.py

1. Inbound: raw messages posted to an email hook, served by one gunicorn worker as deployed
   (deploy/gunicorn.conf.py: a gthread worker, GUNICORN_THREADS threads, 4 by default; the
   sync worker this bench used before is what GUNICORN_THREADS=1 deploys), wrk -c4 with a Lua
   script making every message unique (Message-ID, sender from a pool of 300, half of them
   replies threaded by In-Reply-To into seeded conversations). The hook answers 202 only once
   the mail is parsed, threaded and committed (its message, event and live push), so the
   messages counted in the database over wrk's run are the figure: messages/s (target ≥ 100/s)
   and non-202 answers.
2. Outbound: a backlog of desk replies on the email channel sent by one `manage.py db_worker`
   to a loopback SMTP server (aiosmtpd in this process). Reports sends/s from the first to the
   last message the server received (target ≥ 50/s), and that every reply ended `sent` once.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serve import PYTHON, bench_env, manage, served, wrk  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kdesk_email"
SENDERS = 300

LUA = r"""
counter = 0
math.randomseed(os.time())
run = "%(nonce)s-" .. os.time() .. "-" .. math.random(1, 1000000000)
request = function()
  counter = counter + 1
  local sender = counter %% %(senders)d
  local reply = ""
  if counter %% 2 == 0 then
    reply = "In-Reply-To: <seed-" .. sender .. "@bench.example>\r\n"
  end
  local body = "From: Customer " .. sender .. " <c" .. sender .. "@bench.example>\r\n" ..
    "To: support@bench.test\r\n" ..
    "Subject: Question " .. counter .. "\r\n" ..
    "Message-ID: <" .. run .. "-" .. counter .. "@bench.example>\r\n" ..
    reply ..
    "MIME-Version: 1.0\r\n" ..
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" ..
    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" ..
    "Hello, my order " .. counter .. " has not arrived. Could you check?\r\n" ..
    "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" ..
    "<p>Hello, my order <b>" .. counter .. "</b> has not arrived.</p>\r\n--b1--\r\n"
  return wrk.format("POST", nil, {["Content-Type"] = "message/rfc822"}, body)
end
"""


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_in_process(url, **extra):
    """The bench database created and migrated, then Django set up in this process on it."""
    from bench.serve import bench_env, manage

    ensure_database(url)
    env = bench_env(DATABASE_URL=url, TASK_BACKEND="dummy", **extra)
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Sink:
    def __init__(self):
        self.times = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.times.append(time.time())
        return "250 OK"


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="wrk seconds")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--port", type=int, default=8119)
    parser.add_argument(
        "--threads",
        type=int,
        help="gunicorn threads of the one worker (default: as deployed; 1 serves a sync worker)",
    )
    parser.add_argument("--inbound-only", action="store_true", help="stop after the inbound run")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    env = bench_env(DATABASE_URL=url, TASK_BACKEND="database", OUTBOUND_ALLOW_PRIVATE="true")
    manage("migrate", "--noinput", env=env)
    os.environ.update(env)
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django_tasks_db.models import DBTaskResult

    from apps_directory.hooks.services import hook_create
    from conversations.models import Message
    from conversations.services import message_create
    from kdesk.services import organization_get_or_create
    from mail import inbound, services
    from mail.models import Mailbox, MailMessage

    org, _ = organization_get_or_create(slug="mail-bench", name="Mail bench")
    Mailbox.objects.filter(org=org).delete()
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    services.mailbox_create(
        org=org,
        actor=None,
        data={
            "address": "support@bench.test",
            "displayName": "Bench Support",
            "smtpHost": "127.0.0.1",
            "smtpPort": smtp_port,
            "smtpSecurity": "none",
        },
    )
    results = {
        "load_average_before": load_average(),
        "gunicorn_threads": args.threads or os.environ.get("GUNICORN_THREADS") or 4,
    }

    # Seed one conversation per sender, so half of the posted mail threads into one.
    seeded = set(MailMessage.objects.filter(org=org).values_list("message_id", flat=True))
    for n in range(SENDERS):
        if f"seed-{n}@bench.example" in seeded:
            continue
        raw = (
            f"From: Customer {n} <c{n}@bench.example>\r\nTo: support@bench.test\r\n"
            f"Subject: Seed {n}\r\nMessage-ID: <seed-{n}@bench.example>\r\n\r\nFirst mail.\r\n"
        ).encode()
        inbound.accept(org=org, raw=raw, source="hook")

    # 1. inbound through the hook, one gunicorn worker
    hook = hook_create(org=org, actor=None, data={"name": "bench", "kind": "email"})
    hook.rate_limit_per_minute = 1_000_000
    hook.save()
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    # every run's Message-IDs are new: a repeated one is dropped as "Already received"
    script.write(LUA % {"senders": SENDERS, "nonce": os.urandom(4).hex()})
    script.close()
    before = Message.objects.filter(org=org).count()
    # threads=None: as deploy/gunicorn.conf.py deploys it (GUNICORN_THREADS, default 4)
    with served(workers=1, port=args.port, env=env, server="gunicorn", threads=args.threads):
        base = f"http://127.0.0.1:{args.port}"
        wrk(base + hook.path, duration=2, connections=args.connections, script=script.name)
        middle = Message.objects.filter(org=org).count()
        started = time.time()
        figures = wrk(
            base + hook.path,
            duration=args.duration,
            connections=args.connections,
            script=script.name,
        )
        elapsed = time.time() - started
        results["load_average_inbound"] = load_average()
    after = Message.objects.filter(org=org).count()
    results["inbound_requests_per_s"] = figures.get("rps")
    results["inbound_messages_per_s"] = round((after - middle) / elapsed, 1)
    results["inbound_p50_ms"] = figures.get("p50")
    results["inbound_p99_ms"] = figures.get("p99")
    results["inbound_non_2xx"] = figures.get("non2xx", 0)
    results["inbound_socket_errors"] = figures.get("errors", 0)
    results["inbound_messages_recorded"] = after - before
    if args.inbound_only:
        controller.stop()
        print(json.dumps(results, indent=2))
        return

    # 2. outbound: a backlog of replies, one worker
    DBTaskResult.objects.all().delete()
    conversations = list(
        MailMessage.objects.filter(org=org, direction="in")
        .values_list("conversation_id", flat=True)
        .distinct()[:200]
    )
    from conversations.models import Conversation

    replies = []
    for i in range(args.sends):
        conversation = Conversation.objects.get(pk=conversations[i % len(conversations)])
        replies.append(
            message_create(
                org=org,
                actor=None,
                conversation=conversation,
                data={"direction": "out", "channel": "email", "body": f"Reply {i}: on its way."},
            ).pk
        )
    queued = MailMessage.objects.filter(desk_message_id__in=replies, status="queued").count()
    log = open(tempfile.mktemp(prefix="mail-bench-", suffix=".log"), "wb")
    worker = subprocess.Popen(
        [PYTHON, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 600
        while time.time() < deadline:
            if not MailMessage.objects.filter(
                desk_message_id__in=replies, status__in=["queued", "sending"]
            ).exists():
                break
            time.sleep(0.5)
        results["load_average_outbound"] = load_average()
    finally:
        worker.terminate()
        worker.wait(15)
    statuses = dict(
        Message.objects.filter(pk__in=replies)
        .values_list("status")
        .annotate(n=django.db.models.Count("id"))
        .values_list("status", "n")
    )
    span = max(sink.times) - min(sink.times) if len(sink.times) > 1 else 0
    results.update(
        outbound_queued=queued,
        outbound_received_by_server=len(sink.times),
        outbound_statuses=statuses,
        outbound_sends_per_s=round(len(sink.times) / span, 1) if span else None,
        worker_log=log.name,
    )
    # 3. in this process, without HTTP: CPU per message of this process (the database's own
    # work excluded), which a loaded machine inflates less than wall time
    n = 100
    raws = [
        (
            f"From: Customer {i} <c{i % SENDERS}@bench.example>\r\nTo: support@bench.test\r\n"
            f"Subject: CPU {i}\r\nMessage-ID: <cpu-{os.urandom(6).hex()}@bench.example>\r\n"
            f"In-Reply-To: <seed-{i % SENDERS}@bench.example>\r\n\r\nHello {i}\r\n"
        ).encode()
        for i in range(n)
    ]
    cpu, wall = time.process_time(), time.time()
    for raw in raws:
        inbound.accept(org=org, raw=raw, source="hook")
    results["inbound_cpu_ms_per_message"] = round((time.process_time() - cpu) * 1000 / n, 1)
    results["inbound_wall_ms_per_message_in_process"] = round((time.time() - wall) * 1000 / n, 1)
    from mail import outbox, sending

    outbox_kick = outbox.kick
    outbox.kick = lambda mailbox_id: None  # sent below, in this process
    try:
        for i in range(n):
            conversation = Conversation.objects.get(pk=conversations[i % len(conversations)])
            message_create(
                org=org,
                actor=None,
                conversation=conversation,
                data={"direction": "out", "channel": "email", "body": f"CPU reply {i}"},
            )
    finally:
        outbox.kick = outbox_kick
    box = Mailbox.objects.get(org=org)
    cpu, wall = time.process_time(), time.time()
    sent = sending.drain(box.pk)
    results["outbound_cpu_ms_per_send"] = round(
        (time.process_time() - cpu) * 1000 / max(sent, 1), 1
    )
    results["outbound_wall_ms_per_send_in_process"] = round(
        (time.time() - wall) * 1000 / max(sent, 1), 1
    )
    results["load_average_after"] = load_average()
    controller.stop()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
