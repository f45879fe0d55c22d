import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kdesk.models import User
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_user_creates_then_updates(capsys):
    call_command(
        "create_user",
        "--org",
        "acme",
        "--email",
        "Boss@Acme.io",
        "--password",
        "a-long-enough-passphrase",
        "--role",
        "admin",
        "--name",
        "The Boss",
        "--create-org",
    )
    user = User.objects.get(email="boss@acme.io")
    assert user.role == "admin" and user.display_name == "The Boss" and user.username == "boss"
    assert user.check_password("a-long-enough-passphrase")
    call_command(
        "create_user",
        "--org",
        "acme",
        "--email",
        "boss@acme.io",
        "--password",
        "another-long-passphrase",
        "--role",
        "agent",
    )
    user.refresh_from_db()
    assert user.role == "agent" and user.check_password("another-long-passphrase")
    assert User.objects.filter(email="boss@acme.io").count() == 1


def test_create_user_rejects_weak_passwords_and_unknown_orgs(org):
    with pytest.raises(CommandError, match="Password"):
        call_command("create_user", "--org", org.slug, "--email", "a@b.io", "--password", "123")
    with pytest.raises(CommandError, match="No organization"):
        call_command(
            "create_user",
            "--org",
            "nope",
            "--email",
            "a@b.io",
            "--password",
            "a-long-enough-passphrase",
        )


def test_usernames_are_unique_per_org_only(org, other_org):
    UserFactory(org=org, username="sam")
    UserFactory(org=other_org, username="sam")
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(org=org, username="sam")


def test_users_and_teams_api_is_scoped_to_the_org(org, other_org, api, admin_user):
    stranger = UserFactory(org=other_org)
    team = TeamFactory(org=org, name="Billing", slug="billing")
    team.members.add(admin_user)
    foreign_team = TeamFactory(org=other_org)
    users = api.get("/v1/users").json()
    ids = {u["id"] for u in users["data"]}
    assert str(admin_user.pk) in ids and str(stranger.pk) not in ids
    assert api.get(f"/v1/users/{stranger.pk}").status_code == 404
    assert api.get(f"/v1/teams/{foreign_team.pk}").status_code == 404
    detail = api.get(f"/v1/teams/{team.pk}").json()["data"]
    assert detail["attributes"]["slug"] == "billing"
    assert detail["relationships"]["members"]["data"] == [
        {"type": "user", "id": str(admin_user.pk)}
    ]
    me = api.get("/v1/users/current").json()["data"]
    assert me["id"] == str(api.key.user_id) and me["attributes"]["isMachine"] is True


def test_user_list_costs_the_same_queries_at_any_size(org, api, django_assert_num_queries):
    for _ in range(3):
        UserFactory(org=org)
    api.get("/v1/users")  # warm the key's last-used write
    with django_assert_num_queries(3):
        api.get("/v1/users")
    for _ in range(20):
        UserFactory(org=org)
    with django_assert_num_queries(3):
        api.get("/v1/users")
