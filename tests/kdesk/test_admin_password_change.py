"""The admin's password page writes through user_create_or_update: an event with the actor."""

import pytest
from django.test import Client

from kdesk import services
from kdesk.models import Event, User
from tests.events import assert_events

pytestmark = pytest.mark.django_db


def admin_client(org):
    ada, _ = services.user_create_or_update(
        org=org, email="ada@acme.test", password="a-long-enough-passphrase", role="admin"
    )
    client = Client()
    client.force_login(ada)
    return client, ada


def test_it_changes_the_password_through_the_service(org):
    client, ada = admin_client(org)
    lee, _ = services.user_create_or_update(
        org=org, email="lee@acme.test", password="an-old-passphrase-1", role="agent"
    )
    url = f"/admin/kdesk/user/{lee.pk}/password/"
    assert client.get(url).status_code == 200
    new = "a-fresh-passphrase-42"
    with assert_events(["user.update"], org=org):
        response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    lee.refresh_from_db()
    assert lee.check_password(new)
    assert Event.objects.filter(org=org).latest("id").actor_id == ada.pk


def test_a_bad_password_is_shown_again_and_nothing_changes(org):
    client, _ = admin_client(org)
    lee, _ = services.user_create_or_update(
        org=org, email="lee@acme.test", password="an-old-passphrase-1", role="agent"
    )
    response = client.post(
        f"/admin/kdesk/user/{lee.pk}/password/",
        {"password1": "short", "password2": "other", "usable_password": "true"},
    )
    assert response.status_code == 200 and b"errorlist" in response.content
    assert User.objects.get(pk=lee.pk).check_password("an-old-passphrase-1")


def test_another_orgs_person_is_out_of_reach(org, other_org):
    client, _ = admin_client(org)
    stranger, _ = services.user_create_or_update(
        org=other_org, email="s@b.test", password="an-old-passphrase-1", role="agent"
    )
    new = "a-fresh-passphrase-42"
    response = client.post(
        f"/admin/kdesk/user/{stranger.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code in (302, 403, 404)
    assert User.objects.get(pk=stranger.pk).check_password("an-old-passphrase-1")
