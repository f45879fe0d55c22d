"""Deleting a KObject removes the relationship links that name it on either side (with a
relationship.unlink event each), so related() never returns a ghost id."""

import pytest

from kdesk.models import Event
from klasses import services
from klasses.models import Link
from tests.customers.factories import CustomerFactory
from tests.klasses.factories import KlassFactory

pytestmark = pytest.mark.django_db


def test_it_removes_the_links_naming_the_deleted_kobject(org, admin_user):
    customer = CustomerFactory(org=org)
    order = KlassFactory(org=org, name="order", display_name="Order")
    item = KlassFactory(org=org, name="item", display_name="Item")
    o1 = services.kobject_create(org=org, actor=None, klass=order, data={"title": "#1"})
    o2 = services.kobject_create(org=org, actor=None, klass=order, data={"title": "#2"})
    line = services.kobject_create(org=org, actor=None, klass=item, data={"title": "mug"})
    buyer = services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "buyer",
            "from": "customer",
            "to": "kobject.order",
            "cardinality": "one_to_many",
        },
    )
    lines = services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "lines",
            "from": "kobject.order",
            "to": "kobject.item",
            "cardinality": "one_to_many",
        },
    )
    services.link_create(org=org, actor=None, relationship=buyer, from_id=customer.pk, to_id=o1.pk)
    services.link_create(org=org, actor=None, relationship=buyer, from_id=customer.pk, to_id=o2.pk)
    services.link_create(org=org, actor=None, relationship=lines, from_id=o1.pk, to_id=line.pk)

    services.kobject_delete(org=org, actor=admin_user, klass=order, kobject=o1)

    assert services.related(org=org, resource="customer", ident=customer.pk) == [
        (buyer, "kobject.order", str(o2.pk))
    ]
    assert services.related(org=org, resource="kobject.item", ident=line.pk) == []
    assert Link.objects.filter(org=org).count() == 1
    events = list(Event.objects.filter(org=org).order_by("-id")[:3])
    assert [e.type for e in reversed(events)] == [
        "relationship.unlink",
        "relationship.unlink",
        "kobject.order.delete",
    ]
    assert {(e.data["from"], e.data["to"]) for e in events[1:]} == {
        (str(customer.pk), str(o1.pk)),
        (str(o1.pk), str(line.pk)),
    }
