"""Every `/v1/` path: org B's ids are 404 to org A's key, and both slash forms answer alike."""

import pytest

pytestmark = pytest.mark.django_db


ID_PATHS = [
    "/v1/customers/{customer}",
    "/v1/customers/{customer}/conversations",
    "/v1/customers/{customer}/timeline",
    "/v1/customers/{customer}/klasses/order",
    "/v1/companies/{company}",
    "/v1/companies/{company}/customers",
    "/v1/conversations/{conversation}",
    "/v1/conversations/{conversation}/history",
    "/v1/conversations/{conversation}/messages",
    "/v1/conversations/{conversation}/messages/{message}",
    "/v1/conversations/{conversation}/notes",
    "/v1/conversations/{conversation}/notes/{note}",
    "/v1/klasses/order/{kobject}",
    "/v1/klasses/order/{kobject}/relationships/buyer",
    "/v1/kviews/{kview}",
    "/v1/validations/{validation}",
    "/v1/tags/{tag}",
    "/v1/shortcuts/{shortcut}",
    "/v1/users/{user}",
    "/v1/teams/{team}",
    "/v1/workflows/{workflow}",
    "/v1/workflows/{workflow}/runs",
]
NAMED_PATHS = [
    "/v1/customers/email=g@x.io",
    "/v1/customers/externalId=g1",
    "/v1/klasses/order/externalId=o1",
    "/v1/klasses/order/definition",
    "/v1/klasses/order",
    "/v1/metadata/kobject.order",
]
LISTS = [
    "/v1/customers",
    "/v1/companies",
    "/v1/conversations",
    "/v1/klasses",
    "/v1/kviews",
    "/v1/validations",
    "/v1/tags",
    "/v1/shortcuts",
    "/v1/users",
    "/v1/teams",
    "/v1/events",
    "/v1/workflows",
    "/v1/apps",
]


@pytest.mark.parametrize("template", ID_PATHS + NAMED_PATHS)
def test_org_b_gets_404_for_org_a_paths(world, api, other_api, template):
    path = template.format(**world)
    assert api.get(path).status_code == 200, path
    response = other_api.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert response.json()["errors"][0]["status"] == "404"


@pytest.mark.parametrize("template", ID_PATHS)
def test_org_b_cannot_change_or_delete_org_a_objects(world, other_api, template):
    path = template.format(**world)
    for method in ("put", "patch", "delete"):
        response = getattr(other_api, method)(path, **({"body": {}} if method != "delete" else {}))
        assert response.status_code in (404, 405), (method, path, response.status_code)


@pytest.mark.parametrize("path", LISTS)
def test_org_b_lists_nothing_of_org_a(world, other_api, path):
    from kdesk.models import ApiKey

    data = other_api.get(path).json()["data"]
    own_user = str(ApiKey.objects.get(pk=other_api.key.pk).user_id)
    assert all(item["id"] not in world.values() or item["id"] == own_user for item in data), path


@pytest.mark.parametrize("template", ID_PATHS + NAMED_PATHS + LISTS)
def test_slash_and_no_slash_answer_alike(world, api, template):
    path = template.format(**world)
    a, b = api.get(path), api.get(path + "/")
    assert a.status_code == b.status_code == 200, path
    assert a.json()["data"] == b.json()["data"]


def test_body_references_to_org_b_are_refused(world, api, other_api):
    foreign = other_api.post("/v1/customers", {"name": "Other"}).json()["data"]["id"]
    checks = [
        ("/v1/klasses/order", {"title": "x", "customer": foreign}),
        ("/v1/conversations", {"customer": foreign, "name": "x"}),
        ("/v1/customers/merges", {"source": foreign, "target": world["customer"]}),
    ]
    for path, body in checks:
        response = api.post(path, body)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert any(
            e.get("source", {}).get("pointer") in ("/customer", "/source")
            for e in response.json()["errors"]
        ), path
