"""The event log: `emit` records one Event in the caller's transaction and publishes it on commit.

Subscribers (live push) register with `subscribe`; they only ever see events whose transaction
committed, in id order within one transaction. Work that must not be lost (webhook deliveries,
workflow runs) registers with `record_with` instead: it runs inside the emitting transaction, so
its outbox rows commit or roll back with the event.

Each `emit` is published on its own unless the caller gathers a transaction's events with
`published_together()`: one publish for all of them (a mail taken in records its customer,
conversation and message, and the live push then reads and renders once instead of thrice).
"""

import contextlib
import contextvars
import logging

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from kdesk import bulk
from kdesk.models import Event
from kdesk.prepared import PreparedInsert

log = logging.getLogger(__name__)

_subscribers = []
_recorders = []


def subscribe(fn):
    """Register `fn(events: list[Event])`, called after commit. Usable as a decorator."""
    if fn not in _subscribers:
        _subscribers.append(fn)
    return fn


def unsubscribe(fn):
    if fn in _subscribers:
        _subscribers.remove(fn)


def record_with(fn):
    """Register `fn(org, events)`, called inside the emitting transaction right after the events
    are saved (apps register from `AppConfig.ready()`; the core never imports them). An error in
    `fn` fails the write: an outbox row that cannot be recorded must not be silently skipped."""
    if fn not in _recorders:
        _recorders.append(fn)
    return fn


def stop_recording_with(fn):
    if fn in _recorders:
        _recorders.remove(fn)


def _record(org, events):
    for fn in list(_recorders):
        fn(org, events)


# (the savepoint stack where the current `recorded_together()` block began, [(org, event)] it
# holds back from the recorders), or None outside one.
_recording = contextvars.ContextVar("kdesk_events_recording", default=None)


@contextlib.contextmanager
def recorded_together():
    """Hand the events emitted inside this block to the recorders (webhook deliveries, workflow
    runs) in one call when it ends, instead of one call per `emit`: each recorder then reads
    what it needs (the org's webhook subscriptions, its workflow triggers) once for the block,
    not once per event (a mail taken in emits the hook's call, the conversation, the message).
    Use it inside a transaction: the outbox rows are still written in it, after the events. An
    event emitted inside a savepoint opened within the block is recorded at once, as without
    the block (that savepoint may be rolled back alone); on an error nothing is recorded (the
    transaction rolls back). Nested blocks record with the outermost one."""
    if _recording.get() is not None:
        yield
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("recorded_together() is used inside a transaction.")
    held = []
    token = _recording.set((list(connection.savepoint_ids), held))
    try:
        yield
    finally:
        _recording.reset(token)
    by_org = {}
    for org, event in held:
        by_org.setdefault(org.pk, (org, []))[1].append(event)
    for org, events in by_org.values():
        _record(org, events)


def _held_back(org, event):
    """Whether `event` is left to the enclosing `recorded_together()` block to record."""
    state = _recording.get()
    if state is None:
        return False
    start, held = state
    stack = transaction.get_connection().savepoint_ids
    if stack[: len(start)] != start or any(sid is not None for sid in stack[len(start) :]):
        return False  # inside a savepoint of its own: it may be rolled back without the block
    held.append((org, event))
    return True


# The events committed inside the current `published_together()` block, or None outside one.
_gathered = contextvars.ContextVar("kdesk_events_gathered", default=None)


@contextlib.contextmanager
def published_together():
    """Publish the events committed inside this block in one call to the subscribers, when it
    ends, in the order they committed. Wrap the outermost `transaction.atomic()` in it: the
    block must end after the commit (events committed once the block has ended are published
    on their own, as without it). Nested blocks publish with the outermost one. An error in the
    block still publishes what committed before it; a rolled-back transaction (or savepoint)
    publishes nothing, because its on-commit callbacks never run."""
    if _gathered.get() is not None:
        yield
        return
    gathered = []
    token = _gathered.set(gathered)
    try:
        yield
    finally:
        _gathered.reset(token)
        if gathered:
            _publish(gathered)


def _committed(events):
    """On commit: publish now, or add to the enclosing `published_together()` block."""
    gathered = _gathered.get()
    if gathered is None:
        _publish(events)
    else:
        gathered.extend(events)


def _publish(events):
    for fn in list(_subscribers):
        try:
            fn(events)
        except Exception:  # one broken subscriber must not starve the others
            log.exception("event subscriber %r failed", fn)


