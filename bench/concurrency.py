"""Concurrent writers against kdesk as deployed: looking for 500s, deadlocks and lost writes.

gunicorn (deploy/gunicorn.conf.py: gthread workers, persistent connections) on PostgreSQL and
Redis, loopback only, a fresh org per run. --concurrency clients (asyncio + httpx) write at
once to a few "hot" customers and conversations, so that every write path meets the others on
the same rows: messages on one conversation and on one customer's conversations (find-or-open),
conversations for one customer, conversation edits (snooze/reopen/close), notes, message and
note edits and deletes, customer edits with emails from a small shared pool, customer creates
with those emails, KObject creates and upserts of one externalId, overlapping bulk upserts,
merges of short-lived customers into the hot ones (and deletes of others) while messages,
notes, conversations and KObjects are written to them, teams assigned to conversations while
they are deleted, and messages retried with one Idempotency-Key. Bounded by --requests and
--seconds. DATABASE_URL=sqlite:///<file> runs the same against the one-command setup's
database (the conformance run serves SQLite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kdesk_stress \\
        REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/concurrency.py --port 8110 --requests 6000 --concurrency 32

Prints, per endpoint, the count of each status; every 5xx and every status outside the
endpoint's expected set (with its body); the tracebacks in the server's log (each distinct
exception once, with its count); and a consistency check of the database afterwards: every
message and note answered 201 and not deleted since is stored, every conversation's
message_count is its number of messages, every message's customer is its conversation's, every
message has its create event, no event names a customer merged away. Exits 1 when any of these
fails.

What it found when written (each fixed, with a regression test in
tests/api/test_api_writes_racing_merges_and_deletes.py or
tests/conversations/test_message_for_a_customer_gone.py): writes naming a customer, conversation
or team that a merge or delete removed meanwhile failed their commit on the foreign key (notes,
conversation and KObject creates, KObject upserts and bulk upserts, team assignments: 500s); on
SQLite a message to a customer deleted or merged between the endpoint's read and the message's
transaction did the same; a conversation edit that waited for another writer's lock read a stale
assignee beside the row (500) or lost the row (404); a merge left the events of writers it waited
for on the customer merged away. Still seen: one or two deadlocks in 10,000 requests between a
team delete (team row locked, then its conversations) and a writer already holding one of those
conversations that waits at COMMIT for the team row: PostgreSQL checks a row's deferred foreign
keys again at commit when the transaction updated that row twice (an inbound message's counters,
then waking the snoozed conversation), keys unchanged or not. Answered 503, nothing written.
"""

import argparse
import asyncio
import collections
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import ensure_database  # noqa: E402
from bench.serve import bench_env, manage, served  # noqa: E402

SEED = """
import json, secrets
from kdesk.services import api_key_create, organization_get_or_create
from klasses import services
org, _ = organization_get_or_create(slug="stress-" + secrets.token_hex(4), name="Stress")
services.klass_create(org=org, actor=None, data={"name": "order"})
services.metadata_update(org=org, actor=None, resource="kobject.order", data={"properties": {
    "totalNum": {"min": 0}, "currencyStr": {"enum": ["USD", "EUR"]}}})
key, token = api_key_create(org=org, name="stress", rate_limit_per_minute=10_000_000)
print(json.dumps({"token": token, "org": org.pk}))
"""

