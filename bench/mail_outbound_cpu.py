"""CPU time and queries per outbound email, in process: the figures that hold on a shared
machine, where the wall-clock sends/s of bench/mail.py does not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_mail_bench \\
        /work/main/.venv/bin/python bench/mail_outbound_cpu.py --sends 200 [--profile out.prof]

One org with one mailbox on a loopback SMTP server (aiosmtpd in this process), 20 conversations
opened by inbound mail; a warm-up batch is sent, then `--sends` desk replies are queued and
sent by `sending.drain` (what the worker's task runs). Reports the process's CPU per send
(time.process_time: this process, which also runs the SMTP server's thread; PostgreSQL's own
work is not counted), wall per send and queries per send.
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

from bench.mail import DEFAULT_URL, Sink, free_port, setup_in_process  # noqa: E402

CONVERSATIONS = 20


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--profile", help="write cProfile statistics to this file")
    args = parser.parse_args()

    setup_in_process(os.environ.get("DATABASE_URL", DEFAULT_URL), OUTBOUND_ALLOW_PRIVATE="true")
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conversations.models import Conversation
    from conversations.services import message_create
    from kdesk.services import organization_get_or_create
    from mail import inbound, outbox, sending, services
    from mail.models import Mailbox

    org, _ = organization_get_or_create(slug="mail-out-cpu-bench", name="Mail out CPU bench")
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    Mailbox.objects.filter(org=org).delete()
    box = services.mailbox_create(
        org=org,
        actor=None,
        data={
            "address": "support@out.test",
            "smtpHost": "127.0.0.1",
            "smtpPort": port,
            "smtpSecurity": "none",
        },
    )
    run = os.urandom(4).hex()
    conversations = []
    for n in range(CONVERSATIONS):
        raw = (
            f"From: Customer {n} <oc{n}@bench.example>\r\nTo: support@out.test\r\n"
            f"Subject: Question {n}\r\nMessage-ID: <out-{run}-{n}@bench.example>\r\n\r\nHi\r\n"
        ).encode()
        conversations.append(inbound.accept(org=org, raw=raw, source="hook").conversation_id)
    outbox.kick = lambda mailbox_id: None  # sent below, in this process

    def queue(k):
        for i in range(k):
            message_create(
                org=org,
                actor=None,
                conversation=Conversation.objects.get(pk=conversations[i % CONVERSATIONS]),
                data={"direction": "out", "channel": "email", "body": f"Reply {i}: on its way."},
            )

    queue(CONVERSATIONS)
    sending.drain(box.pk)  # warm-up: connections, compiled queries, templates
    queue(args.sends)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        sent = sending.drain(box.pk)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    controller.stop()
    print(f"sends: {sent}")
    print(f"cpu per send: {cpu / sent * 1000:.2f} ms (process CPU, this process)")
    print(f"wall per send: {wall / sent * 1000:.2f} ms (includes PostgreSQL)")
    print(f"queries per send: {len(queries) / sent:.2f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if profiler:
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