# Every write records one: its INSERT built once per connection, not by the ORM each time.
_INSERT = PreparedInsert(Event)
# Positional construction skips Django's per-keyword matching: a bulk import builds a thousand.
_COLUMNS = [f.attname for f in Event._meta.concrete_fields]
_ORDER = {name: i for i, name in enumerate(_COLUMNS)}
_NAMES = ("org_id", "type", "resource", "resource_id", "customer_id", "actor_id", "rev")
_AT = ("data", "changes", "created_at")
if sorted(_COLUMNS) != sorted(("id", *_NAMES, *_AT)):
    raise ImproperlyConfigured("kdesk.events builds Event rows column by column: update it.")


def _values(org, type, resource, resource_id, customer_id, actor, rev, data, changes, at):
    """The Event's column values in concrete-field order."""
    values = [None] * len(_COLUMNS)
    for name, value in (
        ("org_id", org.pk),
        ("type", type),
        ("resource", resource),
        ("resource_id", str(resource_id)),
        ("customer_id", customer_id),
        ("actor_id", actor.pk if actor is not None else None),
        ("rev", rev),
        ("data", data or {}),
        ("changes", changes or {}),
        ("created_at", at if at is not None else timezone.now()),
    ):
        values[_ORDER[name]] = value
    return values


def _known(event, org, actor):
    Event.org.field.set_cached_value(event, org)
    if actor is not None:
        Event.actor.field.set_cached_value(event, actor)
    return event


def _build(org, type, resource, resource_id, customer_id, actor, rev, data, changes, at=None):
    actor = actor if actor is not None and actor.pk else None
    values = _values(org, type, resource, resource_id, customer_id, actor, rev, data, changes, at)
    return _known(Event(*values), org, actor)


def emit(
    *,
    org,
    type,
    resource,
    resource_id,
    customer_id=None,
    actor=None,
    rev=None,
    data=None,
    changes=None,
    at=None,
):
    """Record one event; must be called inside the service's atomic block.

    `at` back-dates what happened (an imported message's sentAt): the timeline orders by it.
    """
    event = _build(org, type, resource, resource_id, customer_id, actor, rev, data, changes, at)
    with transaction.atomic(savepoint=False):  # the event and its outbox rows, or neither
        _INSERT.save(event)
        if not _held_back(org, event):
            _record(org, [event])
    transaction.on_commit(lambda: _committed([event]))
    return event


def emit_many(*, org, actor=None, events):
    """Record many events in one statement (bulk writes); each item is a dict of `emit` kwargs."""
    if not events:
        return []
    actor = actor if actor is not None and actor.pk else None
    make = bulk.maker(Event)
    now = timezone.now()  # one clock for the batch, unless an item says when it happened
    i_type, i_resource, i_id, i_customer, i_rev, i_data, i_changes, i_at = (
        _ORDER[name]
        for name in (
            "type",
            "resource",
            "resource_id",
            "customer_id",
            "rev",
            "data",
            "changes",
            "created_at",
        )
    )
    # every column but the per-event ones is the same for the whole batch
    template = _values(org, "", "", "", None, actor, None, None, None, now)
    rows = []
    for e in events:
        values = template.copy()
        values[i_type] = e["type"]
        values[i_resource] = e["resource"]
        values[i_id] = str(e["resource_id"])
        values[i_customer] = e.get("customer_id")
        values[i_rev] = e.get("rev")
        values[i_data] = e.get("data") or {}
        values[i_changes] = e.get("changes") or {}
        if e.get("at") is not None:
            values[i_at] = e["at"]
        rows.append(_known(make(values), org, actor))
    with transaction.atomic(savepoint=False):
        created = _insert(org, rows)
        _record(org, created)
    transaction.on_commit(lambda: _committed(created))
    return created


def _insert(org, rows):
    created = bulk.insert(Event, rows)
    if any(r.pk is None for r in created):
        # Backends without RETURNING: read the ids back so subscribers get real cursors.
        last = (
            Event.objects.filter(org=org)
            .order_by("-id")
            .values_list("id", flat=True)[: len(created)]
        )
        for row, pk in zip(created, reversed(list(last)), strict=False):
            row.pk = pk
    return created


def assign_changes(obj, fields, names=None):
    """Set `fields` on `obj`; return the event `changes` ({name: {before, after}}) of those whose
    value moved. `names` maps a model field to its API name (camelCase)."""
    changes = {}
    for field, value in fields.items():
        before = getattr(obj, field)
        if before != value:
            changes[(names or {}).get(field, field)] = {"before": before, "after": value}
            setattr(obj, field, value)
    return changes


def diff(before, after, fields):
    """`changes` for an update: {field: {"before": x, "after": y}} for fields that changed."""
    out = {}
    for field in fields:
        b, a = before.get(field), after.get(field)
        if b != a:
            out[field] = {"before": b, "after": a}
    return out
