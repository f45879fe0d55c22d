"""`published_together()`: the events a transaction commits reach the subscribers in one call,
in commit order; what a savepoint rolled back is never published; without the block each emit
is published on its own, as before."""

import pytest
from django.db import transaction

from kdesk.events import emit, emit_many, published_together, subscribe, unsubscribe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def calls():
    seen = []

    def sink(events):
        seen.append([e.type for e in events])

    subscribe(sink)
    yield seen
    unsubscribe(sink)


def one(org, type):
    return emit(org=org, type=type, resource="x", resource_id=1)


def test_it_publishes_a_transactions_events_in_one_call_after_the_commit(org, calls):
    with published_together():
        with transaction.atomic():
            one(org, "a.create")
            emit_many(org=org, events=[{"type": "b.create", "resource": "b", "resource_id": 2}])
            one(org, "c.create")
        assert calls == []  # committed, but the block has not ended yet
    assert calls == [["a.create", "b.create", "c.create"]]


def test_without_the_block_each_emit_is_published_alone(org, calls):
    with transaction.atomic():
        one(org, "a.create")
        one(org, "b.create")
    assert calls == [["a.create"], ["b.create"]]


def test_a_rolled_back_savepoint_publishes_nothing_of_its_own(org, calls):
    with published_together(), transaction.atomic():
        one(org, "kept.before")
        with pytest.raises(RuntimeError), transaction.atomic():
            one(org, "dropped.create")
            raise RuntimeError("refused")
        one(org, "kept.after")
    assert calls == [["kept.before", "kept.after"]]


def test_a_rolled_back_transaction_publishes_nothing(org, calls):
    with pytest.raises(RuntimeError), published_together(), transaction.atomic():
        one(org, "dropped.create")
        raise RuntimeError("refused")
    assert calls == []


def test_an_error_after_commits_still_publishes_what_committed(org, calls):
    with pytest.raises(RuntimeError), published_together():
        with transaction.atomic():
            one(org, "first.create")
        with transaction.atomic():
            one(org, "second.create")
        raise RuntimeError("the third never started")
    assert calls == [["first.create", "second.create"]]


def test_nested_blocks_publish_with_the_outermost(org, calls):
    with published_together():
        with published_together(), transaction.atomic():
            one(org, "inner.create")
        assert calls == []
        with transaction.atomic():
            one(org, "outer.create")
    assert calls == [["inner.create", "outer.create"]]


def test_a_block_inside_an_open_transaction_leaves_publishing_to_its_commit(org, calls):
    # the block ends before the commit: the events are published when it comes, one by one
    with transaction.atomic():
        with published_together():
            one(org, "a.create")
            one(org, "b.create")
        assert calls == []
    assert calls == [["a.create"], ["b.create"]]
