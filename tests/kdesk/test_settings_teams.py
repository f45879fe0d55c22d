"""Settings → Teams: create with members, rename, change members, delete after a confirmation;
errors beside fields; agents refused; other orgs' teams and people out of reach."""

import pytest

from kdesk.models import Event, Team
from kdesk.services import team_create
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_it_refuses_agents_every_page_and_action(client, agent, org):
    team = TeamFactory(org=org, name="Returns", slug="returns")
    client.force_login(agent)
    for path in (
        "/settings/teams/",
        "/settings/teams/_new/",
        f"/settings/teams/{team.pk}/",
        f"/settings/teams/{team.pk}/delete/",
    ):
        assert client.get(path).status_code == 403, path
        assert client.post(path, {"name": "Hijacked"}).status_code == 403, path
    team.refresh_from_db()
    assert team.name == "Returns" and Team.objects.count() == 1


def test_an_admin_creates_a_team_with_members(admin, org, agent, admin_user):
    response = admin.post(
        "/settings/teams/_new/", {"name": "Returns desk", "members": [str(agent.pk)]}
    )
    assert response.status_code == 302 and response["Location"] == "/settings/teams/"
    team = Team.objects.get()
    assert team.slug == "returns-desk" and list(team.members.all()) == [agent]
    assert Event.objects.get(type="team.create").actor_id == admin_user.pk
    html = admin.get("/settings/teams/").content.decode()
    assert "Returns desk" in html and "@returns-desk" in html and agent.display_name in html


def test_rename_and_change_members(admin, org, agent, admin_user):
    team = team_create(org=org, data={"name": "Returns", "members": [agent.pk]})
    page = admin.get(f"/settings/teams/{team.pk}/").content.decode()
    assert f'value="{agent.pk}"' in page and "checked" in page
    response = admin.post(
        f"/settings/teams/{team.pk}/",
        {"name": "Refunds", "slug": "refunds", "members": [str(admin_user.pk)], "rev": team.rev},
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.slug) == ("Refunds", "refunds")
    assert list(team.members.all()) == [admin_user]
    stale = admin.post(f"/settings/teams/{team.pk}/", {"name": "Old", "rev": team.rev - 1})
    assert stale.status_code == 400 and "Someone else changed this team" in stale.content.decode()


def test_errors_come_back_beside_the_fields(admin, org, other_org):
    TeamFactory(org=org, name="Billing", slug="billing")
    stranger = UserFactory(org=other_org)
    response = admin.post("/settings/teams/_new/", {"name": "billing"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "exists" in html.split('id="id_name_error"')[1].split("</div></div>")[0]
    response = admin.post("/settings/teams/_new/", {"name": "X", "members": [str(stranger.pk)]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = admin.post("/settings/teams/_new/", {"name": "X", "slug": "not a handle!"})
    assert response.status_code == 400 and Team.objects.count() == 1


def test_delete_asks_first(admin, org, agent):
    team = team_create(org=org, data={"name": "Returns", "members": [agent.pk]})
    page = admin.get(f"/settings/teams/{team.pk}/delete/").content.decode()
    assert "Its 1 member stays" in page and "cannot be undone" in page
    assert Team.objects.exists()
    response = admin.post(f"/settings/teams/{team.pk}/delete/")
    assert response.status_code == 302 and not Team.objects.exists()
    assert Event.objects.filter(type="team.delete").count() == 1


def test_another_orgs_team_is_not_found(admin, other_org):
    team = TeamFactory(org=other_org, name="Secret", slug="secret")
    assert admin.get(f"/settings/teams/{team.pk}/").status_code == 404
    assert admin.post(f"/settings/teams/{team.pk}/delete/").status_code == 404
    assert "Secret" not in admin.get("/settings/teams/").content.decode()
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_list_costs_the_same_whatever_its_length(admin, org, agent, django_assert_num_queries):
    for n in range(3):
        team_create(org=org, data={"name": f"T{n}", "members": [agent.pk]})
    # session, user, org, unread count, live cursor, teams, their members
    with django_assert_num_queries(7):
        admin.get("/settings/teams/")
