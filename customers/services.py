"""Every write to customers and companies. Each function validates the whole flat payload first
(one ValidationFailed with every pointer), then writes atomically and emits exactly one event.

Error statuses, in the order they are checked:
- 409 Conflict for a stale `rev` (nothing is validated or written);
- 400 ValidationFailed for every malformed or unknown attribute at once (a reference to a
  company that this org does not have is reported with them, at `/company`);
- 404 NotFound (pointer `/company`, `/source`, `/target`) when the ONLY problem is a reference
  to an id this org does not have (another org's ids look exactly like missing ones);
- 409 Conflict (code `taken`, pointer `/emails/0/email`, `/phones/1/phone`, `/socials/0`,
  `/externalId`) when an email, phone, social handle or externalId already belongs to another
  customer of the org. Concurrent writers are arbitrated by the unique constraints: the loser's
  IntegrityError is turned into the same 409.
"""

import re
import zoneinfo
from functools import cache

import phonenumbers
from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from customers.models import Company, Customer, Identity
from customers.representations import changes_between, company_resource, customer_resource
from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed, check_rev
from kdesk.events import emit, emit_many
from kdesk.payload import Payload, as_id

DEFAULT_PHONE_REGION = "US"
MAX_ITEMS = 50
TYPE_MAX = 64

CUSTOMER_ATTRIBUTES = frozenset(
    {
        "name",
        "externalId",
        "emails",
        "phones",
        "socials",
        "urls",
        "locations",
        "tags",
        "locale",
        "timeZone",
        "company",
        "custom",
    }
)
COMPANY_ATTRIBUTES = frozenset({"name", "externalId", "domains", "tags", "custom"})
# Sent back by clients that PUT what they GET: accepted; `rev` is checked, the rest ignored.
READ_ONLY = frozenset({"rev", "createdAt", "updatedAt", "lastActivityAt"})

LOCATION_STRINGS = (
    "type",
    "name",
    "address",
    "address2",
    "address3",
    "city",
    "region",
    "state",
    "zip",
    "postalCode",
    "countryCode",
    "countryName",
)
LOCATION_NUMBERS = {"latitude": (-90, 90), "longitude": (-180, 180)}
LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_url_validator = URLValidator(schemes=["http", "https"])


@cache
def _time_zones():
    return frozenset(zoneinfo.available_timezones())