# Statuses each operation may answer when everything works: 404 where a merge or delete may
# have removed what it names meanwhile, 409 where two writers claim one unique value or an
# Idempotency-Key is in flight.
EXPECTED = {
    "POST /conversations/{id}/messages": {201, 404},
    "POST /conversations/{id}/messages idempotent": {201, 404, 409},
    "POST /customers/{id}/messages": {201, 404},
    "POST /conversations": {201, 400, 404},  # 400: the customer named was merged/deleted
    "PATCH /conversations/{id}": {200, 404},  # 404: the team assigned was deleted
    "POST /conversations/{id}/notes": {201, 404},
    "PATCH /conversations/{id}/messages/{id}": {200, 404},
    "DELETE /conversations/{id}/messages/{id}": {204, 404},
    "PATCH /conversations/{id}/notes/{id}": {200, 404},
    "DELETE /conversations/{id}/notes/{id}": {204, 404},
    "PATCH /customers/{id}": {200, 404, 409},
    "POST /customers": {201, 409},
    "POST /klasses/order": {201, 404, 409, 400},
    "PUT /klasses/order/externalId={x}": {200, 201, 404, 400},
    "POST /klasses/order/bulk": {200, 409, 400},
    "POST /customers/merges": {200, 201, 404, 400},
    "DELETE /customers/{id}": {204, 404},
    "POST /teams": {201},
    "DELETE /teams/{id}": {204, 404},
}


class State:
    """What the clients share: the hot rows, the short-lived customers, what was created and
    deleted (for the consistency check), and every response."""

    def __init__(self, rng):
        self.rng = rng
        self.hot_customers = []
        self.hot_conversations = []
        self.victims = []  # (customer id, conversation id): merged or deleted during the run
        self.messages = {}  # message id -> conversation id, for edits and deletes
        self.notes = {}
        self.teams = []  # assigned to conversations while they are deleted
        self.deleted_messages = set()
        self.deleted_notes = set()
        self.created_messages = set()
        self.created_notes = set()
        self.statuses = collections.defaultdict(collections.Counter)
        self.surprises = []  # (endpoint, status, body excerpt)

    def customer(self):
        """A hot customer mostly, sometimes one about to be merged or deleted."""
        if self.victims and self.rng.random() < 0.3:
            return self.rng.choice(self.victims)[0]
        return self.rng.choice(self.hot_customers)

    def conversation(self):
        if self.victims and self.rng.random() < 0.3:
            return self.rng.choice(self.victims)[1]
        return self.rng.choice(self.hot_conversations)


def _message_body(rng, n, **extra):
    return {
        "direction": rng.choice(["in", "out"]),
        "channel": rng.choice(["email", "chat", "sms"]),
        "body": f"stress message {n}",
        **extra,
    }


def _order(rng, external_id, customer=None):
    item = {
        "title": f"Order {external_id}",
        "externalId": external_id,
        "data": {"totalNum": rng.randint(1, 900), "currencyStr": "USD"},
    }
    if customer is not None:
        item["customer"] = str(customer)
    return item


