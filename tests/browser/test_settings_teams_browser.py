"""An admin makes a team and adds an agent to it; the handle follows the name."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_adds_an_agent_to_a_new_team(signed_in, screenshot, org):
    from kdesk.models import Team
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")
    page = signed_in(admin)
    page.goto("/settings/teams/")
    page.get_by_text("No teams yet").wait_for()
    page.get_by_role("link", name="New team").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()
    page.get_by_label("Name", exact=True).fill("Returns desk")
    assert page.get_by_label("Mention handle").input_value() == "returns-desk"
    page.get_by_label("Sam Rivera (@sam)").check()
    screenshot(page, "settings-team-new")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url("**/settings/teams/")
    assert page.get_by_role("cell", name="Sam Rivera").is_visible()
    screenshot(page, "settings-teams")
    team = Team.objects.get()
    assert [m.username for m in team.members.all()] == ["sam"]
