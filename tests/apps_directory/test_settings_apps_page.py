"""Settings → Apps: the directory with install buttons, installed apps with their state, an
upgrade marker and their features by display name; deactivate and uninstall ask first; errors
on top in people's words."""

import re

import pytest

from apps_directory.catalog.models import Installation
from apps_directory.hooks.models import Hook
from klasses.models import Klass, KObject

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _row(html, app):
    found = re.search(rf'<article class="app-entry" id="app-{app}">(.*?)</article>', html, re.S)
    assert found, f"no row for {app}"
    return found.group(1)


def _section(html, title_id):
    found = re.search(rf'aria-labelledby="{title_id}">(.*?)</section>', html, re.S)
    return found.group(1)


def test_the_directory_offers_orders_with_its_features(admin):
    r = admin.get("/settings/apps/")
    assert r.status_code == 200
    html = r.content.decode()
    directory = _section(html, "directory-title")
    row = _row(directory, "orders")
    assert "Install Orders" in row and "2.0.0" in row
    for kind, label in (("Object type", "Order"), ("KView", "Order details"),
                        ("Hook", "Orders from your shop"),
                        ("Workflow", "Orders: add or update an order from the shop")):  # fmt: skip
        assert f'<li><span class="muted">{kind}</span>{label}</li>' in row
    assert "No apps installed" in _section(html, "installed-title")


def test_install_upgrade_deactivate_reactivate_uninstall_through_the_page(admin, api, org):
    api.post("/v1/apps/installations", {"app": "orders", "version": "1.0.0"})
    installation = Installation.objects.get()
    html = admin.get("/settings/apps/").content.decode()
    row = _row(_section(html, "installed-title"), "orders")
    assert "Upgrade available: 2.0.0" in row and "Upgrade to 2.0.0" in row
    assert "New in 2.0.0: Orders carry their number of items" in row
    hook = Hook.objects.get()
    assert f'<a href="/settings/hooks/{hook.pk}/">Orders from your shop</a>' in row
    assert '<a href="/settings/objects/order/">Order</a>' in row
    base = f"/settings/apps/installations/{installation.pk}"

    r = admin.post(f"{base}/upgrade/", follow=True)
    assert "Orders upgraded to version 2.0.0." in r.content.decode()
    installation.refresh_from_db()
    assert installation.version == "2.0.0"
    assert "Upgrade available" not in r.content.decode()
    r = admin.post(f"{base}/upgrade/", follow=True)
    assert "Orders is at its latest version already." in r.content.decode()

    # deactivating asks first; the question changes nothing
    r = admin.get(f"{base}/deactivate/")
    assert r.status_code == 200 and "Deactivate Orders?" in r.content.decode()
    assert "Hook: Orders from your shop" in r.content.decode()
    installation.refresh_from_db()
    assert installation.status == "active"
    r = admin.post(f"{base}/deactivate/", follow=True)
    html = r.content.decode()
    assert "Orders deactivated" in html and "Deactivated</span>" in html and "Reactivate" in html
    assert not Hook.objects.get().enabled

    r = admin.post(f"{base}/reactivate/", follow=True)
    assert "Orders reactivated." in r.content.decode()
    assert Hook.objects.get().enabled

    KObject.objects.create(org=org, klass=Klass.objects.get(name="order"), title="O1")
    r = admin.get(f"{base}/uninstall/")
    assert "Uninstall Orders?" in r.content.decode()
    assert Installation.objects.exists()
    r = admin.post(f"{base}/uninstall/", follow=True)
    html = r.content.decode()
    assert "Orders uninstalled. Kept, turned off, because they hold records: Order." in html
    assert not Installation.objects.exists() and not Hook.objects.exists()
    assert "Install Orders" in html


def test_installing_from_the_page(admin):
    r = admin.post("/settings/apps/orders/install/", follow=True)
    html = r.content.decode()
    assert "Orders installed." in html
    assert Installation.objects.get().version == "2.0.0"
    assert "Active</span>" in _row(_section(html, "installed-title"), "orders")


