"""Factories for customers' models. They save rows directly (fast fixtures); tests of
behaviour go through the services. `CustomerFactory(emails=[...])` also writes identities."""

import factory

from customers.models import Company, Customer, Identity
from customers.services.identities import identities as wanted_identities
from tests.factories import OrganizationFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Company {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    emails = factory.LazyAttributeSequence(
        lambda o, n: [{"type": "work", "email": f"customer{n}@example.com"}]
    )

    @factory.post_generation
    def _identities(obj, create, extracted, **kwargs):
        if not create:
            return
        wanted = wanted_identities(
            {"emails": obj.emails, "phones": obj.phones, "socials": obj.socials}
        )
        Identity.objects.bulk_create(
            [Identity(org=obj.org, customer=obj, kind=k, value=v) for k, v in wanted]
        )
