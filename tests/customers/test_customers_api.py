import pytest

from customers.models import Company, Customer, Identity
from kdesk.models import Event

pytestmark = pytest.mark.django_db

GRACE = {
    "name": "Grace Hopper",
    "emails": [{"type": "work", "email": "Grace@Example.com"}],
    "phones": [{"type": "mobile", "phone": "(415) 555-2671"}],
    "custom": {"tierStr": "gold"},
}


def create(api, body=GRACE):
    r = api.post("/v1/customers", body)
    assert r.status_code == 201, r.content
    return r.json()["data"]


def test_create_normalises_identities(api):
    data = create(api)
    assert data["type"] == "customer" and data["attributes"]["rev"] == 1
    assert data["attributes"]["emails"] == [{"type": "work", "email": "grace@example.com"}]
    assert data["attributes"]["phones"][0]["phone"] == "+14155552671"
    assert data["links"]["self"] == f"/v1/customers/{data['id']}"
    assert data["relationships"] == {}
    assert set(Identity.objects.values_list("kind", "value")) == {
        ("email", "grace@example.com"),
        ("phone", "+14155552671"),
    }


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers/email=GRACE@example.com",
        "/v1/customers/phone=+1 415 555 2671",
        "/v1/customers/phone=4155552671",
        "/v1/customers/externalId=g-1",
    ],
)
def test_lookups(api, path):
    create(api, {**GRACE, "externalId": "g-1"})
    r = api.get(path)
    assert r.status_code == 200 and r.json()["data"]["attributes"]["name"] == "Grace Hopper"
    assert (
        api.get(
            path.replace("g-1", "nope").replace("GRACE", "nobody").replace("2671", "0000")
        ).status_code
        == 404
    )


def test_every_invalid_field_at_once(api):
    r = api.post(
        "/v1/customers",
        {
            "emails": [{"email": "not-an-email"}],
            "phones": [{"phone": "12"}],
            "timeZone": "Mars/Base",
            "custom": {"tierNum": "x"},
            "company": "999",
            "shoeSize": 9,
        },
    )
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {
        "/emails/0/email",
        "/phones/0/phone",
        "/timeZone",
        "/custom/tierNum",
        "/company",
        "/shoeSize",
    }
    assert not Customer.objects.exists()


def test_duplicate_email_is_a_conflict_and_writes_nothing(api):
    first = create(api)
    r = api.post("/v1/customers", {"name": "Copy", "emails": [{"email": "grace@example.com"}]})
    assert r.status_code == 409
    assert r.json()["errors"][0]["source"]["pointer"] == "/emails/0/email"
    assert first["id"] in r.json()["errors"][0]["detail"]
    assert Customer.objects.count() == 1


def test_update_rev_and_events(api):
    data = create(api)
    path = f"/v1/customers/{data['id']}"
    r = api.patch(path, {"rev": 1, "name": "Admiral Hopper", "custom": {"tierStr": "platinum"}})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["rev"] == 2
    assert api.patch(path, {"rev": 1, "name": "Stale"}).status_code == 409
    assert Customer.objects.get().name == "Admiral Hopper"
    event = Event.objects.filter(type="customer.update").get()
    assert event.changes == {
        "name": {"before": "Grace Hopper", "after": "Admiral Hopper"},
        "custom.tierStr": {"before": "gold", "after": "platinum"},
    }
    assert event.customer_id == int(data["id"])
    put = api.put(path, {"name": "Only name", "emails": None})
    assert put.json()["data"]["attributes"]["emails"] == []
    assert not Identity.objects.filter(kind=Identity.Kind.EMAIL).exists()


def test_upsert_by_external_id(api):
    assert api.put("/v1/customers/externalId=x-1", {"name": "A"}).status_code == 201
    r = api.put("/v1/customers/externalId=x-1", {"name": "B"})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["name"] == "B"
    assert Customer.objects.count() == 1


def test_merge_moves_everything_and_emits_once(api, org):
    target = create(api)
    source = create(
        api,
        {
            "name": "G. Hopper",
            "emails": [{"email": "gh@navy.mil"}],
            "custom": {"tierStr": "silver", "vipBool": True},
        },
    )
    Event.objects.filter(customer_id=int(source["id"])).count()
    r = api.post("/v1/customers/merges", {"source": source["id"], "target": target["id"]})
    assert r.status_code == 200, r.content
    merged = r.json()["data"]["attributes"]
    assert {e["email"] for e in merged["emails"]} == {"grace@example.com", "gh@navy.mil"}
    assert merged["custom"] == {"tierStr": "gold", "vipBool": True}
    assert not Customer.objects.filter(pk=source["id"]).exists()
    assert Event.objects.filter(type="customer.merge").count() == 1
    assert not Event.objects.filter(customer_id=int(source["id"])).exists()
    assert api.get("/v1/customers/email=gh@navy.mil").json()["data"]["id"] == target["id"]


