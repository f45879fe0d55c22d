"""Folding one customer into another.

The customer's own rows (identities, the events that name it) move here; what other apps hold
for the customer (conversations, KObjects, relationship links) is moved by those apps' own
services through the resource register's merge hooks, each recording its own events, inside
this transaction.
"""

from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Identity
from customers.representations import customer_resource
from kdesk import resources
from kdesk.errors import FieldError, ValidationFailed
from kdesk.models import Event
from kdesk.payload import as_id
from kdesk.updates import model_update

from .checks import raise_errors, social_key
from .customers import emit_customer


def _union(first, second, key=None):
    out = list(first or [])
    seen = {key(i) if key else repr(sorted(i.items())) for i in out}
    for item in second or []:
        k = key(item) if key else repr(sorted(item.items()))
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _ids(source, target):
    """(source_id, target_id) as ints, or a 400 naming every problem."""
    source_id = source.pk if isinstance(source, Customer) else source
    target_id = target.pk if isinstance(target, Customer) else target
    errors = []
    for name, value in (("source", source_id), ("target", target_id)):
        if value in (None, ""):
            errors.append(FieldError(f"/{name}", "required", f"{name} is required."))
        elif as_id(value) is None:
            errors.append(FieldError(f"/{name}", "invalid", f"{name} must be a customer id."))
    if not errors and int(source_id) == int(target_id):
        errors.append(FieldError("/source", "invalid", "A customer cannot be merged into itself."))
    if errors:
        raise ValidationFailed(errors)
    return int(source_id), int(target_id)


def _merged_fields(source, target):
    """The target's field values once the source is folded in: lists are united, the target's
    own values win, its blanks are filled from the source."""
    fields = {
        "emails": _union(target.emails, source.emails, key=lambda i: i["email"]),
        "phones": _union(target.phones, source.phones, key=lambda i: i["phone"]),
        "socials": _union(target.socials, source.socials, key=social_key),
        "urls": _union(target.urls, source.urls, key=lambda i: i["url"]),
        "locations": _union(target.locations, source.locations),
        "tags": list(dict.fromkeys([*(target.tags or []), *(source.tags or [])])),
        "custom": {**(source.custom or {}), **(target.custom or {})},
    }
    for attr in ("name", "locale", "time_zone", "company_id"):
        if not getattr(target, attr) and getattr(source, attr):
            fields[attr] = getattr(source, attr)
    if source.last_activity_at and (
        target.last_activity_at is None or source.last_activity_at > target.last_activity_at
    ):
        fields["last_activity_at"] = source.last_activity_at
    return fields


@transaction.atomic
def customer_merge(*, org, actor, source, target):
    """Fold `source` into `target`; `source`/`target` are customers or ids of this org."""
    source_id, target_id = _ids(source, target)
    rows = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(org=org, pk__in=[source_id, target_id])
        .order_by("pk")
    }
    missing = [
        FieldError(f"/{name}", "not_found", f"No customer with id {value}.")
        for name, value in (("source", source_id), ("target", target_id))
        if value not in rows
    ]
    raise_errors([], missing)
    source, target = rows[source_id], rows[target_id]
    before = customer_resource(target)
    fields = _merged_fields(source, target)
    take_external = not target.external_id and source.external_id

    Identity.objects.filter(org=org, customer=source).update(customer=target)
    resources.customers_merged(org=org, actor=actor, source_id=source_id, target_id=target_id)
    # The history so far follows the customer; what the hooks record names the target already.
    # After the hooks: they waited for every writer holding one of the source's conversations,
    # messages, notes or objects, and the events those writers committed meanwhile name the
    # source too (moved before the hooks, such an event stayed with the customer merged away).
    Event.objects.filter(org=org, customer_id=source_id).update(customer_id=target_id)
    if take_external:
        Customer.objects.filter(pk=source.pk).update(external_id=None)
        fields["external_id"] = source.external_id
    source.delete()

    # A merge always changes the target (it absorbed a customer), so it always saves and bumps.
    rev = target.rev
    model_update(target, fields, save=False)
    target.rev = rev + 1
    target.updated_at = timezone.now()
    target.save()
    after = customer_resource(target)
    emit_customer(
        org, actor, "merge", target, before, after, extra={"merged": {"sourceId": str(source_id)}}
    )
    return target
