"""The `/v1/customers` and `/v1/companies` contract: shapes, scopes, isolation, pagination,
filters, slashes, errors."""

import re

import pytest

from customers.models import Customer
from kdesk.models import Event
from tests.customers.factories import CompanyFactory, CustomerFactory
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def call(client, method, path, body):
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, body)


def pointers(response):
    return {e["source"]["pointer"] for e in response.json()["errors"] if "source" in e}


def test_customer_shape(api, org):
    company = CompanyFactory(org=org)
    body = ok(
        api.post(
            "/v1/customers",
            {
                "name": "Ada",
                "emails": [{"type": "work", "email": "ADA@x.io"}],
                "company": str(company.pk),
                "custom": {"tierStr": "gold"},
            },
        ),
        201,
    )
    data = body["data"]
    assert set(data) == {"type", "id", "attributes", "relationships", "links"}
    assert data["type"] == "customer" and isinstance(data["id"], str)
    attrs = data["attributes"]
    assert set(attrs) == {
        "name", "externalId", "emails", "phones", "socials", "urls", "locations", "tags",
        "locale", "timeZone", "custom", "rev", "createdAt", "updatedAt", "lastActivityAt",
    }  # fmt: skip
    assert attrs["emails"] == [{"type": "work", "email": "ada@x.io"}]
    assert ISO.match(attrs["createdAt"]) and ISO.match(attrs["updatedAt"])
    assert attrs["lastActivityAt"] is None and attrs["rev"] == 1
    assert data["relationships"] == {
        "company": {"data": {"type": "company", "id": str(company.pk)}}
    }
    assert data["links"] == {"self": f"/v1/customers/{data['id']}"}
    assert ok(api.get(data["links"]["self"]))["data"] == data


def test_company_shape(api):
    data = ok(api.post("/v1/companies", {"name": "Navy", "domains": ["navy.mil"]}), 201)["data"]
    assert data["type"] == "company" and data["relationships"] == {}
    assert set(data["attributes"]) == {
        "name", "externalId", "domains", "tags", "custom", "rev", "createdAt", "updatedAt",
    }  # fmt: skip
    assert data["links"]["self"] == f"/v1/companies/{data['id']}"
    assert ok(api.get(data["links"]["self"]))["data"] == data


def test_every_method(api, org):
    cid = ok(api.post("/v1/customers", {"name": "A"}), 201)["data"]["id"]
    path = f"/v1/customers/{cid}"
    assert ok(api.patch(path, {"tags": ["t"]}))["data"]["attributes"]["tags"] == ["t"]
    put = ok(api.put(path, {"name": "B", "rev": 2}))["data"]["attributes"]
    assert (put["name"], put["tags"], put["rev"]) == ("B", ["t"], 3)
    assert api.delete(path + "?rev=3").status_code == 204
    assert api.get(path).status_code == 404
    co = ok(api.post("/v1/companies", {"name": "N"}), 201)["data"]["id"]
    cpath = f"/v1/companies/{co}"
    assert ok(api.put(cpath, {"name": "M"}))["data"]["attributes"]["name"] == "M"
    assert ok(api.patch(cpath, {"tags": ["x"]}))["data"]["attributes"]["tags"] == ["x"]
    assert api.delete(cpath).status_code == 204
    assert api.get(cpath).status_code == 404


def test_lookups(api, org):
    c = CustomerFactory(
        org=org,
        emails=[{"type": "work", "email": "grace@x.io"}],
        phones=[{"type": "mobile", "phone": "+14155552671"}],
        external_id="g/1",
    )
    for path in [
        "/v1/customers/email=GRACE@x.io",
        "/v1/customers/email=grace%40x.io/",
        "/v1/customers/phone=%2B1%20415%20555%202671",
        "/v1/customers/phone=(415)555-2671",
        "/v1/customers/externalId=g%2F1",
    ]:
        assert ok(api.get(path))["data"]["id"] == str(c.pk), path
    for path in [
        "/v1/customers/email=nobody@x.io",
        "/v1/customers/phone=garbage",
        "/v1/customers/externalId=nope",
    ]:
        r = api.get(path)
        assert r.status_code == 404 and r.json()["errors"][0]["code"] == "not_found"


