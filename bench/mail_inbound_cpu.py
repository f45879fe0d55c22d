"""CPU time per inbound email, in process: the figure that holds on a shared machine, where
wall-clock throughput under other people's load does not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_mail_bench \\
        /work/main/.venv/bin/python bench/mail_inbound_cpu.py --messages 600 [--profile out.prof]

Sets up the data as bench/mail.py does (one org, one mailbox, one seeded conversation per
sender of a pool of 300), then posts the same kind of raw messages (unique Message-IDs, half of
them replies by In-Reply-To) to the email hook through Django's request handler, and reports
the process's CPU seconds per message (time.process_time: this process only; PostgreSQL's own
work is not counted) after a warm-up. With --profile, cProfile's statistics are written there
and the top functions by cumulative time printed.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mail import DEFAULT_URL, SENDERS, setup_in_process  # noqa: E402


def raw_message(run, n):
    sender = n % SENDERS
    reply = f"In-Reply-To: <seed-{sender}@bench.example>\r\n" if n % 2 == 0 else ""
    return (
        f"From: Customer {sender} <c{sender}@bench.example>\r\n"
        "To: support@bench.test\r\n"
        f"Subject: Question {n}\r\n"
        f"Message-ID: <{run}-{n}@bench.example>\r\n"
        f"{reply}"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello, my order {n} has not arrived. Could you check?\r\n"
        "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"<p>Hello, my order <b>{n}</b> has not arrived.</p>\r\n--b1--\r\n"
    ).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--profile", help="write cProfile statistics to this file")
    args = parser.parse_args()

    setup_in_process(os.environ.get("DATABASE_URL", DEFAULT_URL), ALLOWED_HOSTS="testserver")
    from django.test import Client

    from apps_directory.hooks.services import hook_create
    from kdesk.services import organization_get_or_create
    from mail import inbound, services
    from mail.models import Mailbox, MailMessage

    org, _ = organization_get_or_create(slug="mail-cpu-bench", name="Mail CPU bench")
    if not Mailbox.objects.filter(org=org).exists():
        services.mailbox_create(
            org=org,
            actor=None,
            data={"address": "support@bench.test", "smtpHost": "127.0.0.1", "smtpPort": 25},
        )
    seeded = set(MailMessage.objects.filter(org=org).values_list("message_id", flat=True))
    for n in range(SENDERS):
        if f"seed-{n}@bench.example" not in seeded:
            raw = (
                f"From: Customer {n} <c{n}@bench.example>\r\nTo: support@bench.test\r\n"
                f"Subject: Seed {n}\r\nMessage-ID: <seed-{n}@bench.example>\r\n\r\nFirst.\r\n"
            ).encode()
            inbound.accept(org=org, raw=raw, source="hook")
    hook = hook_create(org=org, actor=None, data={"name": "cpu bench", "kind": "email"})
    hook.rate_limit_per_minute = 1_000_000
    hook.save()
    client = Client()
    run = os.urandom(4).hex()

    def post(n):
        response = client.post(hook.path, raw_message(run, n), content_type="message/rfc822")
        assert response.status_code == 202, response.content

    for n in range(args.warmup):
        post(n)
    from django.db import connection

    # the queries of one reply and of one mail opening a conversation (the measured mix),
    # counted as they run (the request signals reset Django's own query log)
    def counted(n):
        seen = []

        def count(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            post(n)
        return seen

    reply = counted(args.warmup + args.messages)
    opening = counted(args.warmup + args.messages + 1)
    # CPU time, not wall: waiting on PostgreSQL is not what this process spends
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for n in range(args.warmup, args.warmup + args.messages):
        post(n)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    print(f"messages: {args.messages}")
    print(f"cpu per message: {cpu / args.messages * 1000:.2f} ms (process CPU, this process)")
    print(f"wall per message: {wall / args.messages * 1000:.2f} ms (includes PostgreSQL)")
    print(f"queries: {len(reply)} for a reply, {len(opening)} for a mail opening a conversation")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
