"""An admin invites an agent (the one-time link copied from the page), then makes a team and
adds the new agent to it; the handle follows the name."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_invites_an_agent_and_adds_them_to_a_team(signed_in, screenshot, org):
    from kdesk.models import Team, User
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/people/")
    page.get_by_label("Email", exact=True).fill("nia@example.com")
    page.get_by_label("Name", exact=True).fill("Nia Okafor")
    page.get_by_label("Role", exact=True).select_option(label="Agent")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("heading", name="Nia Okafor is invited").wait_for()
    assert "/invite/" in page.locator("#invite-link").inner_text()
    screenshot(page, "settings-people")
    nia = User.objects.get(email="nia@example.com")
    assert nia.role == "agent" and not nia.is_superuser

    page.goto("/settings/teams/")
    page.get_by_text("No teams yet").wait_for()
    page.get_by_role("link", name="New team").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()
    page.get_by_label("Name", exact=True).fill("Returns desk")
    assert page.get_by_label("Mention handle").input_value() == "returns-desk"
    page.get_by_label("Nia Okafor").check()
    screenshot(page, "settings-team-new")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url("**/settings/teams/")
    assert page.get_by_role("cell", name="Nia Okafor").is_visible()
    screenshot(page, "settings-teams")
    team = Team.objects.get()
    assert [m.email for m in team.members.all()] == ["nia@example.com"]
