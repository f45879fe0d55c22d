from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kdesk.errors import ValidationFailed
from kdesk.models import Organization
from kdesk.services import organization_get_or_create, user_create_or_update


class Command(BaseCommand):
    help = "Create or update a person who signs in to the desk."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug.")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=["admin", "agent"], default="agent")
        parser.add_argument("--name", help="Display name.")
        parser.add_argument("--username", help="@mention handle; derived from the email if unset.")
        parser.add_argument("--create-org", action="store_true")

    def handle(self, *args, org, email, password, role, name, username, create_org, **options):
        if create_org:
            organization, _ = organization_get_or_create(slug=org)
        else:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with slug {org!r} (use --create-org).")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        try:
            user, created = user_create_or_update(
                org=organization,
                email=email,
                password=password,
                role=role,
                display_name=name,
                username=username,
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.detail for e in exc.errors)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.role} {user.email} (@{user.username}) in {org}.")
