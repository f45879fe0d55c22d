"""/settings/hooks/: create, see the address and recent calls, rename, toggle, rotate, delete."""

import json

import pytest

from apps_directory.hooks.models import Hook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_agents_get_403(client, agent):
    client.force_login(agent)
    assert client.get("/settings/hooks/").status_code == 403


def test_the_hook_page(admin_client, client, settings):
    settings.HOOK_WEB_MAX_BYTES = 256 * 1024
    r = admin_client.post("/settings/hooks/", {"name": "Shop", "kind": "web"})
    hook = Hook.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/settings/hooks/{hook.pk}/"
    from django.test import Client

    sender = Client()
    sender.post(hook.path, json.dumps({"order": "A-77"}), content_type="application/json")
    page = admin_client.get(r["Location"]).content.decode()
    assert f"http://testserver{hook.path}" in page
    assert "A-77" in page and "Recent calls" in page
    assert "up to 256.0\xa0KB" in page  # the limit in force, not a fixed figure
    r = admin_client.post(f"/settings/hooks/{hook.pk}/", {"name": "", "rate_limit_per_minute": "0"})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="id_name_error"' in page and 'id="id_rate_limit_per_minute_error"' in page
    admin_client.post(f"/settings/hooks/{hook.pk}/toggle/")
    assert not Hook.objects.get().enabled
    admin_client.post(f"/settings/hooks/{hook.pk}/rotate/")
    assert Hook.objects.get().token != hook.token
    assert (
        "cannot be undone"
        in admin_client.get(f"/settings/hooks/{hook.pk}/delete/").content.decode()
    )
    admin_client.post(f"/settings/hooks/{hook.pk}/delete/")
    assert not Hook.objects.exists()


def test_create_errors(admin_client):
    r = admin_client.post("/settings/hooks/", {"name": "", "kind": "fax"})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="id_name_error"' in page and 'id="id_kind_error"' in page


def test_a_new_address_is_made_only_after_asking(admin_client, org, admin_user):
    from apps_directory.hooks.services import hook_create

    hook = hook_create(org=org, actor=admin_user, data={"name": "Shop orders", "kind": "web"})
    page = admin_client.get(f"/settings/hooks/{hook.pk}/").content.decode()
    assert f'href="/settings/hooks/{hook.pk}/rotate/">Make a new address…</a>' in page

    asked = admin_client.get(f"/settings/hooks/{hook.pk}/rotate/")

    assert asked.status_code == 200
    assert "stops working at once" in asked.content.decode()
    assert Hook.objects.get().token == hook.token  # asking changes nothing
    admin_client.post(f"/settings/hooks/{hook.pk}/rotate/")
    assert Hook.objects.get().token != hook.token


def test_another_orgs_hook_has_no_rotate_page(admin_client, other_org):
    from apps_directory.hooks.services import hook_create

    hook = hook_create(org=other_org, actor=None, data={"name": "Theirs", "kind": "web"})
    assert admin_client.get(f"/settings/hooks/{hook.pk}/rotate/").status_code == 404
    assert admin_client.post(f"/settings/hooks/{hook.pk}/rotate/").status_code == 404
    assert Hook.objects.get().token == hook.token
