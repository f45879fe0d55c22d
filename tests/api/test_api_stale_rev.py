"""`?rev=` (or `rev` in the body) is read the same way by every write: a stale one is 409 and
changes nothing."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api):
    ids = {}
    ids["customer"] = api.post("/v1/customers", {"name": "Ada", "externalId": "c-1"}).json()[
        "data"
    ]["id"]
    msg = api.post(
        f"/v1/customers/{ids['customer']}/messages",
        {"direction": "in", "channel": "email", "body": "Hi"},
    ).json()["data"]
    ids["conversation"] = msg["relationships"]["conversation"]["data"]["id"]
    api.post("/v1/klasses", {"name": "order"})
    ids["kobject"] = api.post("/v1/klasses/order", {"title": "O", "externalId": "o-1"}).json()[
        "data"
    ]["id"]
    ids["kview"] = api.post(
        "/v1/kviews",
        {"name": "K", "resource": "kobject.order", "context": "insight-card", "template": "x"},
    ).json()["data"]["id"]
    ids["tag"] = api.post("/v1/tags", {"name": "vip"}).json()["data"]["id"]
    api.put("/v1/metadata/customer", {"properties": {"tierStr": {}}})
    ids["shortcut"] = api.post("/v1/shortcuts", {"name": "hi", "payload": "Hi!"}).json()["data"][
        "id"
    ]
    return ids


def conflict(response):
    assert response.status_code == 409, (response.status_code, response.content)
    assert response.json()["errors"][0]["status"] == "409"


WRITES = [
    ("patch", "/v1/conversations/{conversation}", {"name": "Changed"}),
    ("put", "/v1/conversations/{conversation}", {"name": "Changed"}),
    ("put", "/v1/customers/externalId=c-1", {"name": "Changed"}),
    ("put", "/v1/klasses/order/externalId=o-1", {"title": "Changed"}),
    ("put", "/v1/metadata/customer", {"properties": {"tierStr": {"displayName": "Level"}}}),
    ("put", "/v1/tags/{tag}", {"name": "changed"}),
    ("put", "/v1/shortcuts/{shortcut}", {"name": "changed"}),
    ("put", "/v1/kviews/{kview}", {"name": "Changed"}),
    ("patch", "/v1/klasses/order/{kobject}", {"title": "Changed"}),
    ("patch", "/v1/customers/{customer}", {"name": "Changed"}),
]
DELETES = [
    "/v1/klasses/order/{kobject}",
    "/v1/kviews/{kview}",
    "/v1/tags/{tag}",
    "/v1/shortcuts/{shortcut}",
    "/v1/customers/{customer}",
]


def current(api, path):
    return api.get(path).json()["data"]["attributes"]


@pytest.mark.parametrize("method,template,body", WRITES)
def test_a_stale_query_rev_is_409_and_changes_nothing(api, world, method, template, body):
    path = template.format(**world)
    before = current(api, path)
    conflict(getattr(api, method)(path + "?rev=99", body))
    assert current(api, path) == before


@pytest.mark.parametrize("method,template,body", WRITES)
def test_a_stale_body_rev_is_409_too(api, world, method, template, body):
    path = template.format(**world)
    before = current(api, path)
    conflict(getattr(api, method)(path, {**body, "rev": 99}))
    assert current(api, path) == before


@pytest.mark.parametrize("method,template,body", WRITES)
def test_the_current_rev_is_accepted(api, world, method, template, body):
    path = template.format(**world)
    rev = current(api, path)["rev"]
    response = getattr(api, method)(path + f"?rev={rev}", body)
    assert response.status_code == 200, response.content
    assert response.json()["data"]["attributes"]["rev"] == rev + 1


@pytest.mark.parametrize("template", DELETES)
def test_a_stale_rev_on_delete_is_409_and_keeps_it(api, world, template):
    path = template.format(**world)
    rev = current(api, path)["rev"]
    conflict(api.delete(path + f"?rev={rev + 1}"))
    assert api.get(path).status_code == 200
    assert api.delete(path + f"?rev={rev}").status_code == 204
    assert api.get(path).status_code == 404


def test_query_and_body_revs_must_agree(api, world):
    """Two different revs cannot both be current: the stale-rev answer, and nothing changes."""
    path = f"/v1/conversations/{world['conversation']}"
    rev = api.get(path).json()["data"]["attributes"]["rev"]
    response = api.patch(f"{path}?rev={rev}", {"rev": rev + 1, "name": "Changed"})
    conflict(response)
    assert response.json()["errors"][0]["source"]["pointer"] == "/rev"
    assert api.get(path).json()["data"]["attributes"]["rev"] == rev


@pytest.mark.parametrize("bad", ["abc", "1.5", "-1"])
def test_a_rev_that_is_not_an_integer_is_400(api, world, bad):
    response = api.delete(f"/v1/tags/{world['tag']}?rev={bad}")
    assert response.status_code == 400
    assert api.get(f"/v1/tags/{world['tag']}").status_code == 200


def test_a_rev_for_an_external_id_that_does_not_exist_is_409(api, world):
    conflict(api.put("/v1/klasses/order/externalId=o-gone?rev=3", {"title": "x"}))
    conflict(api.put("/v1/customers/externalId=c-gone?rev=3", {"name": "x"}))
    assert api.get("/v1/klasses/order/externalId=o-gone").status_code == 404


def test_metadata_nobody_defined_yet_reads_rev_0_and_takes_a_write_at_rev_0(api):
    shown = api.get("/v1/metadata/company").json()["data"]["attributes"]["rev"]
    assert shown == 0
    body = {"properties": {"regionStr": {}}}
    first = api.put(f"/v1/metadata/company?rev={shown}", body)
    assert first.status_code == 200, first.json()
    rev = first.json()["data"]["attributes"]["rev"]
    assert api.put(f"/v1/metadata/company?rev={shown}", body).status_code == 409
    assert api.put(f"/v1/metadata/company?rev={rev}", body).status_code == 200
