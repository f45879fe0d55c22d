"""Shared data for the desk tests: a small org with people, a customer, conversations, orders
and the demo KViews and validation rule. Not a test module (no test_ prefix)."""

from datetime import timedelta

from django.utils import timezone

from conversations import services as conv
from customers.services import customer_create
from kdesk.events import emit
from tests.factories import TeamFactory, UserFactory


def people(org, agent=None, admin=None):
    ada = admin or UserFactory(org=org, role="admin", username="ada", display_name="Ada Admin")
    sam = agent or UserFactory(org=org, username="sam", display_name="Sam Rivera")
    lee = UserFactory(org=org, username="lee", display_name="Lee Chen")
    priya = UserFactory(org=org, username="priya", display_name="Priya Patel")
    billing = TeamFactory(org=org, name="Billing", slug="billing")
    billing.members.add(sam, lee)
    return {"ada": ada, "sam": sam, "lee": lee, "priya": priya, "billing": billing}


def build(org, who, *, orders=True):
    """A customer with an order history, one conversation (in, out, note) and the demo setup."""
    from klasses import demo as klasses_demo
    from timeline import demo as timeline_demo

    grace = customer_create(
        org=org,
        actor=who["ada"],
        data={
            "name": "Grace Hopper",
            "externalId": "cus_grace",
            "emails": [{"type": "home", "email": "grace@example.com"}],
            "phones": [{"type": "mobile", "phone": "+14155550100"}],
        },
    )
    if orders:
        klasses_demo.seed(org, who)
    else:
        for resource, props in (
            ("customer", klasses_demo.CUSTOMER_PROPERTIES),
            ("conversation", klasses_demo.CONVERSATION_PROPERTIES),
        ):
            klasses_demo._define(org, resource, props)
    timeline_demo.seed(org, who)
    now = timezone.now()
    first = conv.message_create(
        org=org,
        actor=None,
        customer=grace,
        data={
            "direction": "in",
            "channel": "email",
            "subject": "Where is my order?",
            "body": "Hi, my parcel has not arrived yet. Can you check?",
            "sentAt": (now - timedelta(minutes=30)).isoformat(),
        },
    )
    conversation = first.conversation
    conv.message_create(
        org=org,
        actor=who["sam"],
        conversation=conversation,
        data={
            "direction": "out",
            "channel": "email",
            "body": "Hi Grace, I am checking with the carrier now.",
            "sentAt": (now - timedelta(minutes=20)).isoformat(),
        },
    )
    conv.note_create(
        org=org,
        actor=who["sam"],
        conversation=conversation,
        data={"body": "@lee can you chase the carrier? @billing FYI"},
    )
    return grace, conversation


def add_events(org, customer, n, type="conversation.message.create", start=None):
    """n cheap timeline events one second apart (oldest first)."""
    from kdesk.events import emit_many

    start = start or timezone.now() - timedelta(days=30)
    return emit_many(
        org=org,
        events=[
            {
                "type": type,
                "resource": "message",
                "resource_id": i,
                "customer_id": customer.pk,
                "data": {
                    "type": "message",
                    "id": str(i),
                    "attributes": {"direction": "in", "channel": "chat", "body": f"message {i}"},
                    "meta": {"customerName": customer.name, "conversationId": "1"},
                },
                "at": start + timedelta(seconds=i),
            }
            for i in range(n)
        ],
    )


__all__ = ["add_events", "build", "emit", "people"]
