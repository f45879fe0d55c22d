"""Unknown query parameters are a 400 naming each of them, on every GET endpoint under /v1; the
parameters /v1/schema documents are exactly the ones accepted."""

import re

import pytest

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "id": "1", "slug": "order", "str": "x", "external_id": "x", "path": "x"}


def _get_routes():
    """(path with sample values, view class) for every GET route under /v1, slashless form."""
    import kdesk.api.urls

    routes = []
    for pattern in kdesk.api.urls.urlpatterns:
        view = getattr(pattern.callback, "cls", None)
        route = str(pattern.pattern)
        if view is None or not hasattr(view, "get") or route.endswith("/"):
            continue
        path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)
        routes.append(("/v1/" + path, view))
    return routes


ROUTES = _get_routes()
BAD_NAMES = [
    "updatedAt[gte]",
    "updated_since",
    "PAGE",
    "page ",
    "filter[name]",
    "a/b~c",
    "ünïcode",
    "",
]


def test_the_route_list_covers_every_list_endpoint():
    paths = {path for path, _ in ROUTES}
    for expected in [
        "/v1/customers",
        "/v1/companies",
        "/v1/conversations",
        "/v1/customers/1/conversations",
        "/v1/conversations/1/messages",
        "/v1/conversations/1/notes",
        "/v1/tags",
        "/v1/shortcuts",
        "/v1/klasses",
        "/v1/klasses/order",
        "/v1/customers/1/klasses/order",
        "/v1/kviews",
        "/v1/users",
        "/v1/teams",
        "/v1/events",
        "/v1/customers/1/timeline",
    ]:
        assert expected in paths


@pytest.mark.parametrize(("path", "view"), ROUTES, ids=[p for p, _ in ROUTES])
def test_it_refuses_unknown_parameters_naming_each(api, path, view):
    response = api.get(f"{path}?updatedAt[gte]=2024-01-01&bogus=1")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {e["source"]["parameter"] for e in errors} == {"updatedAt[gte]", "bogus"}
    assert {e["source"]["pointer"] for e in errors} == {"/updatedAt[gte]", "/bogus"}
    assert all(e["code"] == "unknown_parameter" for e in errors)
    assert "updatedAt[gte]" in " ".join(e["detail"] for e in errors)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_it_refuses_near_miss_and_odd_names_on_the_customer_list(api, name):
    from urllib.parse import quote

    response = api.get(f"/v1/customers?{quote(name)}=1")
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["source"]["parameter"] == name
    assert error["code"] == "unknown_parameter"


def test_it_escapes_the_pointer_of_a_name_with_slashes(api):
    [error] = api.get("/v1/customers?a/b~c=1").json()["errors"]
    assert error["source"]["pointer"] == "/a~1b~0c"


def test_it_still_filters_with_the_documented_parameters(api):
    api.post("/v1/customers", {"name": "Ada", "externalId": "a1"})
    api.post("/v1/customers", {"name": "Bob", "externalId": "b1"})
    response = api.get("/v1/customers?externalId=a1&page=1&pageSize=10&sort=-updatedAt")
    assert response.status_code == 200, response.content
    assert [c["attributes"]["name"] for c in response.json()["data"]] == ["Ada"]


def test_it_refuses_unauthenticated_callers_before_looking_at_parameters(client):
    response = client.get("/v1/customers?bogus=1")
    assert response.status_code == 401


@pytest.mark.parametrize(("path", "view"), ROUTES, ids=[p for p, _ in ROUTES])
def test_every_documented_parameter_is_accepted(api, path, view):
    from kdesk.api.query_params import documented

    for name in documented(view, "GET"):
        response = api.get(f"{path}?{name}=")
        codes = [e["code"] for e in response.json().get("errors", [])]
        assert "unknown_parameter" not in codes, (name, response.content)


def test_the_schema_documents_what_each_filterset_accepts():
    from conversations.api import ConversationFilter, ConversationListView
    from customers.api import CompanyListView, CustomerListView
    from customers.selectors import CompanyFilter, CustomerFilter
    from kdesk.api.query_params import documented
    from klasses.api import KObjectFilter, KObjectListView

    for filterset, view in [
        (ConversationFilter, ConversationListView),
        (CustomerFilter, CustomerListView),
        (CompanyFilter, CompanyListView),
        (KObjectFilter, KObjectListView),
    ]:
        assert set(filterset.base_filters) <= documented(view, "GET"), view


def test_the_schema_lists_the_accepted_parameters(api):
    from kdesk.api.query_params import documented

    schema = api.get("/v1/schema", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    operation = schema.json()["paths"]["/v1/customers"]["get"]
    in_schema = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    from customers.api import CustomerListView

    assert in_schema == documented(CustomerListView, "GET")


def test_a_method_the_endpoint_lacks_is_still_a_405(api):
    response = api.get("/v1/customers/search?bogus=1")
    assert response.status_code == 405
