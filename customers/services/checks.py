"""Checks of customer and company payloads shared by their services: the list attributes
(emails, phones, socials, urls, locations), locale, time zone, domains, custom attributes."""

import re
import zoneinfo
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email

from customers.models import Company
from kdesk.errors import FieldError, NotFound, ValidationFailed

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
def time_zones():
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


class Checker:
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
        # counted as sent, spaces included: the document's maxLength is about the value sent
        if len(value) > max_length:
            self.err(pointer, "max_length", f"{name} must be at most {max_length} characters.")
            return None
        return value.strip()

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
        if value and value not in time_zones():
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


def custom_values(org, resource, payload, *, creating, current=None, partial=True):
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


def company_ref(org, payload):
    """(company_id or None, missing FieldError or None) for the `company` attribute."""
    company_id = payload.reference("company")
    if company_id is None:
        return None, None
    if not Company.objects.filter(org=org, pk=company_id).exists():
        return None, FieldError("/company", "not_found", f"No company with id {company_id}.")
    return company_id, None


def raise_errors(errors, missing):
    """400 with everything when anything is malformed; 404 when only references are missing."""
    if errors:
        raise ValidationFailed([*errors, *missing])
    if missing:
        raise NotFound(missing[0].detail, errors=missing)


def rev_of(data, rev):
    """The revision the caller read: the argument, else the body's `rev`."""
    if rev is None and isinstance(data, dict):
        rev = data.get("rev")
    return rev
