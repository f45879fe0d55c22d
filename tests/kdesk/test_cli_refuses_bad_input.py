"""create_api_key and create_user: bad input is a clear CommandError (never a traceback), a
time without an offset is UTC, and --create-org leaves no org behind when the rest fails."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kdesk.models import ApiKey, Organization, User
from kdesk.services import hash_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase"


def test_a_naive_expiry_is_utc(org, capsys):
    call_command(
        "create_api_key", "--org", org.slug, "--name", "ci", "--expires", "2030-01-01T00:00:00"
    )

    token = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(token_hash=hash_token(token))
    assert key.expires_at == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "value", ["soon", "2030-02-30T00:00:00", "2030-01-01T00:00:00+25:00", "0001-01-01T00:00+01:00"]
)
def test_an_impossible_expiry_is_a_command_error(org, value):
    with pytest.raises(CommandError, match="--expires"):
        call_command("create_api_key", "--org", org.slug, "--name", "ci", "--expires", value)
    assert not ApiKey.objects.exists()


def test_a_bad_scope_leaves_no_new_org(db):
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command(
            "create_api_key", "--org", "newco", "--name", "ci", "--create-org", "--scope", "nope"
        )
    assert not Organization.objects.filter(slug="newco").exists()


@pytest.mark.parametrize("slug", ["Bad Slug!", "UPPER", "-dash", "x" * 65, ""])
def test_a_new_org_needs_a_valid_slug(db, slug):
    with pytest.raises(CommandError, match="slug"):
        call_command("create_api_key", f"--org={slug}", "--name", "ci", "--create-org")
    assert not Organization.objects.exists()


def test_out_of_range_numbers_and_names_are_command_errors(org):
    with pytest.raises(CommandError, match="--rate-limit"):
        call_command("create_api_key", "--org", org.slug, "--name", "ci", "--rate-limit", "0")
    with pytest.raises(CommandError, match="--rate-limit"):
        call_command(
            "create_api_key", "--org", org.slug, "--name", "ci", "--rate-limit", str(2**31)
        )
    with pytest.raises(CommandError, match="--name"):
        call_command("create_api_key", "--org", org.slug, "--name", "n" * 101)
    assert not ApiKey.objects.exists()


def test_create_user_leaves_no_new_org_when_the_user_fails(org):
    User.objects.create_user("taken@acme.io", PASSWORD, org=org)
    with pytest.raises(CommandError, match="another org"):
        call_command(
            "create_user",
            "--org",
            "newco",
            "--email",
            "taken@acme.io",
            "--password",
            PASSWORD,
            "--create-org",
        )
    assert not Organization.objects.filter(slug="newco").exists()


def test_create_user_checks_the_slug_email_and_name(db):
    with pytest.raises(CommandError, match="slug"):
        call_command(
            "create_user",
            "--org",
            "Bad Slug!",
            "--email",
            "a@b.io",
            "--password",
            PASSWORD,
            "--create-org",
        )
    with pytest.raises(CommandError, match="--email"):
        call_command(
            "create_user", "--org", "x", "--email", "nope", "--password", PASSWORD, "--create-org"
        )
    with pytest.raises(CommandError, match="--name"):
        call_command(
            "create_user",
            "--org",
            "x",
            "--email",
            "a@b.io",
            "--password",
            PASSWORD,
            "--name",
            "n" * 151,
            "--create-org",
        )
    assert not Organization.objects.exists()
