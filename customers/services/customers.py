"""Customer writes: create, update, upsert by externalId, delete, and the admin form's check.

Error statuses, in the order they are checked:
- 409 Conflict for a stale `rev` (nothing is validated or written);
- 400 ValidationFailed for every malformed or unknown attribute at once (a reference to a
  company that this org does not have is reported with them, at `/company`);
- 404 NotFound (pointer `/company`) when the ONLY problem is a reference to an id this org
  does not have (another org's ids look exactly like missing ones);
- 409 Conflict (code `taken`, pointer `/emails/0/email`, `/phones/1/phone`, `/socials/0`,
  `/externalId`) when an email, phone, social handle or externalId already belongs to another
  customer of the org. Concurrent writers are arbitrated by the unique constraints: the loser's
  IntegrityError is turned into the same 409.
"""

from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from customers.representations import changes_between, customer_resource
from kdesk import resources
from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import lock_for_write, model_update

from .checks import (
    CUSTOMER_ATTRIBUTES,
    MAX_ITEMS,
    READ_ONLY,
    Checker,
    company_ref,
    custom_values,
    raise_errors,
    rev_of,
)
from .identities import conflict, conflicts, identities, save_with_identities


def clean_customer(*, org, data, customer=None, partial=False):
    """Model field values for a customer payload (only the given ones when `partial`).

    Raises ValidationFailed/NotFound as described in the module docstring; writes nothing but
    the custom-attribute definitions the engine records (inside the caller's transaction).
    """
    creating = customer is None
    p = Payload(data, allowed=CUSTOMER_ATTRIBUTES | READ_ONLY)
    c = Checker(p)
    every = creating or not partial

    def wanted(key):
        return every or p.has(key)

    fields = {}
    if wanted("name"):
        fields["name"] = p.string("name", max_length=255) or ""
    if wanted("externalId"):
        fields["external_id"] = p.string("externalId", max_length=255) or None
    for key, fn in (
        ("emails", c.emails),
        ("phones", c.phones),
        ("socials", c.socials),
        ("urls", c.urls),
        ("locations", c.locations),
    ):
        if wanted(key):
            fields[key] = fn() or []
    if wanted("tags"):
        fields["tags"] = p.strings("tags", max_items=MAX_ITEMS) or []
    if wanted("locale"):
        fields["locale"] = c.locale() or ""
    if wanted("timeZone"):
        fields["time_zone"] = c.time_zone() or ""
    missing = []
    if wanted("company"):
        fields["company_id"], miss = company_ref(org, p)
        if miss:
            missing.append(miss)
    custom = custom_values(
        org,
        "customer",
        p,
        creating=creating,
        current=None if creating else customer.custom,
        partial=partial,
    )
    if custom is not None:
        fields["custom"] = custom
    if not p.errors and not missing:
        p.errors.extend(_rules(org, customer, fields, creating=creating))
    raise_errors(p.errors, missing)
    return fields


def _rules(org, customer, fields, *, creating):
    from klasses.attributes import check_rules

    before = customer_resource(customer) if customer is not None else None
    record = {}
    if before:
        record.update(before["attributes"])
    probe = Customer(**{"id": 0, **(_fields_of(customer) if customer else {}), **fields})
    after = customer_resource(probe)
    record.update(after["attributes"])
    record["company"] = str(probe.company_id) if probe.company_id else None
    changed = set(changes_between(before, after)) if before else set(record)
    return check_rules(
        org=org,
        resource="customer",
        action="create" if creating else "update",
        record=record,
        changed=changed,
    )


def _fields_of(customer):
    return {
        f.attname: getattr(customer, f.attname)
        for f in Customer._meta.concrete_fields
        if f.attname not in ("id", "org_id")
    }


# ---- identities -------------------------------------------------------------------------------


def emit_customer(org, actor, action, customer, before, after, extra=None):
    data = dict(after or before)
    if extra:
        data.update(extra)
    emit(
        org=org,
        type=f"customer.{action}",
        resource="customer",
        resource_id=customer.pk,
        customer_id=customer.pk,
        actor=actor,
        rev=customer.rev,
        data=data,
        changes=changes_between(before, after),
    )


@transaction.atomic
def customer_create(*, org, actor, data):
    fields = clean_customer(org=org, data=data)
    now = timezone.now()
    customer = Customer(org=org, created_at=now, updated_at=now, **fields)
    save_with_identities(org, customer, fields, identities_changed=True)
    after = customer_resource(customer)
    emit_customer(org, actor, "create", customer, None, after)
    return customer


@transaction.atomic
def customer_update(*, org, actor, customer, data, rev=None, partial=True):
    customer = lock_for_write(
        Customer, org=org, pk=customer.pk, rev=rev_of(data, rev), resource="customer"
    )
    fields = clean_customer(org=org, data=data, customer=customer, partial=partial)
    before = customer_resource(customer)
    changed = model_update(customer, fields, save=False)
    if not changed:
        return customer
    identities_changed = any(k in changed for k in ("emails", "phones", "socials"))
    save_with_identities(
        org, customer, {k: fields[k] for k in changed}, identities_changed=identities_changed
    )
    emit_customer(org, actor, "update", customer, before, customer_resource(customer))
    return customer


@transaction.atomic
def customer_delete(*, org, actor, customer, rev=None):
    customer = lock_for_write(Customer, org=org, pk=customer.pk, rev=rev, resource="customer")
    before = customer_resource(customer)
    pk = customer.pk
    # What the database would cascade goes through the owning apps' services instead (their
    # hooks in the resource register), so that every conversation, message and note removed
    # and every KObject unlinked leaves its event.
    resources.customer_deleted(org=org, actor=actor, customer_id=pk)
    customer.delete()
    customer.pk = pk
    emit_customer(org, actor, "delete", customer, before, None)


@transaction.atomic
def customer_upsert_by_external_id(*, org, actor, external_id, data):
    """PUT keyed by externalId: (customer, created). An existing customer changes only in the
    attributes the body carries, as any PUT."""
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 255:
        raise ValidationFailed(
            [FieldError("/externalId", "invalid", "externalId must be 1 to 255 characters.")]
        )
    if isinstance(data, dict) and data.get("externalId") not in (None, external_id):
        raise ValidationFailed(
            [FieldError("/externalId", "invalid", "externalId differs from the one in the path.")]
        )
    body = {**data, "externalId": external_id} if isinstance(data, dict) else data
    existing = Customer.objects.filter(org=org, external_id=external_id).first()
    if existing is None:
        try:
            return customer_create(org=org, actor=actor, data=body), True
        except Conflict as exc:
            if not any(e.pointer == "/externalId" for e in exc.errors):
                raise
            existing = Customer.objects.filter(org=org, external_id=external_id).first()
            if existing is None:
                raise
    customer = customer_update(org=org, actor=actor, customer=existing, data=body, rev=None)
    return customer, False


def customer_check(*, org, data, instance=None):
    """Everything customer_create/update(partial=False) would refuse, without saving; run it
    in a transaction that is rolled back (the engine may record attribute definitions)."""
    fields = clean_customer(org=org, data=data, customer=instance, partial=False)
    errors = conflicts(
        org, instance.pk if instance else None, identities(fields), fields.get("external_id")
    )
    if errors:
        raise conflict(errors)
    return fields
