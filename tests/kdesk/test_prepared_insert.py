"""PreparedInsert writes the row save() writes (every column, JSON and times included) and sets
the new key; a model with save signal receivers is saved by save(), so they still run."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation
from customers.models import Customer
from kdesk.models import Event
from kdesk.prepared import PreparedInsert

pytestmark = pytest.mark.django_db

EVENTS = PreparedInsert(Event)


def columns(model, pk):
    return model.objects.filter(pk=pk).values().get()


def test_it_writes_the_row_save_writes(org):
    when = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    kwargs = dict(
        org=org,
        type="x.create",
        resource="x",
        resource_id="7",
        rev=3,
        data={"name": "Ada \u00e9", "n": [1, None, {"deep": True}]},
        changes={},
        created_at=when,
    )
    saved = Event(**kwargs)
    saved.save()
    with CaptureQueriesContext(connection) as queries:
        inserted = EVENTS.save(Event(**kwargs))
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    assert inserted.pk and inserted.pk != saved.pk and not inserted._state.adding
    written, expected = columns(Event, inserted.pk), columns(Event, saved.pk)
    assert {**written, "id": None} == {**expected, "id": None}
    # again on the same connection: the statement is reused, the values are new
    other = EVENTS.save(Event(**{**kwargs, "type": "y.create", "data": {}}))
    assert columns(Event, other.pk)["type"] == "y.create" and other.pk > inserted.pk


def test_a_related_object_and_field_defaults_are_taken_as_save_takes_them(org):
    customer = Customer.objects.create(org=org, name="Ada")
    conversation = PreparedInsert(Conversation).save(Conversation(org=org, customer=customer))
    row = Conversation.objects.get(pk=conversation.pk)
    assert row.customer_id == customer.pk and row.status == "open" and row.rev == 1


def test_a_model_with_save_receivers_is_saved_by_save(org):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.type)

    pre_save.connect(receiver, sender=Event, dispatch_uid="test-prepared-insert")
    try:
        event = EVENTS.save(Event(org=org, type="z.create", resource="z", resource_id="1"))
    finally:
        pre_save.disconnect(dispatch_uid="test-prepared-insert", sender=Event)
    assert seen == ["z.create"] and Event.objects.filter(pk=event.pk).exists()


def test_an_expression_value_is_left_to_the_orm(org):
    from django.db.models.functions import Now

    event = EVENTS.save(Event(org=org, type="t", resource="t", resource_id="1", created_at=Now()))
    assert Event.objects.get(pk=event.pk).created_at is not None