def test_merge_errors(api, other_api):
    a = create(api)
    foreign = create(other_api, {"name": "F"})
    assert (
        api.post("/v1/customers/merges", {"source": foreign["id"], "target": a["id"]}).status_code
        == 404
    )
    assert (
        api.post("/v1/customers/merges", {"source": a["id"], "target": a["id"]}).status_code == 400
    )
    assert api.post("/v1/customers/merges", {}).status_code == 400


def test_cross_org_isolation(api, other_api):
    data = create(api)
    for method, path in [
        ("get", f"/v1/customers/{data['id']}"),
        ("patch", f"/v1/customers/{data['id']}"),
        ("delete", f"/v1/customers/{data['id']}"),
        ("get", "/v1/customers/email=grace@example.com"),
    ]:
        assert getattr(other_api, method)(path).status_code == 404
    assert other_api.get("/v1/customers").json()["meta"]["total"] == 0
    company = api.post("/v1/companies", {"name": "Navy"}).json()["data"]
    r = other_api.post("/v1/customers", {"name": "X", "company": company["id"]})
    # Another org's id in the body is a 404 (a 400 only when other fields are invalid too).
    assert r.status_code == 404 and r.json()["errors"][0]["source"]["pointer"] == "/company"


def test_list_pagination_filters_and_fixed_queries(api, org, django_assert_num_queries):
    for i in range(3):
        create(api, {"name": f"C{i}", "emails": [{"email": f"c{i}@x.io"}]})
    with django_assert_num_queries(2):
        first = api.get("/v1/customers?pageSize=2").json()
    assert first["meta"] == {"page": 1, "pageSize": 2, "total": 3, "totalPages": 2}
    assert first["links"]["next"].endswith("page=2&pageSize=2")
    assert api.get(first["links"]["next"]).json()["links"]["next"] is None
    for i in range(30):
        create(api, {"name": f"D{i}"})
    with django_assert_num_queries(2):
        api.get("/v1/customers?pageSize=50")
    assert api.get("/v1/customers?email=c1@x.io").json()["meta"]["total"] == 1
    assert api.get("/v1/customers?pageSize=500").json()["meta"]["pageSize"] == 100
    r = api.get("/v1/customers?updatedSince=yesterday")
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/updatedSince"


def test_trailing_slash(api):
    create(api)
    assert api.get("/v1/customers").json() == api.get("/v1/customers/").json()
    assert api.post("/v1/customers/", {"name": "Slash"}).status_code == 201


def test_companies(api):
    r = api.post("/v1/companies", {"name": "Navy", "domains": ["navy.mil"], "externalId": "n"})
    assert r.status_code == 201
    cid = r.json()["data"]["id"]
    assert api.post("/v1/companies", {"name": "Dup", "externalId": "n"}).status_code == 409
    assert api.patch(f"/v1/companies/{cid}", {"name": "US Navy", "rev": 1}).status_code == 200
    assert api.patch(f"/v1/companies/{cid}", {"name": "Stale", "rev": 1}).status_code == 409
    c = create(api, {"name": "Sailor", "company": cid})
    assert c["relationships"]["company"]["data"]["id"] == cid
    assert api.delete(f"/v1/companies/{cid}").status_code == 204
    assert Company.objects.count() == 0
    assert Customer.objects.get().company_id is None


def test_scopes(org, make_key):
    from tests.factories import ApiClient

    _, token = make_key(org, scopes=["org.permission.customer.read"])
    client = ApiClient(token)
    assert client.get("/v1/customers").status_code == 200
    assert client.post("/v1/customers", GRACE).status_code == 403
    assert client.get("/v1/companies").status_code == 403


def test_a_name_is_measured_as_sent_spaces_included(api):
    """maxLength in the document counts what is sent: 255 letters after a space are 256."""
    r = api.post("/v1/customers", {"name": "\u00a0" + "a" * 255})
    assert r.status_code == 400
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/name"]
    r = api.post("/v1/customers", {"name": " " + "a" * 254})
    assert r.status_code == 201 and r.json()["data"]["attributes"]["name"] == "a" * 254
