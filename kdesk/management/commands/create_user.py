from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from kdesk.errors import ValidationFailed
from kdesk.management.commands.create_api_key import resolve_org
from kdesk.models import User
from kdesk.services import user_create_or_update

NAME_MAX = User._meta.get_field("display_name").max_length
EMAIL_MAX = User._meta.get_field("email").max_length


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
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"--email {email!r} is not a valid email address.") from None
        if len(email.strip()) > EMAIL_MAX:
            raise CommandError(f"--email must be at most {EMAIL_MAX} characters.")
        if name is not None and len(name) > NAME_MAX:
            raise CommandError(f"--name must be at most {NAME_MAX} characters.")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        # One transaction: an org made by --create-org is not left behind when the user fails.
        with transaction.atomic():
            organization = resolve_org(org, create=create_org)
            user, created = self._save(organization, email, password, role, name, username)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.role} {user.email} (@{user.username}) in {org}.")

    @staticmethod
    def _save(organization, email, password, role, name, username):
        try:
            return user_create_or_update(
                org=organization,
                email=email,
                password=password,
                role=role,
                display_name=name,
                username=username,
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.detail for e in exc.errors)) from None
