"""Settings → Apps in a browser: an admin upgrades the installed Orders app, deactivates it
after the confirmation and reactivates it; the page fits 1024 px and raises no script error."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_upgrade_deactivate_and_reactivate_an_app(signed_in, screenshot, org):
    from apps_directory.catalog import services
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    services.installation_create(org=org, actor=admin, data={"app": "orders", "version": "1.0.0"})
    page = signed_in(admin)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto("/settings/apps/")
    expect(page.get_by_text("Upgrade available: 2.0.0")).to_be_visible()
    screenshot(page, "settings-apps-upgrade-available")
    assert page.evaluate("document.documentElement.scrollWidth <= 1024")

    page.get_by_role("button", name="Upgrade to 2.0.0").click()
    expect(page.get_by_text("Orders upgraded to version 2.0.0.")).to_be_visible()

    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate Orders?")).to_be_visible()
    screenshot(page, "settings-apps-deactivate")
    page.get_by_role("button", name="Deactivate Orders").click()
    expect(page.get_by_role("status")).to_contain_text("Orders deactivated")

    page.get_by_role("button", name="Reactivate").click()
    expect(page.get_by_text("Orders reactivated.")).to_be_visible()
    screenshot(page, "settings-apps-installed")
    assert not errors, errors
