"""`recorded_together()`: the recorders (outbox rows) get the block's events in one call when it
ends, inside the transaction; an event of a savepoint opened in the block is recorded at once
(so a rolled-back savepoint records nothing of its own); an error records nothing; without the
block each emit is recorded on its own, as before."""

import pytest
from django.db import transaction

from kdesk import events
from kdesk.events import emit, recorded_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    seen = []

    def recorder(org, batch):
        # called inside the emitting transaction, with the events saved
        assert transaction.get_connection().in_atomic_block
        assert all(event.pk for event in batch)
        seen.append([event.type for event in batch])

    events.record_with(recorder)
    yield seen
    events.stop_recording_with(recorder)


def one(org, type):
    return emit(org=org, type=type, resource="x", resource_id=1)


def test_it_records_the_blocks_events_in_one_call_when_it_ends(org, calls):
    with transaction.atomic(), recorded_together():
        one(org, "a.create")
        one(org, "b.create")
        assert calls == []
    assert calls == [["a.create", "b.create"]]


def test_without_the_block_each_emit_is_recorded_alone(org, calls):
    with transaction.atomic():
        one(org, "a.create")
        one(org, "b.create")
    assert calls == [["a.create"], ["b.create"]]


def test_an_event_inside_a_savepoint_of_the_block_is_recorded_at_once(org, calls):
    with transaction.atomic(), recorded_together():
        one(org, "kept.before")
        with pytest.raises(RuntimeError), transaction.atomic():
            one(org, "dropped.create")
            assert calls == [["dropped.create"]]  # rolled back with its outbox rows
            raise RuntimeError("refused")
        with transaction.atomic():
            one(org, "released.create")
        one(org, "kept.after")
    assert calls == [["dropped.create"], ["released.create"], ["kept.before", "kept.after"]]


def test_an_error_in_the_block_records_nothing(org, calls):
    with pytest.raises(RuntimeError), transaction.atomic(), recorded_together():
        one(org, "dropped.create")
        raise RuntimeError("refused")
    assert calls == []


@pytest.mark.django_db(transaction=True)  # a test's own transaction would be the block's
def test_it_is_refused_outside_a_transaction(org, calls):
    with pytest.raises(RuntimeError, match="inside a transaction"), recorded_together():
        pass
