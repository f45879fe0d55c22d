import pytest

from customers.models import Customer
from kdesk.events import emit, emit_many
from timeline.selectors import timeline_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return Customer.objects.create(org=org, name="Grace")


def add(org, customer, type, n=1, **data):
    return [
        emit(
            org=org,
            type=type,
            resource=type.split(".")[0],
            resource_id=i,
            customer_id=customer.pk,
            data=data,
        )
        for i in range(n)
    ]


def test_it_merges_newest_first_and_hides_noise(org, customer):
    add(org, customer, "customer.create")
    add(org, customer, "conversation.create")
    add(org, customer, "conversation.message.create", body="hello")
    add(org, customer, "customer.update")
    add(org, customer, "conversation.note.create", body="fyi")
    add(org, customer, "kobject.order.create", title="Order 1")
    rows, more = timeline_page(org=org, customer_id=customer.pk)
    assert [r["kind"] for r in rows] == ["kobject", "note", "message", "conversation", "customer"]
    assert more is None


def test_it_filters_by_kind_and_klass(org, customer):
    add(org, customer, "conversation.message.create")
    add(org, customer, "kobject.order.create")
    add(org, customer, "kobject.subscription.create")
    rows, _ = timeline_page(org=org, customer_id=customer.pk, kinds=["message"])
    assert [r["type"] for r in rows] == ["conversation.message.create"]
    rows, _ = timeline_page(
        org=org, customer_id=customer.pk, kinds=["kobject"], klasses=["subscription"]
    )
    assert [r["type"] for r in rows] == ["kobject.subscription.create"]


def test_the_cursor_is_stable_when_new_entries_arrive(org, customer):
    add(org, customer, "conversation.message.create", n=7)
    first, cursor = timeline_page(org=org, customer_id=customer.pk, limit=3)
    add(org, customer, "conversation.note.create", n=5)  # arrive while the agent scrolls
    second, cursor2 = timeline_page(org=org, customer_id=customer.pk, before=cursor, limit=3)
    third, cursor3 = timeline_page(org=org, customer_id=customer.pk, before=cursor2, limit=3)
    ids = [r["id"] for r in first + second + third]
    assert len(ids) == len(set(ids)) == 7
    assert all(r["kind"] == "message" for r in second + third)
    assert cursor3 is None


def test_other_customers_and_orgs_never_appear(org, other_org, customer):
    stranger = Customer.objects.create(org=other_org, name="Other")
    add(other_org, stranger, "conversation.message.create")
    emit(
        org=other_org,
        type="conversation.note.create",
        resource="note",
        resource_id=1,
        customer_id=customer.pk,
    )  # a forged row with our customer's id in another org
    rows, _ = timeline_page(org=org, customer_id=customer.pk)
    assert rows == []


@pytest.mark.parametrize("size", [10, 2000])
def test_a_page_costs_one_query_at_any_depth(org, customer, size, django_assert_num_queries):
    emit_many(
        org=org,
        events=[
            {
                "type": "conversation.message.create",
                "resource": "message",
                "resource_id": i,
                "customer_id": customer.pk,
            }
            for i in range(size)
        ],
    )
    _, cursor = timeline_page(org=org, customer_id=customer.pk, limit=5)
    with django_assert_num_queries(1):
        rows, _ = timeline_page(org=org, customer_id=customer.pk, before=cursor, limit=5)
    assert len(rows) == 5


def test_back_dated_entries_sit_at_their_time(org, customer):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    emit(
        org=org,
        type="conversation.message.create",
        resource="message",
        resource_id="new",
        customer_id=customer.pk,
        at=now,
    )
    emit(
        org=org,
        type="conversation.message.create",
        resource="message",
        resource_id="old",
        customer_id=customer.pk,
        at=now - timedelta(days=30),
    )
    emit(
        org=org,
        type="conversation.note.create",
        resource="note",
        resource_id="mid",
        customer_id=customer.pk,
        at=now - timedelta(days=1),
    )
    rows, _ = timeline_page(org=org, customer_id=customer.pk)
    assert [r["resource_id"] for r in rows] == ["new", "mid", "old"]
