"""Customers and companies as the core sees them (kdesk.resources): what a list returns, how a
row is represented, what can be searched and what validation rules may name."""

from customers.representations import (
    COMPANY_FIELDS,
    CUSTOMER_FIELDS,
    company_resource,
    customer_resource,
)
from kdesk.resources import Criterion, Resource, RuleField
from kdesk.search.fields import Field, foreign_key, standard_fields
from klasses.schema.search import attribute_type, attribute_value


def identity_rows(org, kind, **lookup):
    """Customers by one of their identities (`kind` is email, phone or social)."""
    from customers.models import Identity

    return Identity.objects.filter(org=org, kind=kind, **lookup).values("customer_id")


def identity_value(kind, text):
    """The stored form of an email, phone number or social handle searched for."""
    text = text.strip()
    if kind != "phone":
        return text.lower()
    from customers.services import normalize_phone

    phone = normalize_phone(text)
    if phone is None:
        raise ValueError(f"{text!r} is not a phone number (e.g. +14155550123).")
    return phone


IDENTITY = Criterion(column="id", rows=identity_rows, clean=identity_value, clean_partial=str.strip)


def _text(label, **kw):
    return RuleField(kind="text", label=label, **kw)


def _array(label):
    return RuleField(kind="array", label=label)


CUSTOMER = Resource(
    name="customer",
    model="customers.Customer",
    label="Customer",
    plural="customers",
    fields=CUSTOMER_FIELDS,
    represent=customer_resource,
    search=standard_fields(
        name=Field("text", "name"),
        external_id=Field("text", "external_id", nullable=True),
        email=Field("identity", "email", sortable=False),
        phone=Field("identity", "phone", sortable=False),
        social=Field("identity", "social", sortable=False),
        tags=Field("array", "tags", sortable=False),
        locale=Field("text", "locale"),
        time_zone=Field("text", "time_zone"),
        last_activity_at=Field("datetime", "last_activity_at", nullable=True),
        **foreign_key("company_id"),
    ),
    criteria={"identity": IDENTITY},
    attribute_type=attribute_type,
    attribute_value=attribute_value,
    rule_fields={
        "name": _text("Name"),
        "externalId": _text("External ID"),
        "emails": _array("Emails"),
        "phones": _array("Phones"),
        "socials": _array("Social handles"),
        "urls": _array("URLs"),
        "locations": _array("Locations"),
        "tags": _array("Tags"),
        "locale": _text("Locale"),
        "timeZone": _text("Time zone"),
        "company": RuleField(kind="int", label="Company"),
    },
    events=("customer.create", "customer.update", "customer.delete", "customer.merge"),
)

COMPANY = Resource(
    name="company",
    model="customers.Company",
    label="Company",
    plural="companies",
    fields=COMPANY_FIELDS,
    represent=company_resource,
    search=standard_fields(
        name=Field("text", "name"),
        external_id=Field("text", "external_id", nullable=True),
        domains=Field("array", "domains", sortable=False),
        tags=Field("array", "tags", sortable=False),
    ),
    attribute_type=attribute_type,
    attribute_value=attribute_value,
    rule_fields={
        "name": _text("Name"),
        "externalId": _text("External ID"),
        "domains": _array("Domains"),
        "tags": _array("Tags"),
    },
    events=("company.create", "company.update", "company.delete"),
)

RESOURCES = (CUSTOMER, COMPANY)
