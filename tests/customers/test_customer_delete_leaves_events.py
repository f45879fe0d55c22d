"""Deleting a customer or a company goes through events: every conversation, message and note
removed leaves its delete event, every KObject or customer unlinked its update event (rev+1),
and no relationship link is left naming what is gone; all in one transaction."""

import pytest

from conversations import services as conv_services
from conversations.models import Conversation, Message, Note, Notification
from customers import services
from customers.models import Company, Customer
from kdesk.models import Event
from klasses import services as klass_services
from klasses.models import Klass, KObject, Link
from tests.customers.factories import CompanyFactory, CustomerFactory
from tests.events import assert_events
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, admin_user):
    customer = CustomerFactory(org=org, name="Ada")
    conversation = conv_services.conversation_create(
        org=org, actor=admin_user, customer=customer, data={"name": "Refund"}
    )
    first = conv_services.message_create(
        org=org,
        actor=None,
        conversation=conversation,
        data={"direction": "in", "channel": "email", "body": "Where is my refund?"},
    )
    second = conv_services.message_create(
        org=org,
        actor=admin_user,
        conversation=conversation,
        data={"direction": "out", "channel": "email", "body": "On its way."},
    )
    colleague = UserFactory(org=org, username="bo")
    note = conv_services.note_create(
        org=org, actor=admin_user, conversation=conversation, data={"body": "@bo look"}
    )
    klass = Klass.objects.create(org=org, name="order", display_name="Order")
    order = klass_services.kobject_create(
        org=org, actor=None, klass=klass, data={"title": "#1", "customer": customer.pk}
    )
    buyer = klass_services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "buyer",
            "from": "customer",
            "to": "kobject.order",
            "cardinality": "one_to_many",
        },
    )
    about = klass_services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "about",
            "from": "conversation",
            "to": "kobject.order",
            "cardinality": "one_to_many",
        },
    )
    klass_services.link_create(
        org=org, actor=None, relationship=buyer, from_id=customer.pk, to_id=order.pk
    )
    klass_services.link_create(
        org=org, actor=None, relationship=about, from_id=conversation.pk, to_id=order.pk
    )
    assert Notification.objects.filter(user=colleague).exists()
    return {
        "customer": customer,
        "conversation": conversation,
        "messages": [first, second],
        "note": note,
        "order": order,
        "colleague": colleague,
    }


def test_it_records_a_delete_event_for_everything_removed(org, admin_user, world):
    customer, conversation = world["customer"], world["conversation"]
    order = world["order"]
    with assert_events(fields=("type", "resource_id")) as emitted:
        services.customer_delete(org=org, actor=admin_user, customer=customer)

    first, second = world["messages"]
    assert emitted == [
        ("conversation.note.delete", str(world["note"].pk)),
        ("conversation.message.delete", str(first.pk)),
        ("conversation.message.delete", str(second.pk)),
        ("conversation.delete", str(conversation.pk)),
        # Bo's bell changes: the notification about the note went with it
        ("notification.delete", str(world["colleague"].pk)),
        ("relationship.unlink", str(_rel_id(org, "about"))),
        ("kobject.order.update", str(order.pk)),
        ("relationship.unlink", str(_rel_id(org, "buyer"))),
        ("customer.delete", str(customer.pk)),
    ]
    assert not Conversation.objects.filter(org=org).exists()
    assert not Message.objects.filter(org=org).exists()
    assert not Note.objects.filter(org=org).exists()
    assert not Notification.objects.filter(org=org).exists()
    assert not Customer.objects.filter(org=org).exists()

    message_event = Event.objects.get(type="conversation.message.delete", resource_id=str(first.pk))
    assert message_event.customer_id == customer.pk
    assert message_event.data["attributes"]["body"] == "Where is my refund?"
    assert message_event.actor_id == admin_user.pk


def _rel_id(org, name):
    from klasses.models import Relationship

    return Relationship.objects.get(org=org, name=name).pk


def test_the_kobjects_it_unlinks_get_a_new_rev_and_an_update_event(org, admin_user, world):
    order = world["order"]
    services.customer_delete(org=org, actor=admin_user, customer=world["customer"])

    order.refresh_from_db()
    assert order.customer_id is None and order.rev == 2
    event = Event.objects.get(type="kobject.order.update", resource_id=str(order.pk))
    assert event.rev == 2
    assert event.changes == {"customer": {"before": world["customer"].pk, "after": None}}
    assert event.customer_id == world["customer"].pk


def test_no_relationship_link_names_a_deleted_resource(org, admin_user, world):
    order, customer = world["order"], world["customer"]
    services.customer_delete(org=org, actor=admin_user, customer=customer)

    assert klass_services.related(org=org, resource="kobject.order", ident=order.pk) == []
    assert not Link.objects.filter(org=org).exists()


def test_a_failed_delete_changes_nothing(org, admin_user, world, monkeypatch):
    def boom(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Customer, "delete", boom)
    with assert_events([]), pytest.raises(RuntimeError):
        services.customer_delete(org=org, actor=admin_user, customer=world["customer"])

    assert Conversation.objects.filter(org=org).count() == 1
    assert Message.objects.filter(org=org).count() == 2
    assert KObject.objects.get(pk=world["order"].pk).customer_id == world["customer"].pk
    assert Link.objects.filter(org=org).count() == 2


def test_deleting_a_company_unlinks_its_customers_and_kobjects_with_events(org, admin_user):
    company = CompanyFactory(org=org)
    kept = CustomerFactory(org=org, company=company)
    klass = Klass.objects.create(org=org, name="contract", display_name="Contract")
    contract = klass_services.kobject_create(
        org=org, actor=None, klass=klass, data={"title": "MSA", "company": company.pk}
    )
    rel = klass_services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "signed",
            "from": "company",
            "to": "kobject.contract",
            "cardinality": "one_to_many",
        },
    )
    klass_services.link_create(
        org=org, actor=None, relationship=rel, from_id=company.pk, to_id=contract.pk
    )
    with assert_events(
        ["customer.update", "kobject.contract.update", "relationship.unlink", "company.delete"]
    ):
        services.company_delete(org=org, actor=admin_user, company=company)

    kept.refresh_from_db()
    contract.refresh_from_db()
    assert kept.company_id is None and kept.rev == 2
    assert contract.company_id is None and contract.rev == 2
    customer_event = Event.objects.get(type="customer.update", resource_id=str(kept.pk))
    assert customer_event.rev == 2
    assert customer_event.changes == {"company": {"before": str(company.pk), "after": None}}
    assert klass_services.related(org=org, resource="kobject.contract", ident=contract.pk) == []
    assert not Company.objects.filter(org=org).exists()
