"""The incremental-sync pattern: `<ctx>_updated_at gte <bookmark>` sorted ascending, walked with
the keyset cursor, returns every row exactly once even while rows are being updated."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from customers.models import Customer

URL = "/v1/customers/search"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def sync_body(bookmark="2023-12-31T00:00:00Z", ctx="customer"):
    return {
        "queryContext": ctx,
        "and": [{f"{ctx}_updated_at": {"gte": bookmark}}],
        "sort": [{f"{ctx}_updated_at": "asc"}],
    }


def make(org, n):
    # Many rows share an updated_at (ties broken by id) and ids do not follow updated_at.
    rows = [
        Customer(org=org, name=f"S{i}", updated_at=T0 + timedelta(seconds=(i * 7) % 13), custom={})
        for i in range(n)
    ]
    return [c.pk for c in Customer.objects.bulk_create(rows)]


def walk(api, body, size, between=None, limit=1000):
    """Yield (id, rev) of every row the cursor walk returns; `between(page_no)` runs after
    each page (the concurrent writer)."""
    seen = []
    doc = api.post(f"{URL}?pageSize={size}", body).json()
    cursor = doc["meta"]["cursor"]["next"]
    seen += [(r["id"], r["attributes"]["rev"]) for r in doc["data"]]
    pages = 1
    while len(doc["data"]) == size:
        if between:
            between(pages)
        assert pages < limit, "the walk never ends"
        doc = api.post(f"{URL}?pageSize={size}&cursor={cursor}", body).json()
        assert doc["links"]["next"] is None or "cursor=" in doc["links"]["next"]
        cursor = doc["meta"]["cursor"]["next"]
        seen += [(r["id"], r["attributes"]["rev"]) for r in doc["data"]]
        pages += 1
    return seen, cursor


def test_walk_returns_every_row_once(api, org, settings):
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    pks = make(org, 100)
    seen, _ = walk(api, sync_body(), size=7)
    assert sorted(int(i) for i, _ in seen) == sorted(pks)


def test_walk_with_concurrent_updates_loses_nothing_and_repeats_only_changes(api, org, settings):
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    pks = make(org, 120)
    rng = random.Random(7)
    updates = Counter()

    def writer(page_no):
        # Update rows both behind and ahead of the cursor, a few of them repeatedly.
        for pk in rng.sample(pks, 5) + [pks[0]]:
            Customer.objects.filter(pk=pk).update(updated_at=timezone.now(), rev=F("rev") + 1)
            updates[pk] += 1

    seen, cursor = walk(api, sync_body(), size=9, between=writer)
    versions = Counter(seen)
    assert max(versions.values()) == 1, "a row version was returned twice"
    by_id = Counter(int(i) for i, _ in seen)
    final = dict(Customer.objects.filter(org=org).values_list("pk", "rev"))
    # none lost: every row's latest version was delivered
    delivered = {(int(i), rev) for i, rev in seen}
    for pk in pks:
        assert (pk, final[pk]) in delivered, pk
        # a row comes back at most once per change, never forever
        assert 1 <= by_id[pk] <= 1 + updates[pk]
    assert sum(updates.values()) > 0 and any(by_id[pk] > 1 for pk in pks)
    # caught up: resuming from the last cursor gives nothing new ...
    doc = api.post(f"{URL}?pageSize=9&cursor={cursor}", sync_body()).json()
    assert doc["data"] == [] and doc["meta"]["cursor"]["next"] == cursor
    assert doc["links"]["next"] is None
    # ... until something changes
    Customer.objects.filter(pk=pks[3]).update(updated_at=timezone.now(), rev=F("rev") + 1)
    doc = api.post(f"{URL}?pageSize=9&cursor={cursor}", sync_body()).json()
    assert [r["id"] for r in doc["data"]] == [str(pks[3])]


def test_page_mode_sync_search_carries_the_cursor(api, org, settings):
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    make(org, 5)
    doc = api.post(f"{URL}?pageSize=2", sync_body()).json()
    assert doc["meta"]["total"] == 5 and doc["meta"]["cursor"]["next"]
    rest = api.post(f"{URL}?pageSize=10&cursor={doc['meta']['cursor']['next']}", sync_body()).json()
    assert len(rest["data"]) == 3
    assert {r["id"] for r in doc["data"]}.isdisjoint({r["id"] for r in rest["data"]})
    assert rest["meta"] == {"pageSize": 10, "cursor": {"next": rest["meta"]["cursor"]["next"]}}
    assert doc["meta"]["totalExact"] is True


def test_rows_that_commit_late_are_not_skipped(api, org, settings):
    """A writer stamps updated_at before it commits. Sync searches only read rows older than
    the settle window, so a row committed late with an earlier stamp is still ahead of the
    cursor when it becomes visible."""
    settings.SEARCH_SYNC_SETTLE_SECONDS = 60
    now = timezone.now()
    old = Customer.objects.create(org=org, name="old", updated_at=now - timedelta(hours=1))
    fresh = Customer.objects.create(org=org, name="fresh", updated_at=now - timedelta(seconds=5))
    doc = api.post(f"{URL}?pageSize=10", sync_body()).json()
    assert [r["id"] for r in doc["data"]] == [str(old.pk)]  # fresh is not settled yet
    cursor = doc["meta"]["cursor"]["next"]
    # A transaction that stamped its row 30 s ago commits only now.
    late = Customer.objects.create(org=org, name="late", updated_at=now - timedelta(seconds=30))
    settings.SEARCH_SYNC_SETTLE_SECONDS = 0  # time passes: everything has settled
    doc = api.post(f"{URL}?pageSize=10&cursor={cursor}", sync_body()).json()
    assert [r["id"] for r in doc["data"]] == [str(late.pk), str(fresh.pk)]


def test_cursor_needs_a_sync_sort_and_a_valid_value(api, org):
    body = {"queryContext": "customer", "sort": [{"customer_updated_at": "desc"}]}
    response = api.post(f"{URL}?cursor=abc", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/cursor"
    for bad in ("!!!", "WzFd", "eyJhIjoxfQ"):  # garbage, [1], {"a":1}
        response = api.post(f"{URL}?cursor={bad}", sync_body())
        assert response.status_code == 400, bad
    response = api.post(f"{URL}?cursor=&page=2", sync_body())
    assert response.status_code == 400


@pytest.mark.parametrize("ctx", ["company", "conversation", "message", "note", "kobject"])
def test_every_context_can_sync(api, org, settings, ctx):
    from tests.conversations.factories import ConversationFactory, MessageFactory, NoteFactory
    from tests.customers.factories import CompanyFactory

    settings.SEARCH_SYNC_SETTLE_SECONDS = 0
    if ctx == "kobject":
        from klasses.models import Klass, KObject

        klass = Klass.objects.create(org=org, name="order", display_name="Order")
        make_one = lambda: KObject.objects.create(org=org, klass=klass, title="o")  # noqa: E731
    else:
        factory = {
            "company": lambda: CompanyFactory(org=org),
            "conversation": lambda: ConversationFactory(org=org),
            "message": lambda: MessageFactory(conversation=ConversationFactory(org=org)),
            "note": lambda: NoteFactory(conversation=ConversationFactory(org=org)),
        }[ctx]
        make_one = factory
    made = [make_one() for _ in range(7)]
    seen, _ = walk(api, sync_body(ctx=ctx), size=3)
    assert sorted(int(i) for i, _ in seen) == sorted(o.pk for o in made)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="a writer thread with its own connection needs PostgreSQL",
)
def test_walk_while_another_connection_writes(org, settings):
    """Real concurrent writers (own connections and transactions, stamping updated_at before
    they commit) run during the cursor walk; the settle window keeps the walk exact. (With
    SEARCH_SYNC_SETTLE_SECONDS = 0 this test loses rows: a later stamp commits first, the
    cursor passes the earlier one before it is visible.)"""
    import threading
    import time

    from django.db import connection as conn
    from django.db import transaction

    from kdesk.search import compile_search, search_cursor

    settings.SEARCH_SYNC_SETTLE_SECONDS = 0.5
    past = timezone.now() - timedelta(hours=1)
    pks = [
        c.pk
        for c in Customer.objects.bulk_create(
            [
                Customer(org=org, name=f"W{i}", updated_at=past + timedelta(milliseconds=i))
                for i in range(300)
            ]
        )
    ]
    stop = threading.Event()
    lock = threading.Lock()
    updates = Counter()

    def writer(seed):
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                pk = rng.choice(pks)
                with transaction.atomic():
                    stamp = timezone.now()
                    Customer.objects.filter(pk=pk).update(updated_at=stamp, rev=F("rev") + 1)
                    time.sleep(rng.random() * 0.02)  # more work before the commit
                with lock:
                    updates[pk] += 1
        finally:
            conn.close()

    # Several writers: a later stamp can commit before an earlier one.
    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    body = sync_body("2000-01-01")
    plan = compile_search(org=org, body=body)
    seen, cursor = [], None
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            page = search_cursor(plan, cursor=cursor, size=10)
            seen += [(int(r["id"]), r["attributes"]["rev"]) for r in page.data]
            cursor = page.next_cursor
            time.sleep(0.002)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    time.sleep(0.6)  # let the last writes settle, then catch up
    while True:
        page = search_cursor(plan, cursor=cursor, size=50)
        seen += [(int(r["id"]), r["attributes"]["rev"]) for r in page.data]
        cursor = page.next_cursor
        if page.rows < 50:
            break
    assert sum(updates.values()) > 20
    final = dict(Customer.objects.filter(org=org).values_list("pk", "rev"))
    delivered = set(seen)
    assert len(seen) == len(delivered), "a row version came twice"
    assert all((pk, final[pk]) in delivered for pk in pks), "a row's latest version was lost"