def test_upsert_by_external_id(api):
    r = api.put("/v1/customers/externalId=x-1", {"name": "A"})
    assert r.status_code == 201 and r.json()["data"]["attributes"]["externalId"] == "x-1"
    r = api.put("/v1/customers/externalId=x-1/", {"name": "B"})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["rev"] == 2
    r = api.put("/v1/customers/externalId=x-1", {"externalId": "other"})
    assert r.status_code == 400 and pointers(r) == {"/externalId"}


def test_scopes(org, make_key):
    c = CustomerFactory(org=org)
    co = CompanyFactory(org=org)
    _, token = make_key(org, scopes=["org.permission.customer.read"])
    reader = ApiClient(token)
    assert reader.get("/v1/customers").status_code == 200
    assert reader.get(f"/v1/customers/{c.pk}").status_code == 200
    for method, path in [
        ("post", "/v1/customers"),
        ("put", f"/v1/customers/{c.pk}"),
        ("patch", f"/v1/customers/{c.pk}"),
        ("delete", f"/v1/customers/{c.pk}"),
        ("put", "/v1/customers/externalId=x"),
        ("post", "/v1/customers/merges"),
        ("get", "/v1/companies"),
        ("get", f"/v1/companies/{co.pk}"),
        ("post", "/v1/companies"),
    ]:
        r = call(reader, method, path, {"name": "x"})
        assert r.status_code == 403, (method, path)
        assert r.json()["errors"][0]["status"] == "403"
    _, token = make_key(org, scopes=["org.permission.company.read"])
    assert ApiClient(token).get("/v1/customers").status_code == 403
    assert ApiClient("kdk_wrong").get("/v1/customers").status_code == 401


def test_another_orgs_ids_are_not_found_in_path_and_body(api, other_org, org):
    foreign = CustomerFactory(org=other_org, external_id="f-1")
    foreign_co = CompanyFactory(org=other_org)
    mine = CustomerFactory(org=org)
    for method, path in [
        ("get", f"/v1/customers/{foreign.pk}"),
        ("put", f"/v1/customers/{foreign.pk}"),
        ("patch", f"/v1/customers/{foreign.pk}"),
        ("delete", f"/v1/customers/{foreign.pk}"),
        ("get", f"/v1/customers/email={foreign.emails[0]['email']}"),
        ("get", "/v1/customers/externalId=f-1"),
        ("get", f"/v1/companies/{foreign_co.pk}"),
        ("put", f"/v1/companies/{foreign_co.pk}"),
        ("patch", f"/v1/companies/{foreign_co.pk}"),
        ("delete", f"/v1/companies/{foreign_co.pk}"),
    ]:
        r = call(api, method, path, {"name": "x"})
        assert r.status_code == 404, (method, path)
    r = api.post("/v1/customers", {"name": "X", "company": str(foreign_co.pk)})
    assert r.status_code == 404 and pointers(r) == {"/company"}
    r = api.patch(f"/v1/customers/{mine.pk}", {"company": foreign_co.pk})
    assert r.status_code == 404 and pointers(r) == {"/company"}
    r = api.post("/v1/customers/merges", {"source": str(foreign.pk), "target": str(mine.pk)})
    assert r.status_code == 404 and pointers(r) == {"/source"}
    r = api.post("/v1/customers/merges", {"source": str(mine.pk), "target": str(foreign.pk)})
    assert r.status_code == 404 and pointers(r) == {"/target"}
    assert ok(api.get("/v1/customers"))["meta"]["total"] == 1
    assert ok(api.get("/v1/companies"))["meta"]["total"] == 0
    foreign.refresh_from_db()
    foreign_co.refresh_from_db()
    assert foreign.rev == 1 and foreign_co.rev == 1 and mine.company_id is None
    # The same external id in another org is free.
    assert api.put("/v1/customers/externalId=f-1", {"name": "Mine"}).status_code == 201