def test_a_problem_is_shown_on_top_in_peoples_words(admin, api):
    api.post("/v1/klasses", {"name": "order", "displayName": "Purchase"})
    r = admin.post("/settings/apps/orders/install/")
    assert r.status_code == 409
    html = r.content.decode()
    alert = re.search(r'<div class="form-errors" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert alert, "the problem is not on top"
    text = alert.group(1)
    assert "already has an object type named &#x27;order&#x27; (Purchase)" in text
    for internal in ("/app", "klass_create", "taken", "kobject."):
        assert internal not in text
    assert not Installation.objects.exists()


def test_agents_get_403(client, agent, api):
    api.post("/v1/apps/installations", {"app": "orders"})
    pk = Installation.objects.get().pk
    client.force_login(agent)
    assert client.get("/settings/apps/").status_code == 403
    assert client.post(f"/settings/apps/installations/{pk}/deactivate/").status_code == 403
    assert client.post("/settings/apps/orders/install/").status_code == 403
    assert Installation.objects.get().status == "active"


def test_another_orgs_installation_is_a_404(client, other_org, other_api):
    from tests.factories import UserFactory

    other_api.post("/v1/apps/installations", {"app": "orders"})
    pk = Installation.objects.get().pk
    from tests.factories import OrganizationFactory

    mine = OrganizationFactory(slug="mine")
    client.force_login(UserFactory(org=mine, role="admin", username="me"))
    assert client.get(f"/settings/apps/installations/{pk}/uninstall/").status_code == 404
    assert client.post(f"/settings/apps/installations/{pk}/uninstall/").status_code == 404
    assert Installation.objects.exists()


def test_an_unknown_action_or_app_is_a_404(admin, api):
    api.post("/v1/apps/installations", {"app": "orders"})
    pk = Installation.objects.get().pk
    assert admin.post(f"/settings/apps/installations/{pk}/explode/").status_code == 404
    assert admin.get(f"/settings/apps/installations/{pk}/upgrade/").status_code == 404
    assert admin.post("/settings/apps/nope/install/").status_code == 404


def test_the_activity_log_reads_what_happened_to_the_app(admin, api):
    from kdesk.models import Event

    data = api.post("/v1/apps/installations", {"app": "orders", "version": "1.0.0"}).json()["data"]
    api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive"})
    page = admin.get("/settings/activity/?kind=app").content.decode()
    for type, verb in (("app.install", "installed"), ("app.upgrade", "upgraded"),
                       ("app.deactivate", "deactivated")):  # fmt: skip
        event = Event.objects.get(type=type)
        row = page.split(f'id="event-{event.pk}"')[1].split("</tr>")[0]
        assert verb in row and "App “Orders”" in row, row


def test_the_activity_log_names_the_edits_an_upgrade_kept(admin, api):
    from kdesk.models import Event

    data = api.post("/v1/apps/installations", {"app": "orders", "version": "1.0.0"}).json()["data"]
    hook = next(f for f in data["attributes"]["features"] if f["kind"] == "hook")
    api.put(f"/v1/hooks/{hook['id']}", {"name": "Shopify orders"})
    api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    page = admin.get("/settings/activity/?kind=app").content.decode()
    event = Event.objects.get(type="app.upgrade")
    row = page.split(f'id="event-{event.pk}"')[1].split("</tr>")[0]
    assert "Kept your changes to: the &#x27;Orders from your shop&#x27; hook&#x27;s name" in row


def test_the_upgrade_says_which_of_the_admins_changes_it_kept(admin, api, org):
    data = api.post("/v1/apps/installations", {"app": "orders", "version": "1.0.0"}).json()["data"]
    kview = next(f for f in data["attributes"]["features"] if f["kind"] == "kview")
    api.put("/v1/metadata/kobject.order", {"properties": {"statusStr": {"displayName": "State"}}})
    api.put(f"/v1/kviews/{kview['id']}", {"template": "<p>{{ object.title }}</p>"})
    r = admin.post(f"/settings/apps/installations/{data['id']}/upgrade/", follow=True)
    html = r.content.decode()
    said = ("Orders upgraded to version 2.0.0. Kept your changes to: Order&#x27;s &#x27;Status&#x27;"
            " label, the &#x27;Order details&#x27; view template.")  # fmt: skip
    assert said in html
    row = _row(_section(html, "installed-title"), "orders")
    assert "The upgrade to 2.0.0 kept your changes to: Order&#x27;s &#x27;Status&#x27; label" in row
    for internal in ("statusStr", "displayName", "attributes/", "kview"):
        assert internal not in row.split("app-features")[0], internal
    # an upgrade without edits says nothing of the kind
    api.delete(f"/v1/apps/installations/{data['id']}")
    again = api.post("/v1/apps/installations", {"app": "orders", "version": "1.0.0"}).json()["data"]
    r = admin.post(f"/settings/apps/installations/{again['id']}/upgrade/", follow=True)
    html = r.content.decode()
    assert "Orders upgraded to version 2.0.0." in html and "Kept your changes" not in html
    assert "kept your changes" not in _row(_section(html, "installed-title"), "orders")