def operations(state, n):
    """(endpoint, method, path, body, headers) of one request picked at random."""
    rng = state.rng
    ops = []

    def op(weight):
        def add(fn):
            ops.append((weight, fn))
            return fn

        return add

    @op(18)
    def message_on_conversation():
        conv = state.conversation()
        return (
            "POST /conversations/{id}/messages",
            "POST",
            f"/v1/conversations/{conv}/messages",
            (_message_body(rng, n)),
        )

    @op(4)
    def message_idempotent():
        conv = state.hot_conversations[0]
        key = f"retry-{rng.randint(0, 20)}"
        body = {"direction": "in", "channel": "chat", "body": f"retried {key}"}
        return (
            "POST /conversations/{id}/messages idempotent",
            "POST",
            f"/v1/conversations/{conv}/messages",
            body,
            {"Idempotency-Key": key},
        )

    @op(14)
    def message_on_customer():
        cust = state.customer()
        return (
            "POST /customers/{id}/messages",
            "POST",
            f"/v1/customers/{cust}/messages",
            (_message_body(rng, n, direction="in")),
        )

    @op(5)
    def conversation_create():
        cust = state.customer()
        return (
            "POST /conversations",
            "POST",
            "/v1/conversations",
            {
                "customer": str(cust),
                "name": f"stress conversation {n}",
            },
        )

    @op(6)
    def conversation_update():
        conv = state.conversation()
        status = rng.choice(["open", "done", "snoozed"])
        body = {"status": status, "priority": rng.randint(1, 5)}
        if status == "snoozed":
            later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
            body["snoozeUntil"] = later.isoformat()
        if state.teams and rng.random() < 0.5:
            body["assignedTeam"] = str(rng.choice(state.teams))
        return "PATCH /conversations/{id}", "PATCH", f"/v1/conversations/{conv}", body

    @op(8)
    def note_create():
        conv = state.conversation()
        return (
            "POST /conversations/{id}/notes",
            "POST",
            f"/v1/conversations/{conv}/notes",
            {"body": f"stress note {n}"},
        )

    @op(3)
    def message_update():
        if not state.messages:
            return message_on_conversation()
        pk, conv = rng.choice(list(state.messages.items()))
        return (
            "PATCH /conversations/{id}/messages/{id}",
            "PATCH",
            f"/v1/conversations/{conv}/messages/{pk}",
            {"statusDetail": f"stress {n}"},
        )

    @op(3)
    def message_delete():
        if not state.messages:
            return message_on_conversation()
        pk, conv = rng.choice(list(state.messages.items()))
        return (
            "DELETE /conversations/{id}/messages/{id}",
            "DELETE",
            f"/v1/conversations/{conv}/messages/{pk}",
            None,
        )

    @op(2)
    def note_update():
        if not state.notes:
            return note_create()
        pk, conv = rng.choice(list(state.notes.items()))
        return (
            "PATCH /conversations/{id}/notes/{id}",
            "PATCH",
            f"/v1/conversations/{conv}/notes/{pk}",
            {"body": f"edited {n}"},
        )

    @op(2)
    def note_delete():
        if not state.notes:
            return note_create()
        pk, conv = rng.choice(list(state.notes.items()))
        return (
            "DELETE /conversations/{id}/notes/{id}",
            "DELETE",
            f"/v1/conversations/{conv}/notes/{pk}",
            None,
        )

    @op(6)
    def customer_update():
        cust = state.customer()
        body = {"name": f"Hot {n}"}
        if rng.random() < 0.5:
            body["emails"] = [{"type": "work", "email": f"pool{rng.randint(0, 9)}@stress.io"}]
        return "PATCH /customers/{id}", "PATCH", f"/v1/customers/{cust}", body

    @op(3)
    def customer_create():
        return (
            "POST /customers",
            "POST",
            "/v1/customers",
            {
                "name": f"New {n}",
                "emails": [{"type": "work", "email": f"pool{rng.randint(0, 9)}@stress.io"}],
            },
        )

    @op(5)
    def kobject_create():
        return (
            "POST /klasses/order",
            "POST",
            "/v1/klasses/order",
            _order(rng, f"o-{rng.randint(0, 30)}", state.customer()),
        )

    @op(5)
    def kobject_upsert():
        x = f"o-{rng.randint(0, 30)}"
        return (
            "PUT /klasses/order/externalId={x}",
            "PUT",
            f"/v1/klasses/order/externalId={x}",
            _order(rng, x, state.customer()),
        )

    @op(3)
    def bulk():
        start = rng.randint(0, 40)
        items = [
            _order(rng, f"o-{i}", state.customer())
            for i in range(start, start + rng.randint(5, 30))
        ]
        rng.shuffle(items)
        return "POST /klasses/order/bulk", "POST", "/v1/klasses/order/bulk", items

    @op(2)
    def merge():
        if not state.victims:
            return message_on_customer()
        source = rng.choice(state.victims)[0]
        return (
            "POST /customers/merges",
            "POST",
            "/v1/customers/merges",
            {
                "source": str(source),
                "target": str(rng.choice(state.hot_customers)),
            },
        )

    @op(1)
    def customer_delete():
        if not state.victims:
            return message_on_customer()
        cust = rng.choice(state.victims)[0]
        return "DELETE /customers/{id}", "DELETE", f"/v1/customers/{cust}", None

    @op(1)
    def team_create():
        return "POST /teams", "POST", "/v1/teams", {"name": f"Team {n}"}

    @op(1)
    def team_delete():
        if not state.teams:
            return team_create()
        return "DELETE /teams/{id}", "DELETE", f"/v1/teams/{rng.choice(state.teams)}", None

    total = sum(w for w, _ in ops)
    pick = rng.uniform(0, total)
    chosen = ops[-1][1]
    for weight, fn in ops:
        pick -= weight
        if pick <= 0:
            chosen = fn
            break
    out = chosen()
    return out if len(out) == 5 else (*out, None)


