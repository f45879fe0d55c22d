"""Apps are an admin's business and one org's: another org's installation is a 404, an agent
or a key without the scope gets 403 and changes nothing, and the directory costs a fixed number
of queries however many apps are installed."""

import pytest

from apps_directory.catalog.models import Installation
from kdesk.scopes import scope
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


def test_another_orgs_installation_is_a_404(api, other_api, install):
    data = install()
    path = f"/v1/apps/installations/{data['id']}"
    for response in (
        other_api.get(path),
        other_api.put(path, {"status": "inactive"}),
        other_api.delete(path),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["status"] == "404"
    assert Installation.objects.get().status == "active"
    listed = next(a for a in other_api.get("/v1/apps").json()["data"] if a["id"] == "orders")
    assert listed["relationships"] == {}
    # the other org installs its own, independently
    assert other_api.post("/v1/apps/installations", {"app": "orders"}).status_code == 201
    assert Installation.objects.count() == 2


def test_agents_may_read_but_not_install_or_change(client, agent, install):
    data = install()
    client.force_login(agent)
    assert client.get("/v1/apps").status_code == 200
    assert client.get(f"/v1/apps/installations/{data['id']}").status_code == 200
    r = client.put(
        f"/v1/apps/installations/{data['id']}", {"status": "inactive"}, "application/json"
    )
    assert r.status_code == 403
    assert client.delete(f"/v1/apps/installations/{data['id']}").status_code == 403
    Installation.objects.all().delete()
    r = client.post("/v1/apps/installations", {"app": "orders"}, "application/json")
    assert r.status_code == 403
    assert not Installation.objects.exists()


def test_a_key_needs_the_app_scopes(org, make_key):
    _, token = make_key(org, scopes=[scope("app", "read")])
    reader = ApiClient(token)
    assert reader.get("/v1/apps").status_code == 200
    r = reader.post("/v1/apps/installations", {"app": "orders"})
    assert r.status_code == 403
    assert "org.permission.app.create" in r.json()["errors"][0]["detail"]
    _, token = make_key(org, scopes=[scope("customer", "read")])
    assert ApiClient(token).get("/v1/apps").status_code == 403


SMALL = """
app = "{app}"
version = "1.0.0"
title = "{app}"
summary = "A hook."

[[hooks]]
key = "in"
name = "{app} in"
kind = "web"
"""


def test_the_directory_costs_the_same_queries_however_many_are_installed(
    api, test_catalog, install, django_assert_num_queries
):
    test_catalog({f"{app}/1.0.0.toml": SMALL.format(app=app) for app in ("alpha", "beta")})
    api.get("/v1/apps")  # warm: the key is cached after its first use
    with django_assert_num_queries(1):  # the installations: none, so no features to read
        assert api.get("/v1/apps").status_code == 200
    install(app="alpha")
    with django_assert_num_queries(2):  # the installations, and their features
        assert api.get("/v1/apps").status_code == 200
    install(app="beta")
    with django_assert_num_queries(2):
        data = api.get("/v1/apps").json()["data"]
    assert all(a["relationships"]["installation"]["data"]["id"] for a in data)


def test_one_installation_costs_a_fixed_number_of_queries(api, install, django_assert_num_queries):
    data = install()
    with django_assert_num_queries(2):
        assert api.get(f"/v1/apps/installations/{data['id']}").status_code == 200
