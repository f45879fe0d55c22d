"""An upsert that finds no object, then meets one a concurrent upsert created first, updates that
object: one object, one create event and one update event, nothing of its own failed insert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kdesk.models import Event
from klasses import services
from klasses.models import KObject
from tests.klasses.factories import KlassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(org):
    return KlassFactory(org=org, name="order", display_name="Order")


def test_an_upsert_that_loses_the_race_updates_the_winner(org, order, monkeypatch):
    first = services.kobject_create(
        org=org, actor=None, klass=order, data={"title": "#1", "externalId": "o-1"}
    )
    # the upsert's lookup runs before the other upsert commits: it sees nothing
    real_first = type(KObject.objects.all()).first
    missed = []

    def first_or_miss(qs):
        if qs.model is KObject and qs.query.select_for_update and not missed:
            missed.append(True)
            return None
        return real_first(qs)

    monkeypatch.setattr(type(KObject.objects.all()), "first", first_or_miss)
    obj, created = services.kobject_upsert(
        org=org, actor=None, klass=order, external_id="o-1", data={"title": "#1 again"}
    )
    assert missed and not created
    assert obj.pk == first.pk and obj.title == "#1 again"
    assert KObject.objects.filter(org=org).count() == 1
    types = list(Event.objects.filter(org=org).order_by("id").values_list("type", flat=True))
    assert types == ["kobject.order.create", "kobject.order.update"]


def test_an_upsert_that_creates_opens_one_savepoint(org, order):
    """The insert's own savepoint (a taken externalId), not a second one around the create."""
    with CaptureQueriesContext(connection) as queries:
        _, created = services.kobject_upsert(
            org=org, actor=None, klass=order, external_id="o-9", data={"title": "#9"}
        )
    assert created
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    # one of the upsert's own (the test runs in a transaction) and the insert's
    assert len(savepoints) == 2, savepoints
