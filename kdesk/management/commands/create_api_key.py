from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from kdesk.errors import ValidationFailed
from kdesk.models import Organization
from kdesk.services import api_key_create, organization_get_or_create


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
        if create_org:
            organization, _ = organization_get_or_create(slug=org)
        else:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with slug {org!r} (use --create-org).")
        expires_at = None
        if expires:
            expires_at = parse_datetime(expires)
            if expires_at is None:
                raise CommandError(f"--expires {expires!r} is not an ISO-8601 date-time.")
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
