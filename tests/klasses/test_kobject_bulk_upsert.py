"""kobject_bulk at import sizes (the COPY path on PostgreSQL, the ORM path elsewhere)."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone

from customers.models import Customer
from kdesk import bulk
from kdesk.errors import Conflict, Forbidden, ValidationFailed
from kdesk.events import emit_many
from kdesk.models import Event
from kdesk.representations import iso
from klasses import services
from klasses.models import KObject, Metadata
from klasses.services import bulk as bulk_services

pytestmark = pytest.mark.django_db

SIZE = bulk.COPY_THRESHOLD * 3


@pytest.fixture
def klass(org):
    k = services.klass_create(org=org, actor=None, data={"name": "order"})
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.order",
        data={
            "properties": {
                "orderNumberStr": {"required": True},
                "statusStr": {"enum": ["new", "shipped"], "default": "new"},
                "totalNum": {"min": 0},
            }
        },
    )
    return k


def item(n, customer, **data):
    return {
        "title": f"Order {n}",
        "externalId": f"E-{n}",
        "customer": str(customer.pk),
        "data": {"orderNumberStr": f"N-{n}", **data},
    }


def test_it_creates_then_updates_many_with_one_event_each(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    first = services.kobject_bulk(
        org=org, actor=None, klass=klass, items=[item(n, grace, totalNum=n) for n in range(SIZE)]
    )
    assert [r["status"] for r in first] == ["created"] * SIZE
    objs = {o.external_id: o for o in KObject.objects.filter(org=org)}
    assert len(objs) == SIZE and objs["E-3"].data["statusStr"] == "new"
    assert objs["E-3"].customer_id == grace.pk and objs["E-3"].rev == 1
    # the response carries real ids, the same the database holds
    assert {r["data"]["id"] for r in first} == {str(o.pk) for o in objs.values()}

    services.kobject_update(
        org=org,
        actor=None,
        klass=klass,
        kobject=objs["E-3"],
        data={"data": {"statusStr": "shipped"}},
    )
    mixed = [{"externalId": f"E-{n}", "data": {"totalNum": 1000 + n}} for n in range(SIZE)]
    mixed += [item(n, grace) for n in range(SIZE, SIZE * 2)]
    second = services.kobject_bulk(org=org, actor=None, klass=klass, items=mixed)
    assert [r["status"] for r in second] == ["updated"] * SIZE + ["created"] * SIZE
    three = KObject.objects.get(org=org, external_id="E-3")
    # an update keeps what it does not mention: no defaults re-applied, title not required
    assert three.data == {"orderNumberStr": "N-3", "statusStr": "shipped", "totalNum": 1003}
    assert three.title == "Order 3" and three.rev == 3
    events = list(Event.objects.filter(org=org, type="kobject.order.update").order_by("id"))
    assert len(events) == SIZE + 1
    assert events[-1].changes["data.totalNum"] == {"before": SIZE - 1, "after": 1000 + SIZE - 1}
    created = Event.objects.filter(org=org, type="kobject.order.create").order_by("id")
    ids = list(created.values_list("resource_id", flat=True))
    assert len(ids) == SIZE * 2 and ids[:SIZE] == [str(objs[f"E-{n}"].pk) for n in range(SIZE)]


def test_it_writes_nothing_when_one_item_is_bad(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    items = [item(n, grace) for n in range(SIZE)]
    items[7]["data"]["totalNum"] = -1
    items[9]["title"] = ""
    with pytest.raises(ValidationFailed) as caught:
        services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
    pointers = {e.pointer for e in caught.value.errors}
    assert {"/7/data/totalNum", "/9/title"} <= pointers
    assert not KObject.objects.filter(org=org).exists()
    assert not Event.objects.filter(org=org, type__startswith="kobject.").exists()


def test_partial_writes_the_good_and_records_only_their_new_attributes(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    items = [item(n, grace) for n in range(SIZE)]
    items[0]["data"].update(totalNum=-5, ghostStr="from a failed item")
    items[1]["data"]["colourStr"] = "red"
    results = services.kobject_bulk(org=org, actor=None, klass=klass, items=items, partial=True)
    assert results[0]["status"] == "failed" and results[1]["status"] == "created"
    assert KObject.objects.filter(org=org).count() == SIZE - 1
    props = Metadata.objects.get(org=org, resource="kobject.order").properties
    assert "colourStr" in props and "ghostStr" not in props


def test_create_and_update_need_their_own_permission(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    services.kobject_bulk(org=org, actor=None, klass=klass, items=[item(1, grace)])
    with pytest.raises(Forbidden) as caught:
        services.kobject_bulk(
            org=org,
            actor=None,
            klass=klass,
            items=[{"externalId": "E-1", "title": "hijacked"}],
            may_update=False,
        )
    assert [e.pointer for e in caught.value.errors] == ["/0"]
    with pytest.raises(Forbidden):
        services.kobject_bulk(
            org=org, actor=None, klass=klass, items=[item(2, grace)], may_create=False
        )
    assert KObject.objects.get(org=org, external_id="E-1").title == "Order 1"
    assert not KObject.objects.filter(org=org, external_id="E-2").exists()


def test_copy_writes_every_column_the_orm_would(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    items = [
        {
            **item(n, grace),
            "description": "d\tesc\nwith \\ and 'quotes' and “unicode”",
            "images": ["https://example.com/a.png"],
            "icon": "box",
            "tags": ["vip", "x,y"],
            "custom": {"noteTxt": 'He said "hi"\\'},
        }
        for n in range(SIZE)
    ]
    services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
    obj = KObject.objects.get(org=org, external_id="E-5")
    assert obj.description == "d\tesc\nwith \\ and 'quotes' and “unicode”"
    assert obj.images == ["https://example.com/a.png"] and obj.tags == ["vip", "x,y"]
    assert obj.custom == {"noteTxt": 'He said "hi"\\'} and obj.icon == "box"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_postgres_streams_large_batches_in_a_fixed_number_of_statements(
    org, klass, django_assert_max_num_queries
):
    grace = Customer.objects.create(org=org, name="Grace")
    services.kobject_bulk(org=org, actor=None, klass=klass, items=[item(0, grace)])
    counts = []
    for size in (SIZE, SIZE * 10):
        items = [item(n, grace) for n in range(1, size + 1)]
        items.append({"externalId": "E-0", "data": {"totalNum": size}})
        with django_assert_max_num_queries(20) as captured:
            services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
        sqls = [q["sql"] for q in captured.captured_queries]
        assert not any(s.lstrip().upper().startswith("INSERT") for s in sqls)  # COPY instead
        counts.append(len(sqls))
        KObject.objects.filter(org=org).exclude(external_id="E-0").delete()
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_creates_of_one_external_id_make_one_object(org, klass):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with real concurrent writers")
    grace = Customer.objects.create(org=org, name="Grace")
    barrier = threading.Barrier(4)
    outcomes = []

    def worker(n):
        try:
            barrier.wait()
            items = [item(i, grace) for i in range(SIZE)]  # the same externalIds each time
            services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # whoever lost the race runs again and updates the winner's rows, or (losing twice) gets a
    # clean 409
    assert "created" in outcomes and len(outcomes) == 4
    assert KObject.objects.filter(org=org).count() == SIZE


def test_validation_rules_apply_to_each_item(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    services.rule_create(
        org=org, actor=None, resource="kobject.order", attribute="data.totalNum", when="create"
    )
    items = [item(n, grace, totalNum=n) for n in range(SIZE)]
    del items[4]["data"]["totalNum"]
    with pytest.raises(ValidationFailed) as caught:
        services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
    assert [e.pointer for e in caught.value.errors] == ["/4/data/totalNum"]
    assert not KObject.objects.filter(org=org).exists()
    del items[4]
    services.kobject_bulk(org=org, actor=None, klass=klass, items=items)
    # an update that leaves the attribute alone is not a create: the rule does not ask for it
    results = services.kobject_bulk(
        org=org, actor=None, klass=klass, items=[{"externalId": "E-1", "title": "renamed"}]
    )
    assert results[0]["status"] == "updated"


def test_external_ids_match_as_they_are_stored_and_bad_ones_are_400s(org, klass):
    grace = Customer.objects.create(org=org, name="Grace")
    services.kobject_bulk(org=org, actor=None, klass=klass, items=[item(1, grace)])
    results = services.kobject_bulk(
        org=org,
        actor=None,
        klass=klass,
        items=[{"externalId": " E-1 ", "data": {"totalNum": 5}}],
    )
    assert results[0]["status"] == "updated"
    assert KObject.objects.get(org=org, external_id="E-1").data["totalNum"] == 5
    for bad in (["E-1"], {"a": 1}, 7):
        with pytest.raises(ValidationFailed) as caught:
            services.kobject_bulk(
                org=org, actor=None, klass=klass, items=[{"title": "x", "externalId": bad}]
            )
        assert "/0/externalId" in [e.pointer for e in caught.value.errors]


@pytest.mark.django_db(transaction=True)
def test_an_object_changed_by_someone_else_meanwhile_runs_the_call_again_on_it(
    org, klass, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writers take turns; PostgreSQL checks each row's rev instead")
    grace = Customer.objects.create(org=org, name="Grace")
    services.kobject_bulk(
        org=org, actor=None, klass=klass, items=[item(n, grace) for n in range(3)]
    )
    target = KObject.objects.get(org=org, external_id="E-1")
    # the first item's check (these bodies take the one-pass path) lets another writer in
    fields = bulk_services._kobject_fields_plain

    def meanwhile(*args, **kwargs):
        monkeypatch.setattr(bulk_services, "_kobject_fields_plain", fields)

        def other_writer():  # another connection, committed while the bulk call runs
            try:
                services.kobject_update(
                    org=org,
                    actor=None,
                    klass=klass,
                    kobject=target,
                    data={"data": {"totalNum": 99}},
                )
            finally:
                connections.close_all()

        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join()
        return fields(*args, **kwargs)

    monkeypatch.setattr(bulk_services, "_kobject_fields_plain", meanwhile)
    results = services.kobject_bulk(
        org=org,
        actor=None,
        klass=klass,
        items=[{"externalId": f"E-{n}", "data": {"totalNum": 1}} for n in range(3)],
    )
    assert [r["status"] for r in results] == ["updated"] * 3
    target.refresh_from_db()
    # the first attempt was rolled back whole; the second applied on top of the other write
    assert target.data["totalNum"] == 1 and target.rev == 3
    changes = Event.objects.filter(resource_id=str(target.pk)).order_by("-id").first().changes
    assert changes["data.totalNum"] == {"before": 99, "after": 1}
    assert KObject.objects.filter(org=org, data__totalNum=1).count() == 3


def test_copy_stores_the_batch_time_and_each_events_own_time(org, klass):
    """COPY writes a datetime the batch shares as text once; times of day and offsets must
    come back as the very instants written, shared or not."""
    grace = Customer.objects.create(org=org, name="Grace")
    before = timezone.now()
    results = services.kobject_bulk(
        org=org, actor=None, klass=klass, items=[item(n, grace) for n in range(SIZE)]
    )
    objs = list(KObject.objects.filter(org=org, klass=klass))
    assert len(objs) == SIZE and len({o.created_at for o in objs}) == 1
    stored = objs[0].created_at
    assert before <= stored <= timezone.now() and objs[0].updated_at == stored
    assert {r["data"]["attributes"]["createdAt"] for r in results} == {iso(stored)}
    (logged,) = set(
        Event.objects.filter(org=org, resource="kobject.order").values_list("created_at", flat=True)
    )
    assert stored <= logged <= timezone.now()  # the events' own clock, one for the batch
    kolkata = ZoneInfo("Asia/Kolkata")
    moments = [datetime(2026, 3, 1, 23, 59, n, n * 1000, tzinfo=kolkata) for n in range(SIZE)]
    emit_many(
        org=org,
        events=[
            {"type": "note.create", "resource": "note", "resource_id": n, "at": at}
            for n, at in enumerate(moments)
        ],
    )
    back = Event.objects.filter(org=org, resource="note").order_by("id")
    assert [e.created_at for e in back] == moments
