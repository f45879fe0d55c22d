"""An admin creates an API key, copies the token, refreshes (no second key, no token shown
again) and revokes it after a confirmation."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_copies_refreshes_and_revokes_a_key(signed_in, screenshot, org):
    from kdesk.api.auth import hash_token
    from kdesk.models import ApiKey
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/settings/api-keys/")
    page.get_by_label("Name", exact=True).fill("Order system sync")
    page.get_by_label("Every permission on Customer").check()
    boxes = page.locator('input[name="scopes_customer"]')
    assert boxes.count() > 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_role("button", name="Create key").click()
    page.wait_for_load_state()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("kdk_")
    screenshot(page, "settings-api-key-token")
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == token

    page.reload()
    assert page.locator("#new-token").count() == 0
    assert ApiKey.objects.count() == 1
    key = ApiKey.objects.get(token_hash=hash_token(token))
    assert sorted(key.scopes) == sorted(
        boxes.nth(i).get_attribute("value") for i in range(boxes.count())
    )
    screenshot(page, "settings-api-keys")

    page.get_by_role("link", name="Revoke…").click()
    page.get_by_role("heading", name="Revoke “Order system sync”?").wait_for()
    page.get_by_role("button", name="Revoke key").click()
    page.wait_for_url("**/settings/api-keys/")
    key.refresh_from_db()
    assert key.revoked_at is not None