def test_merge_endpoint(api, org):
    a = ok(api.post("/v1/customers", {"name": "A", "emails": [{"email": "a@x.io"}]}), 201)
    b = ok(api.post("/v1/customers", {"name": "B", "emails": [{"email": "b@x.io"}]}), 201)
    body = {"source": b["data"]["id"], "target": int(a["data"]["id"])}
    data = ok(api.post("/v1/customers/merges", body))["data"]
    assert data["id"] == a["data"]["id"] and data["attributes"]["rev"] == 2
    assert {e["email"] for e in data["attributes"]["emails"]} == {"a@x.io", "b@x.io"}
    assert api.get(f"/v1/customers/{b['data']['id']}").status_code == 404
    assert Event.objects.filter(type="customer.merge").count() == 1
    r = api.post("/v1/customers/merges", {"source": "1", "target": "1", "extra": True})
    assert r.status_code == 400 and pointers(r) == {"/extra"}
    r = api.post("/v1/customers/merges", {})
    assert r.status_code == 400 and pointers(r) == {"/source", "/target"}


def test_pagination_links(api, org):
    for i in range(5):
        CustomerFactory(org=org, name=f"C{i}")
    first = ok(api.get("/v1/customers?pageSize=2"))
    assert first["meta"] == {"page": 1, "pageSize": 2, "total": 5, "totalPages": 3}
    assert first["links"]["prev"] is None
    assert first["links"]["first"] == "/v1/customers?page=1&pageSize=2"
    second = ok(api.get(first["links"]["next"]))
    assert second["links"]["prev"] == "/v1/customers?page=1&pageSize=2"
    last = ok(api.get(second["links"]["next"]))
    assert last["links"]["next"] is None and len(last["data"]) == 1
    names = [r["attributes"]["name"] for p in (first, second, last) for r in p["data"]]
    assert names == [f"C{i}" for i in range(5)]
    assert ok(api.get("/v1/customers?pageSize=1000"))["meta"]["pageSize"] == 100
    r = api.get("/v1/customers?page=0")
    assert r.status_code == 400 and pointers(r) == {"/page"}


def test_filters_and_sorting(api, org):
    navy = CompanyFactory(org=org)
    a = CustomerFactory(org=org, name="b-first", external_id="e-a", company=navy)
    b = CustomerFactory(org=org, name="a-second", emails=[{"type": "w", "email": "find@x.io"}])
    Customer.objects.filter(pk=a.pk).update(updated_at="2020-01-01T00:00:00Z")
    Customer.objects.filter(pk=b.pk).update(updated_at="2024-01-01T00:00:00Z")

    def ids(query):
        return [r["id"] for r in ok(api.get("/v1/customers" + query))["data"]]

    assert ids("?externalId=e-a") == [str(a.pk)]
    assert ids("?email=FIND@x.io") == [str(b.pk)]
    assert ids(f"?company={navy.pk}") == [str(a.pk)]
    assert ids("?updatedAfter=2024-01-01T00:00:00Z") == []
    assert ids("?updatedSince=2024-01-01T00:00:00Z") == [str(b.pk)]
    assert ids("?updatedSince=2019-06-01T00:00:00Z&sort=-updatedAt") == [str(b.pk), str(a.pk)]
    assert ids("?sort=updatedAt") == [str(a.pk), str(b.pk)]
    assert ids("?sort=name") == [str(b.pk), str(a.pk)]
    assert ids("?sort=createdAt") == [str(a.pk), str(b.pk)]
    assert ids("?sort=-createdAt") == [str(b.pk), str(a.pk)]
    r = api.get("/v1/customers?sort=shoeSize&updatedSince=yesterday&company=x")
    assert r.status_code == 400 and pointers(r) == {"/sort", "/updatedSince", "/company"}
    assert [r["id"] for r in ok(api.get("/v1/companies?sort=-createdAt"))["data"]] == [str(navy.pk)]


