"""Settings → Your profile: everyone edits their own name, handle and time zone; an agent who
opens /settings/ lands there and sees no admin section."""

import pytest

from kdesk.models import Event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_agent_opening_settings_lands_on_their_profile(client, agent):
    client.force_login(agent)
    response = client.get("/settings/")
    assert response.status_code == 302 and response["Location"] == "/settings/profile/"
    html = client.get("/settings/profile/").content.decode()
    assert "Your profile" in html and agent.email in html
    for admin_only in ("/settings/objects/", "/settings/api-keys/", "/settings/people/"):
        assert admin_only not in html


def test_an_admin_opening_settings_gets_the_home(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/settings/")
    assert response.status_code == 200 and "/settings/objects/" in response.content.decode()


def test_a_person_edits_their_own_profile(client, agent):
    client.force_login(agent)
    response = client.post(
        "/settings/profile/",
        {"display_name": "Sam R.", "username": "samr", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.display_name, agent.username, agent.time_zone) == (
        "Sam R.",
        "samr",
        "Europe/Paris",
    )
    event = Event.objects.get(type="user.update")
    assert event.actor_id == agent.pk and set(event.changes) == {
        "displayName",
        "username",
        "timeZone",
    }


def test_errors_come_back_beside_the_fields(client, agent, org):
    UserFactory(org=org, username="taken")
    client.force_login(agent)
    response = client.post(
        "/settings/profile/",
        {"display_name": "Sam", "username": "taken", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html.split('id="id_time_zone_error"')[1]
    response = client.post(
        "/settings/profile/", {"display_name": "Sam", "username": "taken", "time_zone": "UTC"}
    )
    assert "someone else" in response.content.decode().split('id="id_username_error"')[1]
    response = client.post(
        "/settings/profile/", {"display_name": "Sam", "username": "Not OK", "time_zone": "UTC"}
    )
    assert "lowercase letters" in response.content.decode().split('id="id_username_error"')[1]
    agent.refresh_from_db()
    assert agent.username == "sam" and not Event.objects.exists()


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/settings/profile/").status_code == 302
    assert client.get("/settings/").status_code == 302
