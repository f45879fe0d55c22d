"""Factories for klasses' models. They save rows directly (fast fixtures, no events, no engine);
tests of behaviour go through klasses.services. A KObject's Klass, a KView's or a rule's
resource, and a relationship's through Klass belong to the same organization as the row."""

import factory

from klasses.models import Klass, KObject, KView, Metadata, Relationship, ValidationRule
from tests.factories import OrganizationFactory


class KlassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Klass
        django_get_or_create = ("org", "name")

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"klass_{n}")
    display_name = factory.LazyAttribute(lambda o: o.name.replace("_", " ").title())


class KObjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KObject

    klass = factory.SubFactory(KlassFactory)
    org = factory.SelfAttribute("klass.org")
    title = factory.Sequence(lambda n: f"Object {n}")
    external_id = None  # as a KObject written without one


class MetadataFactory(factory.django.DjangoModelFactory):
    """Attribute definitions as stored: pass `properties` already normalized (or use
    tests.factories.define_attributes, which goes through the service)."""

    class Meta:
        model = Metadata
        django_get_or_create = ("org", "resource")

    org = factory.SubFactory(OrganizationFactory)
    resource = "customer"
    properties = factory.LazyFunction(dict)


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"rel_{n}")
    from_resource = factory.LazyAttribute(lambda o: f"kobject.{KlassFactory(org=o.org).name}")
    to_resource = "customer"
    cardinality = Relationship.Cardinality.ONE_TO_MANY


class ValidationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValidationRule

    org = factory.SubFactory(OrganizationFactory)
    resource = "customer"
    attribute = "name"
    when = ValidationRule.When.CREATE


class KViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KView

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"View {n}")
    resource = "customer"
    context = KView.Context.INSIGHT_CARD
    kind = KView.Kind.TEMPLATE
    template = "<p>{{ customer.name }}</p>"