async def _setup(client, state, hot, victims):
    """The hot customers (two conversations each, one with a message) and the short-lived ones
    (one conversation each)."""

    async def customer_with_conversations(name, conversations):
        r = await client.post("/v1/customers", json={"name": name})
        r.raise_for_status()
        cust = int(r.json()["data"]["id"])
        convs = []
        for i in range(conversations):
            r = await client.post(
                "/v1/conversations", json={"customer": str(cust), "name": f"{name} {i}"}
            )
            r.raise_for_status()
            convs.append(int(r.json()["data"]["id"]))
        return cust, convs

    for i in range(hot):
        cust, convs = await customer_with_conversations(f"Hot {i}", 2)
        state.hot_customers.append(cust)
        state.hot_conversations.extend(convs)
    for i in range(victims):
        cust, convs = await customer_with_conversations(f"Short-lived {i}", 1)
        state.victims.append((cust, convs[0]))


def _record(state, endpoint, method, path, response):
    status = response.status_code
    state.statuses[endpoint][status] += 1
    if status >= 500 or status not in EXPECTED[endpoint]:
        state.surprises.append((endpoint, status, path, response.text[:400]))
    if method == "POST" and status == 201 and endpoint.startswith("POST /conversations/{id}/"):
        pk = int(response.json()["data"]["id"])
        conv = int(path.split("/")[3])
        if "notes" in endpoint:
            state.notes[pk] = conv
            state.created_notes.add(pk)
        elif response.headers.get("Idempotent-Replayed") != "true":
            state.messages[pk] = conv
            state.created_messages.add(pk)
    elif endpoint == "POST /customers/{id}/messages" and status == 201:
        data = response.json()["data"]
        pk = int(data["id"])
        conv = int(data["relationships"]["conversation"]["data"]["id"])
        state.messages[pk] = conv
        state.created_messages.add(pk)
    elif method == "DELETE" and status == 204 and "/messages/" in path:
        pk = int(path.rsplit("/", 1)[1])
        state.deleted_messages.add(pk)
        state.messages.pop(pk, None)
    elif method == "DELETE" and status == 204 and "/notes/" in path:
        pk = int(path.rsplit("/", 1)[1])
        state.deleted_notes.add(pk)
        state.notes.pop(pk, None)
    elif endpoint == "POST /teams" and status == 201:
        state.teams.append(int(response.json()["data"]["id"]))
    elif endpoint == "DELETE /teams/{id}" and status == 204:
        gone = int(path.rsplit("/", 1)[1])
        state.teams = [t for t in state.teams if t != gone]
    elif endpoint == "POST /customers/merges" and status in (200, 201):
        source = int(json.loads(response.request.content)["source"])
        state.victims = [v for v in state.victims if v[0] != source]
    elif endpoint == "DELETE /customers/{id}" and status == 204:
        gone = int(path.rsplit("/", 1)[1])
        deleted = [v for v in state.victims if v[0] == gone]
        state.victims = [v for v in state.victims if v[0] != gone]
        # what the delete removed is not lost: forget it
        for _, conv in deleted:
            for table, deleted_set in (
                (state.messages, state.deleted_messages),
                (state.notes, state.deleted_notes),
            ):
                for pk in [pk for pk, c in table.items() if c == conv]:
                    deleted_set.add(pk)
                    table.pop(pk)


