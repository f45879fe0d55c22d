"""A customer's emails, phones and social handles, unique in the org: the identity rows that
enforce it, and the 409 a clash gets."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from customers.models import Customer, Identity
from kdesk.errors import Conflict, FieldError

from .checks import social_key


def identities(fields):
    """{(kind, value): pointer} wanted for these customer field values."""
    out = {}
    for index, item in enumerate(fields.get("emails") or []):
        out[(Identity.Kind.EMAIL, item["email"])] = f"/emails/{index}/email"
    for index, item in enumerate(fields.get("phones") or []):
        out[(Identity.Kind.PHONE, item["phone"])] = f"/phones/{index}/phone"
    for index, item in enumerate(fields.get("socials") or []):
        out[(Identity.Kind.SOCIAL, social_key(item))] = f"/socials/{index}"
    return out


def _named(name):
    """Who holds a value, for the person reading the error: the customer's name, when it has
    one."""
    return f" ({name})" if name else ""


def conflicts(org, customer_id, wanted, external_id):
    """FieldErrors for identities or an externalId held by another customer of the org."""
    errors = []
    if wanted:
        cond = Q()
        for kind, value in wanted:
            cond |= Q(kind=kind, value=value)
        taken = Identity.objects.filter(cond, org=org)
        if customer_id:
            taken = taken.exclude(customer_id=customer_id)
        rows = taken.values_list("kind", "value", "customer_id", "customer__name")
        for kind, value, owner, name in rows:
            errors.append(
                FieldError(
                    wanted[(kind, value)],
                    "taken",
                    f"{value} already belongs to customer {owner}{_named(name)}.",
                )
            )
    if external_id:
        row = (
            Customer.objects.filter(org=org, external_id=external_id)
            .exclude(pk=customer_id)
            .values_list("pk", "name")
            .first()
        )
        if row:
            owner, name = row
            errors.append(
                FieldError(
                    "/externalId",
                    "taken",
                    f"externalId {external_id!r} already belongs to customer {owner}"
                    f"{_named(name)}.",
                )
            )
    errors.sort(key=lambda e: e.pointer)
    return errors


def conflict(errors):
    return Conflict("; ".join(e.detail for e in errors), errors=errors)


def _sync_identities(org, customer, wanted):
    current = set(
        Identity.objects.filter(customer=customer).values_list("kind", "value").order_by()
    )
    gone = current - set(wanted)
    if gone:
        cond = Q()
        for kind, value in gone:
            cond |= Q(kind=kind, value=value)
        Identity.objects.filter(cond, customer=customer).delete()
    new = [k for k in wanted if k not in current]
    if new:
        Identity.objects.bulk_create(
            [Identity(org=org, customer=customer, kind=kind, value=value) for kind, value in new]
        )


def save_with_identities(org, customer, fields, *, identities_changed):
    """Save the customer (and its identities) in a savepoint; a lost race becomes a 409."""
    wanted = identities(
        {k: fields.get(k, getattr(customer, k)) for k in ("emails", "phones", "socials")}
    )
    errors = conflicts(
        org,
        customer.pk,
        wanted if identities_changed else {},
        fields.get("external_id") if "external_id" in fields else None,
    )
    if errors:
        raise conflict(errors)
    try:
        with transaction.atomic():
            customer.save()
            if identities_changed:
                _sync_identities(org, customer, wanted)
    except IntegrityError:
        errors = conflicts(org, customer.pk, wanted, customer.external_id)
        raise conflict(
            errors or [FieldError("", "taken", "Another customer holds one of these identities.")]
        ) from None


# ---- customers --------------------------------------------------------------------------------