def test_trailing_slash_and_none_answer_the_same(api, org):
    c = CustomerFactory(org=org, external_id="s-1")
    co = CompanyFactory(org=org)
    for path in [
        "/v1/customers",
        f"/v1/customers/{c.pk}",
        f"/v1/customers/email={c.emails[0]['email']}",
        "/v1/customers/externalId=s-1",
        "/v1/companies",
        f"/v1/companies/{co.pk}",
    ]:
        plain, slash = api.get(path), api.get(path + "/")
        assert plain.status_code == slash.status_code == 200, path
        assert plain.json() == slash.json(), path
    assert api.post("/v1/customers/", {"name": "Slash"}).status_code == 201
    assert api.post("/v1/companies/", {"name": "Slash"}).status_code == 201
    assert api.patch(f"/v1/customers/{c.pk}/", {"name": "S"}).status_code == 200


def test_search_route_is_left_free(api):
    # POST /v1/customers/search belongs to the search app: our <int:pk> route must not take it.
    r = api.get("/v1/customers/search")
    assert r.status_code in (404, 405)
    if r.status_code == 404:
        assert "customer with id" not in r.content.decode()


def test_stale_rev_is_409_and_changes_nothing(api, org):
    c = CustomerFactory(org=org, name="A")
    path = f"/v1/customers/{c.pk}"
    assert ok(api.patch(path, {"name": "B", "rev": 1}))["data"]["attributes"]["rev"] == 2
    for r in [
        api.patch(path, {"name": "C", "rev": 1}),
        api.put(path, {"name": "C", "rev": 1}),
        api.patch(path + "?rev=1", {"name": "C"}),
        api.delete(path + "?rev=1"),
    ]:
        assert r.status_code == 409 and r.json()["errors"][0]["status"] == "409"
    c.refresh_from_db()
    assert (c.name, c.rev) == ("B", 2)
    co = CompanyFactory(org=org)
    r = api.put(f"/v1/companies/{co.pk}", {"name": "X", "rev": 7})
    assert r.status_code == 409


def test_errors_name_every_field(api, org):
    r = api.post(
        "/v1/customers",
        {"name": "A", "shoeSize": 9, "emails": [{"email": "bad"}], "timeZone": "Nowhere/X"},
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert pointers(r) == {"/shoeSize", "/emails/0/email", "/timeZone"}
    unknown = next(e for e in errors if e["source"]["pointer"] == "/shoeSize")
    assert "shoeSize" in unknown["detail"] and unknown["status"] == "400"
    r = api.post("/v1/companies", {"name": "A", "bogus": 1})
    assert r.status_code == 400 and pointers(r) == {"/bogus"}
    assert not Customer.objects.exists()


def test_duplicate_identity_is_409_with_pointer(api, org):
    c = CustomerFactory(org=org, emails=[{"type": "w", "email": "taken@x.io"}])
    r = api.post("/v1/customers", {"emails": [{"email": "new@x.io"}, {"email": "TAKEN@x.io"}]})
    assert r.status_code == 409 and pointers(r) == {"/emails/1/email"}
    assert f"already belongs to customer {c.pk}" in r.json()["errors"][0]["detail"]


@pytest.mark.parametrize("raw", ['{"name": ', "[1, 2]", '"just a string"'])
def test_malformed_bodies_are_400(api, raw):
    r = api.post("/v1/customers", raw=raw)
    assert r.status_code == 400 and r.json()["errors"]
    assert not Customer.objects.exists()


def test_wrong_content_type_is_415(api):
    r = api.post("/v1/customers", raw="name=A", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
