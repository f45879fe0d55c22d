from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kdesk.api.auth import hash_token
from kdesk.errors import ValidationFailed
from kdesk.models import ApiKey
from kdesk.scopes import ALL_SCOPES
from kdesk.services import api_key_create, api_key_revoke
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash(org):
    key, token = api_key_create(org=org, name="Orders sync")
    assert token.startswith("kdk_")
    assert key.token_hash == hash_token(token)
    assert token not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert key.user.is_machine and key.user.org == org
    assert set(key.scopes) == set(ALL_SCOPES)


def test_it_rejects_unknown_scopes_naming_them(org):
    with pytest.raises(ValidationFailed) as exc:
        api_key_create(org=org, name="x", scopes=["org.permission.customer.read", "org.bogus"])
    assert "org.bogus" in exc.value.errors[0].detail
    assert ApiKey.objects.count() == 0


def test_valid_key_authenticates(api):
    response = api.get("/v1/events")
    assert response.status_code == 200
    assert response["x-ratelimit-limit"]
    api.key.refresh_from_db()
    assert api.key.last_used_at is not None


def test_wrong_scope_is_403(org, make_key):
    _, token = make_key(org, scopes=["org.permission.customer.read"])
    response = ApiClient(token).get("/v1/events")
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["status"] == "403"
    assert "org.permission.event.read" in error["detail"]


@pytest.mark.parametrize("state", ["revoked", "expired", "garbage", "missing", "other-scheme"])
def test_unusable_keys_are_401(org, make_key, state):
    key, token = make_key(org)
    headers = None
    if state == "revoked":
        api_key_revoke(org=org, key=key)
    elif state == "expired":
        ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "garbage":
        token = "kdk_nothing_here"
    client = ApiClient(token)
    if state == "missing":
        client.client.defaults["HTTP_AUTHORIZATION"] = ""
        response = client.client.get("/v1/events")
    elif state == "other-scheme":
        response = client.client.get("/v1/events", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    else:
        response = client.get("/v1/events", headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["status"] == "401"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expiry_in_the_past_is_refused(org):
    with pytest.raises(ValidationFailed):
        api_key_create(org=org, name="old", expires_at=timezone.now() - timedelta(days=1))


def test_cli_prints_only_the_token(capsys):
    call_command("create_api_key", "--org", "newco", "--name", "CLI", "--create-org")
    out = capsys.readouterr().out.strip()
    assert out.startswith("kdk_") and "\n" not in out
    key = ApiKey.objects.get(token_hash=hash_token(out))
    assert key.org.slug == "newco" and set(key.scopes) == set(ALL_SCOPES)


def test_cli_limits_scopes(org, capsys):
    call_command(
        "create_api_key",
        "--org",
        org.slug,
        "--name",
        "RO",
        "--scope",
        "org.permission.customer.read",
    )
    token = capsys.readouterr().out.strip()
    assert ApiKey.objects.get(token_hash=hash_token(token)).scopes == [
        "org.permission.customer.read"
    ]


def test_cli_refuses_unknown_org():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_key", "--org", "nope", "--name", "x")


def test_revoking_a_cached_key_takes_effect_at_once(org, make_key):
    key, token = make_key(org)
    client = ApiClient(token)
    assert client.get("/v1/users/current").status_code == 200  # now cached
    api_key_revoke(org=org, key=key)
    assert client.get("/v1/users/current").status_code == 401
