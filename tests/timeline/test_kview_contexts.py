"""KViews for every context: a card for the conversation in view (conversation panel), details
of the KObject in view (its timeline entry), and iframe URLs that name the resource in view."""

import pytest

from conversations import services as conv_services
from kdesk.models import Event
from klasses import relationships, services
from klasses.models import KView
from tests.customers.factories import CustomerFactory
from timeline import cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return CustomerFactory(org=org, name="Grace Hopper")


@pytest.fixture
def conversation(org, customer):
    return conv_services.conversation_create(
        org=org, actor=None, customer=customer, data={"name": "Broken lamp"}
    )


def kview(org, **fields):
    return services.kview_create(org=org, actor=None, data=fields)


def test_the_api_accepts_conversation_kviews(api):
    ok = api.post(
        "/v1/kviews",
        {
            "name": "Conv",
            "resource": "conversation",
            "context": "insight-card",
            "template": "<p>{{ conversation.name }}</p>",
        },
    )
    assert ok.status_code == 201, ok.json()
    bad = api.post(
        "/v1/kviews",
        {"name": "N", "resource": "note", "context": "insight-card", "template": "x"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/resource"


def test_a_card_for_the_conversation_in_view(org, customer, conversation):
    kview(
        org,
        name="Conversation",
        resource="conversation",
        context="insight-card",
        template="<p>{{ conversation.name }} · {{ conversation.status }} · {{ customer.name }}</p>",
    )
    kview(
        org,
        name="Frame",
        resource="conversation",
        context="insight-details",
        kind="iframe",
        urlTemplate="/desk/demo/loyalty/?conversation={{ conversation.id }}&t={{ resource.type }}",
    )
    kview(org, name="Customer", resource="customer", context="insight-card", template="<p>c</p>")

    out = cards.conversation_cards(org=org, customer=customer, conversation_id=conversation.pk)

    assert [c.name for c in out] == ["Conversation", "Frame"]
    assert out[0].html == "<p>Broken lamp · open · Grace Hopper</p>"
    assert f"?conversation={conversation.pk}&amp;t=conversation" in out[1].html
    other = CustomerFactory(org=org)
    assert cards.conversation_cards(org=org, customer=other, conversation_id=conversation.pk) == []


def test_the_conversation_panel_shows_the_card(org, customer, conversation, client, agent):
    kview(
        org,
        name="Conversation",
        resource="conversation",
        context="insight-card",
        template="<p>In view: {{ conversation.name }}</p>",
    )
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}/conversation/?conversation={conversation.pk}")
    assert page.status_code == 200
    assert "<p>In view: Broken lamp</p>" in page.content.decode()


def test_details_of_the_kobject_in_view(org, customer, client, agent):
    order = services.klass_create(org=org, actor=None, data={"name": "order"})
    first = services.kobject_create(
        org=org, actor=None, klass=order, data={"title": "#1", "customer": customer.pk}
    )
    services.kobject_create(
        org=org, actor=None, klass=order, data={"title": "#2", "customer": customer.pk}
    )
    kview(
        org,
        name="Order details",
        resource="kobject.order",
        context="insight-details",
        template="<p>Order {{ object.title }}</p>",
    )
    kview(
        org,
        name="Order frame",
        resource="kobject.order",
        context="insight-details",
        kind="iframe",
        urlTemplate="/desk/demo/loyalty/?order={{ object.id }}&r={{ resource.id }}",
    )
    event = Event.objects.get(type="kobject.order.create", resource_id=str(first.pk))

    client.force_login(agent)
    html = client.get(f"/desk/entries/{event.pk}/kview/").content.decode()

    assert "<p>Order #1</p>" in html  # the object in view, not the customer's latest
    assert f"?order={first.pk}&amp;r={first.pk}" in html
    out = cards.object_cards(org=org, customer=customer, klass_name="order", object_id=first.pk)
    assert [c.html for c in out][0] == "<p>Order #1</p>"
    # the customer's panel still shows the latest object
    details = cards.details_cards(org=org, customer=customer)
    assert details[0].html == "<p>Order #2</p>"


def test_a_conversation_card_reaches_linked_objects(org, customer, conversation):
    ticket = services.klass_create(
        org=org,
        actor=None,
        data={
            "name": "ticket",
            "relationships": [
                {"name": "about", "target": "conversation", "cardinality": "one-to-many"}
            ],
        },
    )
    obj = services.kobject_create(org=org, actor=None, klass=ticket, data={"title": "T-9"})
    rel = relationships.declared(org=org, klass=ticket)["about"]
    relationships.links_change(
        org=org,
        actor=None,
        relationship=rel,
        from_id=obj.pk,
        targets=[(str(conversation.pk), None)],
        mode="add",
    )
    kview(
        org,
        name="Tickets",
        resource="conversation",
        context="insight-card",
        template='{% for t in conversation.related("ticket") %}<i>{{ t.title }}</i>{% endfor %}',
    )
    out = cards.conversation_cards(org=org, customer=customer, conversation_id=conversation.pk)
    assert out[0].html == "<i>T-9</i>"


def test_every_customer_card_names_the_customer_in_view(org, customer):
    kview(
        org,
        name="Frame",
        resource="customer",
        context="insight-card",
        kind="iframe",
        urlTemplate="/desk/demo/loyalty/?{{ resource.type }}={{ resource.id }}",
    )
    out = cards.insight_cards(org=org, customer=customer)
    assert f"?customer={customer.pk}" in out[0].html
    assert KView.objects.count() == 1