def normalize_phone(raw, region=DEFAULT_PHONE_REGION):
    """E.164 for anything `phonenumbers` parses as a possible number, else None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def social_key(item):
    """The identity value of a social handle: `<type>:<userid>` or `<type>:@<username>`."""
    ident = item.get("userid") or ("@" + item["username"] if item.get("username") else "")
    return f"{item['type'].lower()}:{ident.lower()}"


# ---- payload checks ---------------------------------------------------------------------------


class _Checker:
    """Collects FieldErrors for the list-of-objects attributes."""

    def __init__(self, payload):
        self.p = payload
        self.errors = payload.errors

    def err(self, pointer, code, detail):
        self.errors.append(FieldError(pointer, code, detail))

    def items(self, key, allowed):
        """[(index, pointer, dict)] of well-formed objects with only `allowed` keys."""
        values = self.p.objects(key, max_items=MAX_ITEMS)
        if values is None:
            return None
        out = []
        raw = self.p.data[key]
        for index, item in enumerate(raw):
            if not isinstance(item, dict):
                continue
            pointer = f"/{key}/{index}"
            bad = [k for k in item if k not in allowed]
            for k in bad:
                self.err(f"{pointer}/{k}", "unknown", f"Unknown attribute '{k}'.")
            out.append((index, pointer, item))
        return out

    def text(self, pointer, value, *, required=False, max_length=255, name="value"):
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.err(pointer, "required", f"{name} is required.")
            return None
        if not isinstance(value, str):
            self.err(pointer, "type", f"{name} must be a string.")
            return None
        value = value.strip()
        if len(value) > max_length:
            self.err(pointer, "max_length", f"{name} must be at most {max_length} characters.")
            return None
        return value

    def kind(self, pointer, item, default="other"):
        value = self.text(f"{pointer}/type", item.get("type"), max_length=TYPE_MAX, name="type")
        return value or default

    def emails(self):
        items = self.items("emails", {"type", "email"})
        if items is None:
            return None
        out, seen = [], {}
        for _, pointer, item in items:
            kind = self.kind(pointer, item)
            email = self.text(f"{pointer}/email", item.get("email"), required=True, name="email")
            if email is None:
                continue
            try:
                validate_email(email)
            except DjangoValidationError:
                self.err(f"{pointer}/email", "invalid", f"{email!r} is not a valid email address.")
                continue
            email = email.lower()
            if email in seen:
                self.err(f"{pointer}/email", "duplicate", f"{email} is listed twice.")
                continue
            seen[email] = pointer
            out.append({"type": kind, "email": email})
        return out

    def phones(self):
        items = self.items("phones", {"type", "phone"})
        if items is None:
            return None
        out, seen = [], set()
        for _, pointer, item in items:
            kind = self.kind(pointer, item)
            raw = self.text(f"{pointer}/phone", item.get("phone"), required=True, name="phone")
            if raw is None:
                continue
            phone = normalize_phone(raw)
            if phone is None:
                self.err(
                    f"{pointer}/phone",
                    "invalid",
                    f"{raw!r} is not a phone number (use international format, e.g. +14155550123).",
                )
                continue
            if phone in seen:
                self.err(f"{pointer}/phone", "duplicate", f"{phone} is listed twice.")
                continue
            seen.add(phone)
            out.append({"type": kind, "phone": phone})
        return out

    def socials(self):
        items = self.items("socials", {"type", "userid", "username"})
        if items is None:
            return None
        out, seen = [], set()
        for _, pointer, item in items:
            kind = self.text(
                f"{pointer}/type", item.get("type"), required=True, max_length=TYPE_MAX, name="type"
            )
            userid = self.text(f"{pointer}/userid", item.get("userid"), name="userid")
            username = self.text(f"{pointer}/username", item.get("username"), name="username")
            if kind is None:
                continue
            if not userid and not username:
                self.err(pointer, "required", "A social handle needs a userid or a username.")
                continue
            social = {"type": kind.lower(), "userid": userid, "username": username}
            key = social_key(social)
            if key in seen:
                self.err(pointer, "duplicate", "This social handle is listed twice.")
                continue
            seen.add(key)
            out.append(social)
        return out

    def urls(self):
        items = self.items("urls", {"type", "url"})
        if items is None:
            return None
        out = []
        for _, pointer, item in items:
            kind = self.kind(pointer, item)
            url = self.text(
                f"{pointer}/url", item.get("url"), required=True, max_length=2048, name="url"
            )
            if url is None:
                continue
            try:
                _url_validator(url)
            except DjangoValidationError:
                self.err(f"{pointer}/url", "invalid", "url must be an absolute http(s) URL.")
                continue
            out.append({"type": kind, "url": url})
        return out

    def locations(self):
        items = self.items("locations", {*LOCATION_STRINGS, *LOCATION_NUMBERS})
        if items is None:
            return None
        out = []
        for _, pointer, item in items:
            loc = {}
            for key in LOCATION_STRINGS:
                if key in item:
                    value = self.text(f"{pointer}/{key}", item[key], name=key)
                    if value is not None:
                        loc[key] = value
            for key, (low, high) in LOCATION_NUMBERS.items():
                value = item.get(key)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.err(f"{pointer}/{key}", "type", f"{key} must be a number.")
                elif not low <= value <= high:
                    self.err(f"{pointer}/{key}", "range", f"{key} must be in [{low}, {high}].")
                else:
                    loc[key] = value
            out.append(loc)
        return out

    def locale(self):
        value = self.p.string("locale", max_length=20)
        if value and not LOCALE_RE.match(value):
            self.p.error("locale", "invalid", "locale must be a language tag such as en-US.")
            return None
        return value.replace("_", "-") if value else value

    def time_zone(self):
        value = self.p.string("timeZone", max_length=64)
        if value and value not in _time_zones():
            self.p.error("timeZone", "invalid", f"{value!r} is not an IANA time zone name.")
            return None
        return value

    def domains(self):
        values = self.p.strings("domains", max_items=MAX_ITEMS)
        if values is None:
            return None
        out = []
        for index, value in enumerate(values):
            value = value.lower()
            if not DOMAIN_RE.match(value):
                self.err(f"/domains/{index}", "invalid", f"{value!r} is not a domain name.")
            elif value not in out:
                out.append(value)
        return out


def _custom(org, resource, payload, *, creating, current=None, partial=True):
    """Validated custom values via the klasses engine; errors are appended to the payload."""
    if not payload.has("custom") and not (creating or not partial):
        return None
    values = payload.obj("custom")
    if payload.has("custom") and payload.data["custom"] is not None and values is None:
        return None  # not an object: already reported
    if partial and current and payload.has("custom") and payload.data["custom"] is None:
        # `"custom": null` clears every value; the engine names the required ones
        values = dict.fromkeys(current)
    from klasses.attributes import clean_custom

    try:
        cleaned = clean_custom(
            org=org, resource=resource, values=values or {}, creating=creating, partial=partial
        )
    except ValidationFailed as exc:
        payload.errors.extend(exc.errors)
        return None
    if partial and current is not None:
        merged = {**current, **cleaned}
        return {k: v for k, v in merged.items() if v is not None}
    return {k: v for k, v in cleaned.items() if v is not None}


def _company_ref(org, payload):
    """(company_id or None, missing FieldError or None) for the `company` attribute."""
    company_id = payload.reference("company")
    if company_id is None:
        return None, None
    if not Company.objects.filter(org=org, pk=company_id).exists():
        return None, FieldError("/company", "not_found", f"No company with id {company_id}.")
    return company_id, None


def _raise(errors, missing):
    """400 with everything when anything is malformed; 404 when only references are missing."""
    if errors:
        raise ValidationFailed([*errors, *missing])
    if missing:
        raise NotFound(missing[0].detail, errors=missing)


def clean_customer(*, org, data, customer=None, partial=False):
    """Model field values for a customer payload (only the given ones when `partial`).

    Raises ValidationFailed/NotFound as described in the module docstring; writes nothing but
    the custom-attribute definitions the engine records (inside the caller's transaction).
    """
    creating = customer is None
    p = Payload(data, allowed=CUSTOMER_ATTRIBUTES | READ_ONLY)
    c = _Checker(p)
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
        fields["company_id"], miss = _company_ref(org, p)
        if miss:
            missing.append(miss)
    custom = _custom(
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
    _raise(p.errors, missing)
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


def _identities(fields):
    """{(kind, value): pointer} wanted for these customer field values."""
    out = {}
    for index, item in enumerate(fields.get("emails") or []):
        out[(Identity.Kind.EMAIL, item["email"])] = f"/emails/{index}/email"
    for index, item in enumerate(fields.get("phones") or []):
        out[(Identity.Kind.PHONE, item["phone"])] = f"/phones/{index}/phone"
    for index, item in enumerate(fields.get("socials") or []):
        out[(Identity.Kind.SOCIAL, social_key(item))] = f"/socials/{index}"
    return out


def _conflicts(org, customer_id, wanted, external_id):
    """FieldErrors for identities or an externalId held by another customer of the org."""
    errors = []
    if wanted:
        cond = Q()
        for kind, value in wanted:
            cond |= Q(kind=kind, value=value)
        taken = Identity.objects.filter(cond, org=org)
        if customer_id:
            taken = taken.exclude(customer_id=customer_id)
        for kind, value, owner in taken.values_list("kind", "value", "customer_id"):
            errors.append(
                FieldError(
                    wanted[(kind, value)],
                    "taken",
                    f"{value} already belongs to customer {owner}.",
                )
            )
    if external_id:
        owner = (
            Customer.objects.filter(org=org, external_id=external_id)
            .exclude(pk=customer_id)
            .values_list("pk", flat=True)
            .first()
        )
        if owner:
            errors.append(
                FieldError(
                    "/externalId",
                    "taken",
                    f"externalId {external_id!r} already belongs to customer {owner}.",
                )
            )
    errors.sort(key=lambda e: e.pointer)
    return errors


def _conflict(errors):
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


def _save_with_identities(org, customer, fields, *, identities_changed):
    """Save the customer (and its identities) in a savepoint; a lost race becomes a 409."""
    wanted = _identities(
        {k: fields.get(k, getattr(customer, k)) for k in ("emails", "phones", "socials")}
    )
    errors = _conflicts(
        org,
        customer.pk,
        wanted if identities_changed else {},
        fields.get("external_id") if "external_id" in fields else None,
    )
    if errors:
        raise _conflict(errors)
    try:
        with transaction.atomic():
            customer.save()
            if identities_changed:
                _sync_identities(org, customer, wanted)
    except IntegrityError:
        errors = _conflicts(org, customer.pk, wanted, customer.external_id)
        raise _conflict(
            errors or [FieldError("", "taken", "Another customer holds one of these identities.")]
        ) from None


# ---- customers --------------------------------------------------------------------------------


def _emit_customer(org, actor, action, customer, before, after, extra=None):
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
    _save_with_identities(org, customer, fields, identities_changed=True)
    after = customer_resource(customer)
    _emit_customer(org, actor, "create", customer, None, after)
    return customer


def _lock(org, customer):
    locked = Customer.objects.select_for_update().filter(org=org, pk=customer.pk).first()
    if locked is None:
        raise NotFound("No customer with this id.")
    return locked


def _rev_of(data, rev):
    if rev is None and isinstance(data, dict):
        rev = data.get("rev")
    return rev


@transaction.atomic
def customer_update(*, org, actor, customer, data, rev=None, partial=True):
    customer = _lock(org, customer)
    check_rev(customer.rev, _rev_of(data, rev), resource="customer")
    fields = clean_customer(org=org, data=data, customer=customer, partial=partial)
    before = customer_resource(customer)
    for key, value in fields.items():
        setattr(customer, key, value)
    customer.rev += 1
    customer.updated_at = timezone.now()
    identities_changed = any(k in fields for k in ("emails", "phones", "socials"))
    _save_with_identities(org, customer, fields, identities_changed=identities_changed)
    _emit_customer(org, actor, "update", customer, before, customer_resource(customer))
    return customer


@transaction.atomic
def customer_delete(*, org, actor, customer, rev=None):
    customer = _lock(org, customer)
    check_rev(customer.rev, rev, resource="customer")
    before = customer_resource(customer)
    pk = customer.pk
    # What the database would cascade goes through the services instead, so that every
    # conversation, message and note removed and every KObject unlinked leaves its event.
    from conversations.services import conversations_delete_for_customer
    from klasses.services import kobjects_unlink, links_remove

    conversations_delete_for_customer(org=org, actor=actor, customer_id=pk)
    kobjects_unlink(org=org, actor=actor, customer_id=pk)
    links_remove(org=org, actor=actor, resource="customer", ids=[pk])
    customer.delete()
    customer.pk = pk
    _emit_customer(org, actor, "delete", customer, before, None)


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


def customer_touch(*, org, customer_id, at):
    """Record activity (a message arrived): a plain UPDATE that only moves the time forward."""
    return (
        Customer.objects.filter(org=org, pk=customer_id)
        .filter(Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at))
        .update(last_activity_at=at)
    )


# ---- merge ------------------------------------------------------------------------------------

MOVED_MODELS = (
    ("conversations", "Conversation"),
    ("conversations", "Message"),
    ("conversations", "Note"),
    ("conversations", "Notification"),
    ("klasses", "KObject"),
)


def _union(first, second, key=None):
    out = list(first or [])
    seen = {key(i) if key else repr(sorted(i.items())) for i in out}
    for item in second or []:
        k = key(item) if key else repr(sorted(item.items()))
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _move_rows(org, source_id, target_id):
    for app_label, model_name in MOVED_MODELS:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        names = {f.attname for f in model._meta.concrete_fields}
        if "customer_id" in names and "org_id" in names:
            # a moved row changed: its rev and updatedAt say so, so syncs by updated_at see it
            touched = {"customer_id": target_id}
            if "rev" in names:
                touched["rev"] = F("rev") + 1
            if "updated_at" in names:
                touched["updated_at"] = timezone.now()
            model.objects.filter(org=org, customer_id=source_id).update(**touched)
    _move_links(org, source_id, target_id)
    from kdesk.models import Event

    Event.objects.filter(org=org, customer_id=source_id).update(customer_id=target_id)


def _move_links(org, source_id, target_id):
    """Relationship links (klasses) that name the source customer now name the target."""
    try:
        relationship = apps.get_model("klasses", "Relationship")
        link = apps.get_model("klasses", "Link")
    except LookupError:
        return
    source, target = str(source_id), str(target_id)
    for side, other in (("from", "to"), ("to", "from")):
        rel_ids = list(
            relationship.objects.filter(org=org, **{f"{side}_resource": "customer"}).values_list(
                "pk", flat=True
            )
        )
        if not rel_ids:
            continue
        links = link.objects.filter(org=org, relationship_id__in=rel_ids)
        held = set(
            links.filter(**{f"{side}_id": target}).values_list("relationship_id", f"{other}_id")
        )
        for pk, rel_id, other_id in links.filter(**{f"{side}_id": source}).values_list(
            "pk", "relationship_id", f"{other}_id"
        ):
            if (rel_id, other_id) in held:
                link.objects.filter(pk=pk).delete()
            else:
                link.objects.filter(pk=pk).update(**{f"{side}_id": target})


@transaction.atomic
def customer_merge(*, org, actor, source, target):
    """Fold `source` into `target`; `source`/`target` are customers or ids of this org."""
    source_id = source.pk if isinstance(source, Customer) else source
    target_id = target.pk if isinstance(target, Customer) else target
    errors, missing = [], []
    for name, value in (("source", source_id), ("target", target_id)):
        if value in (None, ""):
            errors.append(FieldError(f"/{name}", "required", f"{name} is required."))
        elif as_id(value) is None:
            errors.append(FieldError(f"/{name}", "invalid", f"{name} must be a customer id."))
    if not errors and int(source_id) == int(target_id):
        errors.append(FieldError("/source", "invalid", "A customer cannot be merged into itself."))
    if errors:
        raise ValidationFailed(errors)
    source_id, target_id = int(source_id), int(target_id)
    rows = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(org=org, pk__in=[source_id, target_id])
        .order_by("pk")
    }
    for name, value in (("source", source_id), ("target", target_id)):
        if value not in rows:
            missing.append(FieldError(f"/{name}", "not_found", f"No customer with id {value}."))
    _raise([], missing)
    source, target = rows[source_id], rows[target_id]
    before = customer_resource(target)

    target.emails = _union(target.emails, source.emails, key=lambda i: i["email"])
    target.phones = _union(target.phones, source.phones, key=lambda i: i["phone"])
    target.socials = _union(target.socials, source.socials, key=social_key)
    target.urls = _union(target.urls, source.urls, key=lambda i: i["url"])
    target.locations = _union(target.locations, source.locations)
    target.tags = list(dict.fromkeys([*(target.tags or []), *(source.tags or [])]))
    target.custom = {**(source.custom or {}), **(target.custom or {})}
    for attr in ("name", "locale", "time_zone", "company_id"):
        if not getattr(target, attr) and getattr(source, attr):
            setattr(target, attr, getattr(source, attr))
    take_external = not target.external_id and source.external_id
    if source.last_activity_at and (
        target.last_activity_at is None or source.last_activity_at > target.last_activity_at
    ):
        target.last_activity_at = source.last_activity_at

    Identity.objects.filter(org=org, customer=source).update(customer=target)
    _move_rows(org, source.pk, target.pk)
    if take_external:
        external_id = source.external_id
        Customer.objects.filter(pk=source.pk).update(external_id=None)
        target.external_id = external_id
    source.delete()

    target.rev += 1
    target.updated_at = timezone.now()
    target.save()
    after = customer_resource(target)
    _emit_customer(
        org, actor, "merge", target, before, after, extra={"merged": {"sourceId": str(source_id)}}
    )
    return target


# ---- companies --------------------------------------------------------------------------------


def clean_company(*, org, data, company=None, partial=False):
    creating = company is None
    p = Payload(data, allowed=COMPANY_ATTRIBUTES | READ_ONLY)
    c = _Checker(p)
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
    custom = _custom(
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
    _raise(p.errors, [])
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
    company = Company.objects.select_for_update().filter(org=org, pk=company.pk).first()
    if company is None:
        raise NotFound("No company with this id.")
    check_rev(company.rev, _rev_of(data, rev), resource="company")
    fields = clean_company(org=org, data=data, company=company, partial=partial)
    before = company_resource(company)
    for key, value in fields.items():
        setattr(company, key, value)
    company.rev += 1
    company.updated_at = timezone.now()
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
    company = Company.objects.select_for_update().filter(org=org, pk=company.pk).first()
    if company is None:
        raise NotFound("No company with this id.")
    check_rev(company.rev, rev, resource="company")
    before = company_resource(company)
    pk = company.pk
    from klasses.services import kobjects_unlink, links_remove

    _unlink_customers(org, actor, pk)
    kobjects_unlink(org=org, actor=actor, company_id=pk)
    links_remove(org=org, actor=actor, resource="company", ids=[pk])
    company.delete()
    company.pk = pk
    _emit_company(org, actor, "delete", company, before, None)


# ---- checks without writing (admin forms) -----------------------------------------------------


def customer_check(*, org, data, instance=None):
    """Everything customer_create/update(partial=False) would refuse, without saving; run it
    in a transaction that is rolled back (the engine may record attribute definitions)."""
    fields = clean_customer(org=org, data=data, customer=instance, partial=False)
    errors = _conflicts(
        org, instance.pk if instance else None, _identities(fields), fields.get("external_id")
    )
    if errors:
        raise _conflict(errors)
    return fields


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
