import pytest

pytestmark = pytest.mark.django_db


def test_root_goes_to_the_inbox_via_sign_in(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0] == "/inbox/"
    assert response.request["PATH_INFO"] == "/login/"


def test_sign_in_page_has_labelled_fields(client):
    html = client.get("/login/").content.decode()
    assert 'for="id_username"' in html and ">Email<" in html
    assert 'for="id_password"' in html
    assert "csrfmiddlewaretoken" in html


def test_wrong_password_shows_the_form_again_with_an_error(client, agent):
    response = client.post("/login/", {"username": agent.email, "password": "nope"})
    assert response.status_code == 200
    assert "do not match" in response.content.decode()


def test_sign_in_and_out(client, agent):
    response = client.post(
        "/login/", {"username": agent.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert client.get("/login/").status_code == 302  # already signed in
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == "/login/"


def test_machine_users_cannot_sign_in(client, org, make_key):
    key, _ = make_key(org)
    key.user.set_password("correct horse battery")
    key.user.save()
    response = client.post(
        "/login/", {"username": key.user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 200


def test_password_change(client, agent):
    client.force_login(agent)
    assert client.get("/password/").status_code == 200
    response = client.post(
        "/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("a brand new passphrase")


def test_password_change_errors_sit_beside_fields(client, agent):
    client.force_login(agent)
    response = client.post(
        "/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_404_page_is_html_in_the_house_style(client, agent):
    client.force_login(agent)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "kdesk.css" in response.content.decode()


def test_pages_send_a_content_security_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-src 'self'" in policy


def test_a_forged_session_cookie_means_signed_out(client):
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.cookies["sessionid"] = "x" * 500
    assert client.get("/v1/users").status_code == 401
