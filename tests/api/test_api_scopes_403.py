"""A valid key without the scope an endpoint needs gets 403 in API.md's shape, and nothing
changes."""

import json

import pytest

from kdesk.scopes import ALL_SCOPES, scope
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(api, admin_user, org):
    from tests.factories import TeamFactory

    api.post("/v1/klasses", {"name": "shipment"})
    rels = [{"name": "shipments", "target": "shipment", "cardinality": "one-to-many"}]
    api.post("/v1/klasses", {"name": "order", "relationships": rels})
    order = api.post("/v1/klasses/order", {"title": "O", "externalId": "o-1"}).json()["data"]["id"]
    shipment = api.post("/v1/klasses/shipment", {"title": "S"}).json()["data"]["id"]
    api.post("/v1/customers", {"name": "Ada", "externalId": "c-1"})
    kview = api.post(
        "/v1/kviews",
        {"name": "K", "resource": "kobject.order", "context": "insight-card", "template": "x"},
    ).json()["data"]["id"]
    validation = api.post(
        "/v1/validations", {"resource": "company", "attribute": "name", "when": "update"}
    ).json()["data"]["id"]
    return {
        "user": admin_user.pk,
        "team": TeamFactory(org=org).pk,
        "kview": kview,
        "order": order,
        "shipment": shipment,
        "validation": validation,
    }


CASES = [
    ("get", "/v1/users", None, ("user", "read")),
    ("get", "/v1/users/{user}", None, ("user", "read")),
    ("get", "/v1/teams", None, ("team", "read")),
    ("get", "/v1/teams/{team}", None, ("team", "read")),
    ("post", "/v1/teams", {"name": "Support"}, ("team", "create")),
    ("put", "/v1/teams/{team}", {"name": "Support"}, ("team", "update")),
    ("delete", "/v1/teams/{team}", None, ("team", "delete")),
    ("get", "/v1/kviews", None, ("kview", "read")),
    ("get", "/v1/kviews/{kview}", None, ("kview", "read")),
    (
        "post",
        "/v1/kviews",
        {"name": "N", "resource": "customer", "template": "x"},
        ("kview", "create"),
    ),
    ("put", "/v1/kviews/{kview}", {"name": "N"}, ("kview", "update")),
    ("delete", "/v1/kviews/{kview}", None, ("kview", "delete")),
    ("put", "/v1/klasses/order/definition", {"displayName": "N"}, ("klass", "update")),
    ("get", "/v1/validations", None, ("validation", "read")),
    ("get", "/v1/validations/{validation}", None, ("validation", "read")),
    (
        "post",
        "/v1/validations",
        {"resource": "company", "attribute": "domains", "when": "create"},
        ("validation", "create"),
    ),
    ("put", "/v1/validations/{validation}", {"when": "always"}, ("validation", "update")),
    ("delete", "/v1/validations/{validation}", None, ("validation", "delete")),
    ("get", "/v1/klasses/order/{order}/relationships/shipments", None, ("kobject", "read")),
    (
        "post",
        "/v1/klasses/order/{order}/relationships/shipments",
        {"data": [{"type": "shipment", "id": "{shipment}"}]},
        ("kobject", "update"),
    ),
    (
        "patch",
        "/v1/klasses/order/{order}/relationships/shipments",
        {"data": [{"type": "shipment", "id": "{shipment}"}]},
        ("kobject", "update"),
    ),
    (
        "delete",
        "/v1/klasses/order/{order}/relationships/shipments",
        {"data": [{"type": "shipment", "id": "{shipment}"}]},
        ("kobject", "update"),
    ),
    ("put", "/v1/metadata/customer", {"properties": {"tierStr": {}}}, ("metadata", "update")),
    ("put", "/v1/metadata/kobject.order", {"properties": {"aStr": {}}}, ("metadata", "update")),
    ("put", "/v1/klasses/order/externalId=o-1", {"title": "N"}, ("kobject", "update")),
    ("put", "/v1/klasses/order/externalId=o-2", {"title": "N"}, ("kobject", "create")),
    ("put", "/v1/customers/externalId=c-1", {"name": "N"}, ("customer", "update")),
    ("put", "/v1/customers/externalId=c-2", {"name": "N"}, ("customer", "create")),
    (
        "post",
        "/v1/klasses/order/bulk",
        [{"title": "N", "externalId": "o-3"}],
        ("kobject", "create"),
    ),
    (
        "post",
        "/v1/klasses/order/bulk",
        [{"title": "N", "externalId": "o-1"}],
        ("kobject", "update"),
    ),
]


def snapshot(org):
    from customers.models import Customer
    from kdesk.models import Event
    from klasses.models import Klass, KObject, KView, Metadata

    return [
        list(m.objects.filter(org=org).order_by("pk").values())
        for m in (Customer, Klass, KObject, KView, Metadata, Event)
    ]


@pytest.mark.parametrize("method,template,body,needed", CASES)
def test_without_the_scope_it_is_403(world, org, make_key, method, template, body, needed):
    name = scope(*needed)
    _, token = make_key(org, scopes=[s for s in ALL_SCOPES if s != name], name="all but one")
    before = snapshot(org)
    if body is not None:  # ids the world made ("{shipment}") go into bodies too
        body = json.loads(json.dumps(body).replace("{shipment}", str(world["shipment"])))
    response = ApiClient(token).request(method.upper(), template.format(**world), body)
    assert response.status_code == 403, (response.status_code, response.content)
    error = response.json()["errors"][0]
    assert error["status"] == "403"
    # bulk names each item it refuses (`/0`) and the scope it lacks
    assert name in error["detail"] or f"{needed[1]} scope" in error["detail"]
    assert snapshot(org) == before
