"""Settings → People: invite by email with a one-time link that sets the password, the role,
deactivate/reactivate; never a superuser; the org keeps an admin; agents refused."""

import re

import pytest
from django.core import mail

from kdesk.models import Event, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _invite(client, email="nia@example.com", role="agent"):
    return client.post(
        "/settings/people/", {"email": email, "display_name": "Nia Okafor", "role": role}
    )


def test_it_refuses_agents_every_page_and_action(client, agent, admin_user):
    client.force_login(agent)
    assert client.get("/settings/people/").status_code == 403
    assert _invite(client).status_code == 403
    assert (
        client.post(f"/settings/people/{admin_user.pk}/role/", {"role": "agent"}).status_code == 403
    )
    assert client.post(f"/settings/people/{admin_user.pk}/access/").status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.role == "admin" and admin_user.is_active
    assert not User.objects.filter(email="nia@example.com").exists()


def test_an_invitation_emails_a_link_that_sets_the_password_once(admin, client, org, admin_user):
    response = _invite(admin)
    assert response.status_code == 302 and response["Location"] == "/settings/people/"
    nia = User.objects.get(email="nia@example.com")
    assert (nia.role, nia.is_superuser, nia.is_staff, nia.has_usable_password()) == (
        "agent",
        False,
        False,
        False,
    )
    assert Event.objects.get(type="user.create").actor_id == admin_user.pk
    page = admin.get("/settings/people/")
    assert page["Cache-Control"] == "no-store" and "Nia Okafor is invited" in page.content.decode()
    assert "is invited" not in admin.get("/settings/people/").content.decode()  # shown once
    link = re.search(r"http://testserver(/invite/\S+/)", mail.outbox[0].body).group(1)
    assert mail.outbox[0].to == ["nia@example.com"]

    client.logout()
    assert "Choose a password" in client.get(link).content.decode()
    weak = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 400 and "field-error" in weak.content.decode()
    good = "a long and unusual phrase 42"
    response = client.post(link, {"new_password1": good, "new_password2": good})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    nia.refresh_from_db()
    assert nia.check_password(good)
    client.logout()
    assert client.get(link).status_code == 404  # spent


def test_a_made_up_link_does_not_work(client, agent):
    assert client.get("/invite/MQ/abc-def/").status_code == 404
    assert client.get("/invite/%%%/x/").status_code == 404


def test_an_email_already_in_use_is_refused_beside_the_field(admin, org, other_org):
    UserFactory(org=other_org, email="taken@example.com")
    response = _invite(admin, email="taken@example.com")
    assert response.status_code == 400
    error = response.content.decode().split('id="id_email_error"')[1].split("</div></div>")[0]
    assert "already has an account" in error
    response = _invite(admin, email="not-an-email")
    assert response.status_code == 400


def test_role_changes_and_the_last_admin_is_kept(admin, org, agent, admin_user):
    response = admin.post(f"/settings/people/{agent.pk}/role/", {"role": "admin"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == "admin" and agent.is_staff and not agent.is_superuser
    admin.post(f"/settings/people/{agent.pk}/role/", {"role": "agent"})
    agent.refresh_from_db()
    assert agent.role == "agent"
    # nobody changes their own role; an org never loses its last admin
    admin.post(f"/settings/people/{admin_user.pk}/role/", {"role": "agent"})
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"
    page = admin.get("/settings/people/").content.decode()
    assert "cannot change your own role" in page
    other = UserFactory(org=org, role="admin", is_active=False)
    assert (
        admin.post(f"/settings/people/{other.pk}/role/", {"role": "superuser"}).status_code == 302
    )
    other.refresh_from_db()
    assert other.role == "admin" and not other.is_superuser


def test_deactivate_asks_first_and_signs_them_out(admin, client, org, agent):
    from django.test import Client

    theirs = Client()
    theirs.force_login(agent)
    assert theirs.get("/inbox/").status_code == 200
    page = admin.get(f"/settings/people/{agent.pk}/access/").content.decode()
    assert "signed out everywhere" in page
    agent.refresh_from_db()
    assert agent.is_active
    admin.post(f"/settings/people/{agent.pk}/access/")
    agent.refresh_from_db()
    assert not agent.is_active
    assert theirs.get("/inbox/").status_code == 302  # sent to sign in
    admin.post(f"/settings/people/{agent.pk}/access/", {"active": "on"})
    agent.refresh_from_db()
    assert agent.is_active
    event = Event.objects.filter(type="user.update").last()
    assert event.changes == {"active": {"before": False, "after": True}}


def test_another_orgs_person_is_not_found(admin, other_org):
    stranger = UserFactory(org=other_org, role="agent")
    assert admin.post(f"/settings/people/{stranger.pk}/role/", {"role": "admin"}).status_code == 404
    assert admin.post(f"/settings/people/{stranger.pk}/access/").status_code == 404
    assert stranger.email not in admin.get("/settings/people/").content.decode()
    stranger.refresh_from_db()
    assert stranger.role == "agent" and stranger.is_active


def test_the_list_costs_the_same_whatever_its_length(admin, org, django_assert_num_queries):
    for _ in range(3):
        UserFactory(org=org)
    # session, user, org, unread count, live cursor, people, their teams
    with django_assert_num_queries(7):
        admin.get("/settings/people/")
