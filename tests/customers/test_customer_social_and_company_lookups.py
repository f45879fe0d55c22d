"""`GET /v1/customers/social={type}:{userid}` and `GET /v1/companies/{id}/customers`: scoped to
the org, scope-checked, both slash forms, documented in /v1/schema."""

import json

import pytest

from tests.factories import ApiClient

pytestmark = pytest.mark.django_db


def scoped(make_key, org, *scopes):
    _, token = make_key(org, scopes=[f"org.permission.{s}" for s in scopes])
    return ApiClient(token)


@pytest.fixture
def ada(api):
    r = api.post(
        "/v1/customers",
        {
            "name": "Ada",
            "socials": [
                {"type": "twitter", "userid": "12345"},
                {"type": "instagram", "username": "ada_l"},
            ],
        },
    )
    assert r.status_code == 201, r.json()
    return r.json()["data"]


def test_social_lookup_round_trip(api, ada, other_api):
    for path in ("/v1/customers/social=twitter:12345", "/v1/customers/social=Twitter:12345/"):
        r = api.get(path)
        assert r.status_code == 200, r.json()
        assert r.json()["data"]["id"] == ada["id"]
    assert api.get("/v1/customers/social=instagram:@ada_l").json()["data"]["id"] == ada["id"]
    missing = api.get("/v1/customers/social=twitter:999")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    bad = api.get("/v1/customers/social=twitter")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/social"
    assert other_api.get("/v1/customers/social=twitter:12345").status_code == 404


def test_social_lookup_needs_customer_read(make_key, org, ada):
    assert (
        scoped(make_key, org, "company.read").get("/v1/customers/social=twitter:12345").status_code
        == 403
    )
    assert (
        scoped(make_key, org, "customer.read").get("/v1/customers/social=twitter:12345").status_code
        == 200
    )
    assert ApiClient("kdk_nope").get("/v1/customers/social=twitter:12345").status_code == 401


@pytest.fixture
def acme(api):
    company = api.post("/v1/companies", {"name": "Acme"}).json()["data"]
    ids = []
    for i in range(3):
        r = api.post("/v1/customers", {"name": f"C{i}", "company": company["id"]})
        assert r.status_code == 201, r.json()
        ids.append(r.json()["data"]["id"])
    api.post("/v1/customers", {"name": "Elsewhere"})
    return company, ids


def test_company_customers_are_paginated(api, acme):
    company, ids = acme
    r = api.get(f"/v1/companies/{company['id']}/customers?pageSize=2")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert [c["id"] for c in body["data"]] == ids[:2]
    assert body["meta"]["total"] == 3 and body["links"]["next"]
    second = api.get(f"/v1/companies/{company['id']}/customers/?pageSize=2&page=2").json()
    assert [c["id"] for c in second["data"]] == ids[2:] and second["links"]["next"] is None
    newest = api.get(f"/v1/companies/{company['id']}/customers?sort=-createdAt").json()
    assert [c["id"] for c in newest["data"]] == ids[::-1]
    bad = api.get(f"/v1/companies/{company['id']}/customers?sort=shoeSize")
    assert bad.status_code == 400 and bad.json()["errors"][0]["source"]["pointer"] == "/sort"


def test_company_customers_are_scoped(api, acme, other_api, make_key, org):
    company, _ = acme
    assert other_api.get(f"/v1/companies/{company['id']}/customers").status_code == 404
    assert api.get("/v1/companies/999999/customers").status_code == 404
    path = f"/v1/companies/{company['id']}/customers"
    assert scoped(make_key, org, "customer.read").get(path).status_code == 403
    assert scoped(make_key, org, "company.read").get(path).status_code == 403
    assert scoped(make_key, org, "company.read", "customer.read").get(path).status_code == 200


def test_both_lookups_are_in_the_schema(api):
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    assert "get" in doc["paths"]["/v1/customers/social={social}"]
    assert "get" in doc["paths"]["/v1/companies/{id}/customers"]
