"""Company writes: create, update, delete (their customers lose the company, each with its
event), and the admin form's check."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import Company, Customer
from customers.representations import changes_between, company_resource, customer_resource
from kdesk.errors import Conflict, FieldError
from kdesk.events import emit, emit_many
from kdesk.payload import Payload
from kdesk.updates import lock_for_write, model_update

from .checks import (
    COMPANY_ATTRIBUTES,
    MAX_ITEMS,
    READ_ONLY,
    Checker,
    custom_values,
    raise_errors,
    rev_of,
)


def clean_company(*, org, data, company=None, partial=False):
    creating = company is None
    p = Payload(data, allowed=COMPANY_ATTRIBUTES | READ_ONLY)
    c = Checker(p)
    every = creating or not partial
    fields = {}
    if every or p.has("name"):
        fields["name"] = p.string("name", max_length=255, required=True, blank=False)
    if every or p.has("externalId"):
        fields["external_id"] = p.string("externalId", max_length=255) or None
    if every or p.has("domains"):
        fields["domains"] = c.domains() or []
    if every or p.has("tags"):
        fields["tags"] = p.strings("tags", max_items=MAX_ITEMS) or []
    custom = custom_values(
        org,
        "company",
        p,
        creating=creating,
        current=None if creating else company.custom,
        partial=partial,
    )
    if custom is not None:
        fields["custom"] = custom
    if not p.errors:
        p.errors.extend(_company_rules(org, company, fields))
    raise_errors(p.errors, [])
    return fields


def _company_rules(org, company, fields):
    """Validation rules of `company` for the company these fields would make."""
    from klasses.attributes import check_rules

    before = company_resource(company) if company is not None else None
    current = (
        {f.attname: getattr(company, f.attname) for f in Company._meta.concrete_fields}
        if company is not None
        else {"id": 0}
    )
    after = company_resource(Company(**{**current, **fields}))
    return check_rules(
        org=org,
        resource="company",
        action="create" if company is None else "update",
        record=dict(after["attributes"]),
        changed=set(changes_between(before, after)) if before else set(after["attributes"]),
    )


def _save_company(org, company):
    if company.external_id:
        owner = (
            Company.objects.filter(org=org, external_id=company.external_id)
            .exclude(pk=company.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if owner:
            raise _company_taken(company, owner)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:
        raise _company_taken(company, None) from None


def _company_taken(company, owner):
    who = f"company {owner}" if owner else "another company"
    detail = f"externalId {company.external_id!r} already belongs to {who}."
    return Conflict(detail, errors=[FieldError("/externalId", "taken", detail)])


def _emit_company(org, actor, action, company, before, after):
    emit(
        org=org,
        type=f"company.{action}",
        resource="company",
        resource_id=company.pk,
        actor=actor,
        rev=company.rev,
        data=after or before,
        changes=changes_between(before, after),
    )


@transaction.atomic
def company_create(*, org, actor, data):
    fields = clean_company(org=org, data=data)
    now = timezone.now()
    company = Company(org=org, created_at=now, updated_at=now, **fields)
    _save_company(org, company)
    _emit_company(org, actor, "create", company, None, company_resource(company))
    return company


@transaction.atomic
def company_update(*, org, actor, company, data, rev=None, partial=True):
    company = lock_for_write(
        Company, org=org, pk=company.pk, rev=rev_of(data, rev), resource="company"
    )
    fields = clean_company(org=org, data=data, company=company, partial=partial)
    before = company_resource(company)
    if not model_update(company, fields, save=False):
        return company
    _save_company(org, company)
    _emit_company(org, actor, "update", company, before, company_resource(company))
    return company


def _unlink_customers(org, actor, company_id):
    """The customers of a company being deleted lose it: rev+1 and a customer.update event
    each (one INSERT), instead of the database's silent SET NULL."""
    customers = list(
        Customer.objects.select_for_update().filter(org=org, company_id=company_id).order_by("pk")
    )
    if not customers:
        return
    now = timezone.now()
    events = []
    for customer in customers:
        before = customer_resource(customer)
        customer.company_id = None
        customer.rev += 1
        customer.updated_at = now
        after = customer_resource(customer)
        events.append(
            {
                "type": "customer.update",
                "resource": "customer",
                "resource_id": customer.pk,
                "customer_id": customer.pk,
                "rev": customer.rev,
                "data": after,
                "changes": changes_between(before, after),
            }
        )
    Customer.objects.bulk_update(customers, ["company_id", "rev", "updated_at"], batch_size=500)
    emit_many(org=org, actor=actor, events=events)


@transaction.atomic
def company_delete(*, org, actor, company, rev=None):
    """Delete a company; its customers and KObjects keep existing without one (each with its
    update event), and the relationship links naming it go."""
    company = lock_for_write(Company, org=org, pk=company.pk, rev=rev, resource="company")
    before = company_resource(company)
    pk = company.pk
    from klasses.services import kobjects_unlink, links_remove

    _unlink_customers(org, actor, pk)
    kobjects_unlink(org=org, actor=actor, company_id=pk)
    links_remove(org=org, actor=actor, resource="company", ids=[pk])
    company.delete()
    company.pk = pk
    _emit_company(org, actor, "delete", company, before, None)


def company_check(*, org, data, instance=None):
    fields = clean_company(org=org, data=data, company=instance, partial=False)
    if fields.get("external_id"):
        probe = Company(org=org, pk=instance.pk if instance else None, **fields)
        owner = (
            Company.objects.filter(org=org, external_id=probe.external_id)
            .exclude(pk=probe.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if owner:
            raise _company_taken(probe, owner)
    return fields