async def _load(client, state, args):
    counter = iter(range(args.requests))
    deadline = time.monotonic() + args.seconds
    errors = collections.Counter()

    async def worker():
        for n in counter:
            if time.monotonic() > deadline:
                return
            endpoint, method, path, body, headers = operations(state, n)
            try:
                response = await client.request(method, path, json=body, headers=headers)
            except Exception as exc:  # noqa: BLE001 - a transport failure is a finding too
                errors[f"{endpoint}: {type(exc).__name__}"] += 1
                state.statuses[endpoint]["transport error"] += 1
                continue
            _record(state, endpoint, method, path, response)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    return time.monotonic() - started, errors


def _tracebacks(log_text):
    """{last line of each traceback: count} from the server's log."""
    found = collections.Counter()
    lines = log_text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            if j < len(lines):
                found[lines[j][:300]] += 1
    return found


class _SQLite:
    """sqlite3 answering psycopg's `execute(sql, params).fetchall()` with %s placeholders."""

    def __init__(self, path):
        import sqlite3

        self.conn = sqlite3.connect(path)

    def execute(self, sql, params=()):
        return self.conn.execute(sql.replace("%%", "%").replace("%s", "?"), params)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.conn.close()


def _connect(url):
    if url.startswith("sqlite:///"):
        return _SQLite(url[len("sqlite:///") :])
    import psycopg

    return psycopg.connect(url)


def _without_delete_event(conn, org, resource, ids):
    """Those of `ids` whose deletion no event records (a customer's delete takes their
    conversations' messages and notes with it, each with its event): lost writes."""
    if not ids:
        return set()
    deleted = conn.execute(
        "SELECT resource_id FROM kdesk_event WHERE org_id = %s AND resource = %s "
        "AND type LIKE '%%.delete'",
        (org, resource),
    ).fetchall()
    return set(ids) - {int(r[0]) for r in deleted}


