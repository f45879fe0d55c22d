"""KViews reach linked objects (`object.related("shipments")`, `customer.related("order")`) at a
fixed number of queries whatever the number of objects on the card, a limit per relation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klasses import relationships, services
from klasses.models import KView
from tests.customers.factories import CustomerFactory
from timeline import cards
from timeline.kview_related import RELATED_LIMIT

pytestmark = pytest.mark.django_db

ORDERS_CARD = (
    "{% for o in objects %}<p>{{ o.title }}:"
    '{% for s in o.related("shipments") %} {{ s.title }}'
    '{% for c in s.related("carrier") %}/{{ c.title }}{% endfor %}{% endfor %}</p>{% endfor %}'
)
CUSTOMER_CARD = '{% for o in customer.related("order") %}<i>{{ o.title }}</i>{% endfor %}'


@pytest.fixture
def shop(org):
    services.klass_create(org=org, actor=None, data={"name": "carrier"})
    services.klass_create(
        org=org,
        actor=None,
        data={
            "name": "shipment",
            "relationships": [
                {"name": "carrier", "target": "carrier", "cardinality": "many-to-many"}
            ],
        },
    )
    order = services.klass_create(
        org=org,
        actor=None,
        data={
            "name": "order",
            "relationships": [
                {"name": "shipments", "target": "shipment", "cardinality": "one-to-many"}
            ],
        },
    )
    KView.objects.create(
        org=org,
        name="Orders",
        resource="kobject.order",
        context="insight-card",
        template=ORDERS_CARD,
    )
    KView.objects.create(
        org=org, name="Mine", resource="customer", context="insight-card", template=CUSTOMER_CARD
    )
    return order


def add_orders(org, customer, count, start=0):
    klasses = {k: services.klass_get(org=org, name=k) for k in ("order", "shipment", "carrier")}
    rels = relationships.declared(org=org, klass=klasses["order"])
    carrier_rel = relationships.declared(org=org, klass=klasses["shipment"])["carrier"]
    ups = services.kobject_create(
        org=org, actor=None, klass=klasses["carrier"], data={"title": "UPS"}
    )
    for i in range(start, start + count):
        order = services.kobject_create(
            org=org,
            actor=None,
            klass=klasses["order"],
            data={"title": f"O{i}", "customer": customer.pk},
        )
        for n in range(2):
            ship = services.kobject_create(
                org=org, actor=None, klass=klasses["shipment"], data={"title": f"S{i}.{n}"}
            )
            relationships.links_change(
                org=org,
                actor=None,
                relationship=rels["shipments"],
                from_id=order.pk,
                targets=[(str(ship.pk), None)],
                mode="add",
            )
            relationships.links_change(
                org=org,
                actor=None,
                relationship=carrier_rel,
                from_id=ship.pk,
                targets=[(str(ups.pk), None)],
                mode="add",
            )


def render(org, customer):
    with CaptureQueriesContext(connection) as ctx:
        out = cards.insight_cards(org=org, customer=customer)
    return out, len(ctx.captured_queries)


def test_an_order_card_shows_its_shipments_at_a_fixed_query_count(org, shop):
    few, many = CustomerFactory(org=org), CustomerFactory(org=org)
    add_orders(org, few, 2)
    add_orders(org, many, 20, start=100)

    out_few, queries_few = render(org, few)
    out_many, queries_many = render(org, many)

    assert queries_few == queries_many
    orders = {c.name: c for c in out_many}["Orders"]
    assert orders.ok, orders.error
    assert "<p>O119: S119.0/UPS S119.1/UPS</p>" in orders.html
    assert orders.html.count("<p>") == 20
    mine = {c.name: c for c in out_few}["Mine"]
    assert mine.html == "<i>O1</i><i>O0</i>"


def test_it_asserts_the_query_count_with_pytest_django(org, shop, django_assert_num_queries):
    few, many = CustomerFactory(org=org), CustomerFactory(org=org)
    add_orders(org, few, 2)
    add_orders(org, many, 20, start=100)
    _, n = render(org, few)
    with django_assert_num_queries(n):
        cards.insight_cards(org=org, customer=many)


def test_the_inverse_side_and_the_limit_per_relation(org, shop):
    customer = CustomerFactory(org=org)
    add_orders(org, customer, 1)
    order = services.klass_get(org=org, name="order")
    shipment = services.klass_get(org=org, name="shipment")
    rel = relationships.declared(org=org, klass=order)["shipments"]
    first = services.kobject_create(org=org, actor=None, klass=order, data={"title": "Big"})
    ships = [
        services.kobject_create(org=org, actor=None, klass=shipment, data={"title": f"B{i}"})
        for i in range(RELATED_LIMIT + 5)
    ]
    relationships.links_change(
        org=org,
        actor=None,
        relationship=rel,
        from_id=first.pk,
        targets=[(str(s.pk), None) for s in ships],
        mode="add",
    )
    node = cards.Node("kobject.order", cards.object_context(first))
    back = cards.Node("kobject.shipment", cards.object_context(ships[0]))
    cards.kview_related.prefetch(org, [node, back], ["shipments", "order"])

    assert len(node.related("shipments")) == RELATED_LIMIT
    assert [o["title"] for o in back.related("order")] == ["Big"]
    assert back.related("nothing") == []


def test_templates_without_related_calls_cost_nothing_more(org, shop):
    KView.objects.all().delete()
    customer = CustomerFactory(org=org)
    add_orders(org, customer, 2)
    KView.objects.create(
        org=org,
        name="Plain",
        resource="kobject.order",
        context="insight-card",
        template="{{ object.title }}",
    )
    out, queries = render(org, customer)
    assert out[0].html == "O1"
    assert queries == 3  # the KViews, the Klasses, the orders


def test_another_orgs_links_are_out_of_reach(org, other_org, shop):
    customer = CustomerFactory(org=org)
    add_orders(org, customer, 1)
    node = cards.Node("customer", cards.customer_context(customer))
    cards.kview_related.prefetch(other_org, [node], ["order"])
    assert node.related("order") == []
