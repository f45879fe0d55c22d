"""Factories for the conversations app (and a minimal Customer factory for its tests)."""

import factory
from django.utils import timezone

from conversations.models import Conversation, Message, Note, Notification, Shortcut, Tag
from customers.models import Customer
from tests.factories import OrganizationFactory, UserFactory


class ConversationCustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    org = factory.SubFactory(OrganizationFactory)
    customer = factory.LazyAttribute(lambda o: ConversationCustomerFactory(org=o.org))
    name = factory.Sequence(lambda n: f"Where is my order #{1000 + n}?")
    status = "open"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    org = factory.LazyAttribute(lambda o: o.conversation.org)
    conversation = factory.SubFactory(ConversationFactory)
    customer = factory.LazyAttribute(lambda o: o.conversation.customer)
    direction = "in"
    channel = "email"
    body = factory.Sequence(lambda n: f"Message body {n}")
    preview = factory.LazyAttribute(lambda o: o.body[:200])
    sent_at = factory.LazyFunction(timezone.now)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    org = factory.LazyAttribute(lambda o: o.conversation.org)
    conversation = factory.SubFactory(ConversationFactory)
    customer = factory.LazyAttribute(lambda o: o.conversation.customer)
    author = factory.LazyAttribute(lambda o: UserFactory(org=o.org))
    body = factory.Sequence(lambda n: f"Internal note {n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    org = factory.LazyAttribute(lambda o: o.user.org)
    user = factory.SubFactory(UserFactory)
    kind = "mention"
    text = factory.Sequence(lambda n: f"Notification {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")
    color = "#336699"


class ShortcutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shortcut

    org = factory.LazyAttribute(lambda o: o.owner.org)
    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"shortcut-{n}")
    payload = "Hi {{customer.firstName}}, thanks for reaching out! — {{agent.firstName}}"
    visibility = "shared"