def _consistency(url, org, state):
    """Problems found in the stored rows: lost writes and aggregates that disagree."""
    problems = []
    with _connect(url) as conn:
        stored = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM conversations_message WHERE org_id = %s", (org,)
            ).fetchall()
        }
        lost = _without_delete_event(
            conn, org, "message", state.created_messages - state.deleted_messages - stored
        )
        if lost:
            problems.append(f"{len(lost)} messages answered 201 are missing: {sorted(lost)[:10]}")
        notes = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM conversations_note WHERE org_id = %s", (org,)
            ).fetchall()
        }
        lost = _without_delete_event(
            conn, org, "note", state.created_notes - state.deleted_notes - notes
        )
        if lost:
            problems.append(f"{len(lost)} notes answered 201 are missing: {sorted(lost)[:10]}")
        for conv, count, actual in conn.execute(
            "SELECT c.id, c.message_count, (SELECT count(*) FROM conversations_message m "
            "WHERE m.conversation_id = c.id) FROM conversations_conversation c WHERE c.org_id = %s",
            (org,),
        ).fetchall():
            if count != actual:
                problems.append(f"conversation {conv}: message_count {count}, {actual} messages")
        for table in ("conversations_message", "conversations_note"):
            wrong = conn.execute(
                f"SELECT count(*) FROM {table} e JOIN conversations_conversation c "
                "ON c.id = e.conversation_id WHERE e.org_id = %s AND e.customer_id <> c.customer_id",
                (org,),
            ).fetchone()[0]
            if wrong:
                problems.append(
                    f"{wrong} rows of {table} name another customer than their conversation"
                )
        missing_events = conn.execute(
            "SELECT count(*) FROM conversations_message m WHERE m.org_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM kdesk_event e WHERE e.org_id = m.org_id AND e.resource = 'message' "
            "AND e.resource_id = CAST(m.id AS TEXT) AND e.type = 'conversation.message.create')",
            (org,),
        ).fetchone()[0]
        if missing_events:
            problems.append(f"{missing_events} messages without their create event")
        stray = conn.execute(
            "SELECT count(*) FROM kdesk_event e WHERE e.org_id = %s AND e.customer_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM customers_customer c WHERE c.id = e.customer_id) "
            "AND e.type NOT IN ('customer.delete', 'conversation.delete', "
            "'conversation.message.delete', 'conversation.note.delete') AND e.customer_id NOT IN "
            "(SELECT CAST(resource_id AS BIGINT) FROM kdesk_event d WHERE d.org_id = e.org_id "
            "AND d.type = 'customer.delete')",
            (org,),
        ).fetchone()[0]
        if stray:
            problems.append(
                f"{stray} events name a customer merged away (their timeline lost them)"
            )
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=6000, help="at most this many requests")
    parser.add_argument("--seconds", type=int, default=180, help="at most this long")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--hot", type=int, default=3, help="hot customers (two conversations)")
    parser.add_argument("--victims", type=int, default=40, help="customers merged or deleted")
    parser.add_argument("--workers", type=int, default=None, help="default: as deployed")
    parser.add_argument("--threads", type=int, default=None, help="default: as deployed")
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", help="keep the server's log here (default: a temporary file)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    elif not url.startswith("sqlite:///"):
        sys.exit("set DATABASE_URL=postgres://… (or sqlite:///<file>, the one-command setup)")
    env = bench_env(DATABASE_URL=url, LOG_LEVEL="WARNING")
    manage("migrate", "--noinput", env=env)
    info = json.loads(manage("shell", "-c", SEED, env=env).strip().splitlines()[-1])
    state = State(random.Random(args.seed))
    log_path = Path(args.log or tempfile.mkstemp(prefix="kdesk-concurrency-", suffix=".log")[1])

    import httpx

    async def run(base):
        limits = httpx.Limits(max_connections=args.concurrency + 4)
        headers = {"Authorization": f"Bearer {info['token']}"}
        async with httpx.AsyncClient(
            base_url=base, headers=headers, timeout=60, limits=limits
        ) as client:
            await _setup(client, state, args.hot, args.victims)
            return await _load(client, state, args)

    with log_path.open("wb") as log:
        with served(
            workers=args.workers,
            threads=args.threads,
            port=args.port,
            server="gunicorn",
            env=env,
            log=log,
        ) as base:
            elapsed, transport = asyncio.run(run(base))
    total = sum(sum(c.values()) for c in state.statuses.values())
    print(
        f"{total} requests in {elapsed:.1f}s, {args.concurrency} in flight, seed {args.seed}, "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    for endpoint in sorted(state.statuses):
        counts = state.statuses[endpoint]
        print(
            f"  {endpoint:45} " + "  ".join(f"{s}: {n}" for s, n in sorted(counts.items(), key=str))
        )
    failed = False
    five = [s for s in state.surprises if isinstance(s[1], int) and s[1] >= 500]
    print(f"5xx: {len(five)}; other unexpected statuses: {len(state.surprises) - len(five)}")
    for endpoint, status, path, body in state.surprises[:40]:
        body = " ".join(body.split())
        print(f"  {status} {endpoint} {path}: {body}")
    failed |= bool(state.surprises)
    for what, n in transport.items():
        print(f"  transport: {what} x{n}")
        failed = True
    tracebacks = _tracebacks(log_path.read_text(errors="replace"))
    print(f"tracebacks in the server log ({log_path}): {sum(tracebacks.values())}")
    for last, n in tracebacks.most_common():
        print(f"  x{n} {last}")
    failed |= bool(tracebacks)
    problems = _consistency(url, info["org"], state)
    print(
        f"consistency: {'ok' if not problems else f'{len(problems)} problems'}"
        f" ({len(state.created_messages)} messages and {len(state.created_notes)} notes created,"
        f" {len(state.deleted_messages)} and {len(state.deleted_notes)} deleted)"
    )
    for problem in problems[:30]:
        print(f"  {problem}")
    failed |= bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
