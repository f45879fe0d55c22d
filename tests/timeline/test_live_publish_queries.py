"""Publishing a commit's events costs the same number of queries for 2 events as for 15 on one
customer (previous ids read once per batch, entry lookups loaded once), and every push still
names the customer's timeline event before it: hidden types skipped, another customer's events
ignored, and another transaction's event that committed in between counted."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from kdesk.events import emit, emit_many
from kdesk.models import Event, Organization
from tests.factories import UserFactory
from timeline import live
from timeline.entries import HIDDEN_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = Organization.objects.create(name="Q", slug="q")
    agent = UserFactory(org=org, display_name="Sam Rivera")
    grace = Customer.objects.create(org=org, name="Grace")
    other = Customer.objects.create(org=org, name="Other")
    return org, agent, grace, other


@pytest.fixture
def sent(monkeypatch):
    """What publish hands the channel layer, instead of sending it."""
    out = []
    monkeypatch.setattr(live, "_flush", lambda layer, messages: out.extend(messages))
    # every group counts as followed: these pin what a followed group costs
    monkeypatch.setattr(live, "listening", lambda layer, groups: None)
    return out


def events_for(org, agent, customer, n):
    kinds = [
        ("conversation.note.create", "note", {"attributes": {"body": "a note"}}),
        ("kobject.order.create", "kobject.order", {"attributes": {"title": "Order 1"}}),
        ("customer.update", "customer", {}),
        ("conversation.message.create", "message", {"attributes": {"body": "hi"}}),
    ]
    items = []
    for i in range(n):
        type_, resource, data = kinds[i % len(kinds)]
        items.append(
            {
                "type": type_,
                "resource": resource,
                "resource_id": i + 1,
                "customer_id": customer.pk,
                "data": data,
            }
        )
    return emit_many(org=org, actor=agent, events=items)


def expected_prev(event):
    return (
        Event.objects.filter(org_id=event.org_id, customer_id=event.customer_id, id__lt=event.pk)
        .exclude(type__in=HIDDEN_TYPES)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def publish_counting(events):
    with CaptureQueriesContext(connection) as queries:
        live.publish(events)
    return len(queries)


def test_it_costs_the_same_for_2_and_15_events(world, sent):
    org, agent, grace, other = world
    emit(org=org, type="customer.create", resource="customer", resource_id=grace.pk,
         customer_id=grace.pk)  # fmt: skip
    few = events_for(org, agent, grace, 2)
    many = events_for(org, agent, grace, 15)
    # one for the previous ids, two for the entry lookups (metadata, Klasses): the actors'
    # names come with the events just emitted
    assert publish_counting(few) == publish_counting(many) == 3
    pushed = [m for _, m in sent if m["topic"] == f"customer.{grace.pk}"]
    assert [m["id"] for m in pushed] == [e.pk for e in few + many]
    assert all(m["ops"] and m["ops"][0]["op"] in ("prepend", "refresh") for m in pushed)
    # the same entries as rendering each on its own (actor names, Klass labels included)
    assert "Sam Rivera" in pushed[0]["ops"][0]["html"]
    # events read back from the log (a replay) look their actors up: one query more
    reread = list(Event.objects.filter(pk__in=[e.pk for e in many]).order_by("id"))
    assert publish_counting(reread) == 4


def test_each_push_names_the_previous_timeline_event(world, sent):
    org, agent, grace, other = world
    first = events_for(org, agent, grace, 3)  # note, order, customer.update (hidden)
    # another customer of the same org, and another transaction on Grace's timeline, between
    emit(org=org, type="conversation.note.create", resource="note", resource_id=90,
         customer_id=other.pk)  # fmt: skip
    between = emit(org=org, type="conversation.note.create", resource="note", resource_id=91,
                   customer_id=grace.pk)  # fmt: skip
    second = events_for(org, agent, grace, 6)
    batch = first + second
    live.publish(batch)
    prevs = {m["id"]: m["prev"] for _, m in sent if m["topic"] == f"customer.{grace.pk}"}
    assert prevs == {e.pk: expected_prev(e) for e in batch}
    assert prevs[first[0].pk] is None
    assert prevs[first[1].pk] == first[0].pk
    assert prevs[first[2].pk] == first[1].pk  # the hidden one names the one before it
    assert prevs[second[0].pk] == between.pk  # not the hidden one, not the other customer
    assert prevs[second[3].pk] == second[1].pk  # second[2] is hidden: skipped
    assert live.previous_id(second[3]) == second[1].pk
