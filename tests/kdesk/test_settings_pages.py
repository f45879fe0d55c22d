import pytest

from kdesk.api.auth import hash_token
from kdesk.models import ApiKey

pytestmark = pytest.mark.django_db


def test_agents_get_403(client, agent):
    client.force_login(agent)
    # /settings/ is their own profile; every admin page is refused
    assert client.get("/settings/")["Location"] == "/settings/profile/"
    assert client.get("/settings/api-keys/").status_code == 403


def test_admin_creates_a_key_and_sees_the_token_once(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/settings/").status_code == 200
    response = client.post(
        "/settings/api-keys/",
        {"name": "Orders sync", "scopes_customer": ["org.permission.customer.read"]},
    )
    # POST-redirect-GET: the token is on the page the redirect leads to
    assert response.status_code == 302 and response["Location"] == "/settings/api-keys/"
    page = client.get("/settings/api-keys/")
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    token = html.split('id="new-token"')[1].split(">")[1].split("<")[0]
    key = ApiKey.objects.get(token_hash=hash_token(token))
    assert key.scopes == ["org.permission.customer.read"] and key.created_by == admin_user
    # a refresh shows it no more and makes no second key
    assert token not in client.get("/settings/api-keys/").content.decode()
    assert ApiKey.objects.count() == 1


def test_form_errors_are_shown_beside_fields(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/settings/api-keys/", {"name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in html and "Choose at least one permission" in html
    assert not ApiKey.objects.exists()


def test_revoke_asks_first(client, admin_user, make_key, org, other_org):
    key, _ = make_key(org)
    client.force_login(admin_user)
    assert "cannot be undone" in client.get(f"/settings/api-keys/{key.pk}/revoke/").content.decode()
    key.refresh_from_db()
    assert key.revoked_at is None
    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    foreign, _ = make_key(other_org)
    assert client.post(f"/settings/api-keys/{foreign.pk}/revoke/").status_code == 404
