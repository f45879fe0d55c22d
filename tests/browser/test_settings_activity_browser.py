"""Activity: an admin renames a team, then reads the change on the Activity page as before →
after with the author's name, and filters the list down to teams with the keyboard."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_reads_a_change_before_and_after(signed_in, screenshot, org):
    from kdesk.services import team_create
    from klasses import services
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    services.klass_create(org=org, actor=admin, data={"name": "order", "displayName": "Order"})
    team = team_create(org=org, actor=admin, data={"name": "Returns"})
    page = signed_in(admin)
    page.goto(f"/settings/teams/{team.pk}/")
    page.get_by_label("Name", exact=True).fill("Returns desk")
    page.get_by_role("button", name="Save team").click()
    page.wait_for_url("**/settings/teams/")

    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Activity").click()
    page.wait_for_url("**/settings/activity/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    newest = rows.first
    expect(newest).to_contain_text("Wanda Admin")
    expect(newest).to_contain_text("Team “Returns desk”")
    expect(newest.locator(".before").first).to_have_text("Returns")
    expect(newest.locator(".after").first).to_have_text("Returns desk")
    expect(page.get_by_text("Object type “Order”")).to_be_visible()
    screenshot(page, "settings-activity")

    # the filter works from the keyboard
    page.get_by_label("Show").focus()
    page.get_by_label("Show").select_option(label="Teams")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/settings/activity/?kind=team")
    expect(rows).to_have_count(2)
    expect(page.get_by_text("Object type “Order”")).to_have_count(0)
