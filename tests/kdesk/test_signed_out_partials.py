"""A page's background requests after the session has expired: a 401 the page understands (no
login form to swap into the compose box or an attribute), nothing saved; full page loads still
redirect to the sign-in page with ?next= back to them."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    return who, customer, conversation


def test_a_reply_sent_after_expiry_is_a_401_and_nothing_is_recorded(client, desk):
    who, customer, conversation = desk
    count = conversation.messages.count()

    response = client.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "My long reply", "conversation": conversation.pk},
        **HTMX,
    )

    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/plain")
    assert b"<form" not in response.content
    assert "signed out" in response.content.decode()
    assert conversation.messages.count() == count


@pytest.mark.parametrize(
    "path,data",
    [
        ("conversation/", {"status": "done"}),
        ("attributes/name/", {"value": "Someone else"}),
    ],
)
def test_saving_the_status_or_an_attribute_embeds_no_login_form(client, desk, path, data):
    who, customer, conversation = desk
    data = {**data, "conversation": conversation.pk}

    response = client.post(f"/customers/{customer.pk}/{path}", data, **HTMX)

    assert response.status_code == 401
    assert b"<form" not in response.content
    customer.refresh_from_db()
    conversation.refresh_from_db()
    assert customer.name == "Grace Hopper" and conversation.status == "open"


def test_json_lookups_are_a_401_too(client, desk):
    response = client.get("/desk/mentions.json?q=le", HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_a_page_load_still_redirects_to_sign_in_and_back(client, desk):
    who, customer, conversation = desk
    url = f"/customers/{customer.pk}/?conversation={conversation.pk}"

    response = client.get(url)

    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/login/?next=/customers/{customer.pk}/%3Fconversation%3D{conversation.pk}"
    )
    who["sam"].set_password("pw-for-this-test")
    who["sam"].save()
    signed_in = client.post(
        response["Location"],
        {"username": who["sam"].email, "password": "pw-for-this-test", "next": url},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == url


def test_a_signed_in_page_has_the_banner_ready(client, desk):
    who, customer, _ = desk
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="signed-out"' in html and "You were signed out" in html
    assert f'href="/login/?next=/customers/{customer.pk}/"' in html
