import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kdesk.errors import ValidationFailed
from kdesk.models import ApiKey, Organization
from kdesk.services import api_key_create, organization_get_or_create

# What a new org's slug may be: it names the org in URLs and in its keys' machine emails.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
NAME_MAX = ApiKey._meta.get_field("name").max_length
RATE_LIMIT_MAX = 2**31 - 1  # a PositiveIntegerField everywhere


def resolve_org(slug, *, create):
    """The organization with this slug; created (after checking the slug) when `create`."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is not None:
        return organization
    if not create:
        raise CommandError(f"No organization with slug {slug!r} (use --create-org).")
    if not SLUG_RE.match(slug):
        raise CommandError(
            f"--org {slug!r} is not a valid slug: use 1 to 64 lowercase letters, digits, '-' or "
            "'_', starting with a letter or digit."
        )
    organization, _ = organization_get_or_create(slug=slug)
    return organization


def parse_expiry(raw):
    """An aware datetime for --expires; a time without an offset is UTC."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise CommandError(
            f"--expires {raw!r} is not an ISO-8601 date-time (e.g. 2027-01-01T00:00:00Z)."
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise CommandError(f"--expires {raw!r} is out of range.") from None


class Command(BaseCommand):
    help = "Create an API key and print only its token (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--scope", action="append", dest="scopes", help="Repeatable; default: every scope."
        )
        parser.add_argument("--expires", help="ISO-8601 expiry, e.g. 2027-01-01T00:00:00Z.")
        parser.add_argument("--rate-limit", type=int, help="Requests per minute for this key.")
        parser.add_argument("--create-org", action="store_true")

    def handle(self, *args, org, name, scopes, expires, rate_limit, create_org, **options):
        if len((name or "").strip()) > NAME_MAX:
            raise CommandError(f"--name must be at most {NAME_MAX} characters.")
        if rate_limit is not None and not 1 <= rate_limit <= RATE_LIMIT_MAX:
            raise CommandError(f"--rate-limit must be between 1 and {RATE_LIMIT_MAX} per minute.")
        expires_at = parse_expiry(expires) if expires else None
        # One transaction: an org made by --create-org is not left behind when the key fails.
        with transaction.atomic():
            organization = resolve_org(org, create=create_org)
            try:
                _, token = api_key_create(
                    org=organization,
                    name=name,
                    scopes=scopes,
                    expires_at=expires_at,
                    rate_limit_per_minute=rate_limit,
                )
            except ValidationFailed as exc:
                raise CommandError("; ".join(e.detail for e in exc.errors)) from None
        self.stdout.write(token)
