"""A live batch loads only the entry lookups its entries read: messages, notes, new
conversations and customers need neither attribute definitions nor Klasses; a conversation
change needs the definitions (its custom attributes' display names), a KObject both. The
fragments are the same as with everything loaded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from kdesk.events import emit_many
from kdesk.models import Organization
from klasses.models import Klass, Metadata
from timeline import fragments, live

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch):
    org = Organization.objects.create(name="L", slug="l")
    grace = Customer.objects.create(org=org, name="Grace")
    Metadata.objects.create(
        org=org,
        resource="conversation",
        properties={"reasonStr": {"name": "reasonStr", "type": "Str", "displayName": "Reason"}},
    )
    Klass.objects.create(org=org, name="order", display_name="Web order", color="#112233")
    sent = []
    monkeypatch.setattr(live, "_flush", lambda layer, messages: sent.extend(messages))
    # every group counts as followed: these pin what a followed group costs
    monkeypatch.setattr(live, "listening", lambda layer, groups: None)
    return org, grace, sent


def emitted(org, customer, *items):
    return emit_many(
        org=org,
        events=[
            {"type": t, "resource": r, "resource_id": i, "customer_id": customer.pk, "data": d}
            for i, (t, r, d) in enumerate(items, start=1)
        ],
    )


def cost(events):
    with CaptureQueriesContext(connection) as queries:
        live.publish(events)
    return len(queries)


MESSAGE = ("conversation.message.create", "message", {"attributes": {"body": "hi"}})
OPENED = ("conversation.create", "conversation", {"attributes": {"name": "Order"}})
CUSTOMER = ("customer.create", "customer", {})
CHANGED = ("conversation.update", "conversation", {"attributes": {"name": "Order"}})
ORDER = ("kobject.order.create", "kobject.order", {"attributes": {"title": "A1"}})


def test_messages_conversations_opened_and_customers_cost_only_the_previous_ids(world):
    org, grace, sent = world
    assert cost(emitted(org, grace, CUSTOMER, OPENED, MESSAGE)) == 1


def test_a_conversation_change_reads_the_definitions_and_shows_their_names(world):
    org, grace, sent = world
    (event,) = emitted(org, grace, CHANGED)
    event.changes = {"custom.reasonStr": {"before": None, "after": "Late"}}
    assert cost([event]) == 2  # previous ids, attribute definitions
    html = next(m for _, m in sent if m["topic"] == f"customer.{grace.pk}")["ops"][0]["html"]
    assert "Reason" in html and "Late" in html


def test_a_kobject_reads_definitions_and_klasses_and_shows_the_klass_name(world):
    org, grace, sent = world
    assert cost(emitted(org, grace, MESSAGE, ORDER)) == 3
    html = [m for _, m in sent if m["topic"] == f"customer.{grace.pk}"][1]["ops"][0]["html"]
    assert "Web order" in html


def test_the_fragments_match_those_rendered_with_every_lookup(world):
    org, grace, sent = world
    events = emitted(org, grace, CUSTOMER, OPENED, MESSAGE)
    every = fragments._lookups(org.pk, [{"actor_id": None}])
    only = fragments.entry_lookups(events)
    for event in events:
        topic = f"customer.{grace.pk}"
        assert fragments.ops_for(event, topic, lookups=only) == fragments.ops_for(
            event, topic, lookups=every
        )
