"""A database that cannot be reached is a 503 in the error shape with Retry-After, wherever it
fails: in a view, in authentication, in middleware; other failures stay 500s."""

import pytest
from django.db import InterfaceError, OperationalError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("connection to server at 127.0.0.1 failed: Connection refused"),
        InterfaceError("connection already closed"),
        OperationalError("couldn't get a connection after 10.00 sec"),
    ],
)
def test_a_failing_view_answers_503(api, monkeypatch, failure):
    import customers.selectors

    def down(**kwargs):
        raise failure

    monkeypatch.setattr(customers.selectors, "customers_list", down)
    response = api.get("/v1/customers")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    [error] = response.json()["errors"]
    assert error == {
        "status": "503",
        "code": "database_unavailable",
        "title": "Service unavailable",
        "detail": error["detail"],
    }
    assert "Retry" in error["detail"]


def test_authentication_against_a_dead_database_answers_503(org, make_key, monkeypatch):
    from django.core.cache import cache

    from kdesk.api import auth
    from tests.factories import ApiClient

    key, token = make_key(org)
    cache.clear()

    def down(token_hash):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(auth, "_from_database", down)
    response = ApiClient(token, key=key).post("/v1/customers", {"name": "Ada"})
    assert response.status_code == 503
    assert response.json()["errors"][0]["code"] == "database_unavailable"


def test_a_failure_in_middleware_answers_503_too(agent, client, monkeypatch):
    from django.contrib.sessions.backends import db

    client.force_login(agent)

    def down(self, *args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(db.SessionStore, "load", down)
    client.raise_request_exception = False
    for path in ("/v1/customers", "/inbox/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert response["Retry-After"] == "5"


def test_other_server_errors_stay_500(api, monkeypatch):
    import customers.selectors

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(customers.selectors, "customers_list", broken)
    api.client.raise_request_exception = False
    response = api.get("/v1/customers")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "server_error"
