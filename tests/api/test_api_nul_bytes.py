"""A NUL character (`\\u0000`) anywhere in an API body, query string or path is a 400 naming
where it is (`source.pointer`), and nothing is written: PostgreSQL cannot store NUL, and before
this the refusal came from the database as "a value is out of range", with no field."""

import pytest

from conversations.models import Note
from customers.models import Customer
from kdesk.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(api):
    api.post("/v1/klasses", {"name": "order"})
    api.put(
        "/v1/metadata/customer",
        {"properties": {"tierStr": {"displayName": "Tier"}, "notesTxt": {}}},
    )


@pytest.fixture
def customer(api, order):
    return api.post("/v1/customers", {"name": "Grace"}).json()["data"]["id"]


@pytest.fixture
def conversation(api, customer):
    body = {"direction": "in", "channel": "email", "body": "Hello"}
    api.post(f"/v1/customers/{customer}/messages", body)
    return api.get(f"/v1/customers/{customer}/conversations").json()["data"][0]["id"]


def pointers(response):
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all(e["code"] == "nul_character" for e in errors), errors
    assert all("NUL character" in e["detail"] for e in errors)
    return [e["source"]["pointer"] for e in errors]


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"name": "Gr\x00ace"}, ["/name"]),
        ({"name": "x", "externalId": "\x00"}, ["/externalId"]),
        ({"name": "x", "emails": [{"type": "home", "email": "a\x00@x.com"}]}, ["/emails/0/email"]),
        ({"name": "x", "phones": [{"type": "home", "phone": "\x00"}]}, ["/phones/0/phone"]),
        ({"name": "x", "custom": {"tierStr": "go\x00ld"}}, ["/custom/tierStr"]),
        ({"name": "x", "custom": {"notesTxt": "\x00"}}, ["/custom/notesTxt"]),
        ({"name": "x", "tags": ["vip", "\x00"]}, ["/tags/1"]),
        ({"name": "x", "custom": {"odd\x00Str": "y"}}, ["/custom"]),
        ({"name": "x", "custom": {"a/b~Str": "\x00"}}, ["/custom/a~1b~0Str"]),
        (  # every field that holds one, in document order
            {"name": "\x00", "emails": [{"email": "\x00"}], "custom": {"tierStr": "\x00"}},
            ["/name", "/emails/0/email", "/custom/tierStr"],
        ),
    ],
)
def test_customer_bodies_name_every_field_with_nul(api, order, body, expected):
    count = Customer.objects.count()
    assert pointers(api.post("/v1/customers", body)) == expected
    assert Customer.objects.count() == count


def test_updates_with_nul_change_nothing(api, customer):
    events = Event.objects.count()
    for method in ("put", "patch"):
        response = getattr(api, method)(f"/v1/customers/{customer}", {"name": "x\x00"})
        assert pointers(response) == ["/name"]
    assert Customer.objects.get(pk=customer).name == "Grace"
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    "path,body,expected",
    [
        ("/v1/shortcuts", {"name": "t\x00", "payload": "x"}, ["/name"]),
        ("/v1/shortcuts", {"name": "t", "payload": "\x00"}, ["/payload"]),
        ("/v1/tags", {"name": "\x00"}, ["/name"]),
        ("/v1/klasses", {"name": "ord\x00er"}, ["/name"]),
        ("/v1/klasses/order", {"title": "\x00"}, ["/title"]),
        ("/v1/kviews", {"name": "v", "template": "\x00"}, ["/template"]),
        (
            "/v1/customers/search",
            {"queryContext": "customer", "and": [{"customer_name": {"equals": "\x00"}}]},
            ["/and/0/customer_name/equals"],
        ),
    ],
)
def test_other_resources_name_the_field(api, order, path, body, expected):
    assert pointers(api.post(path, body)) == expected


def test_notes_and_messages_with_nul_are_refused(api, customer, conversation):
    notes, events = Note.objects.count(), Event.objects.count()
    response = api.post(f"/v1/conversations/{conversation}/notes", {"body": "hi\x00"})
    assert pointers(response) == ["/body"]
    body = {"direction": "in", "channel": "email", "body": "x", "subject": "\x00"}
    assert pointers(api.post(f"/v1/customers/{customer}/messages", body)) == ["/subject"]
    response = api.patch(f"/v1/conversations/{conversation}", {"name": "\x00"})
    assert pointers(response) == ["/name"]
    assert (Note.objects.count(), Event.objects.count()) == (notes, events)


def test_a_body_that_is_only_a_nul_string_is_refused(api):
    assert pointers(api.post("/v1/customers", raw='"\\u0000"')) == [""]


def test_an_escaped_backslash_before_u0000_is_ordinary_text(api):
    response = api.post("/v1/customers", raw='{"name": "C:\\\\u0000"}')
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["name"] == "C:\\u0000"


@pytest.mark.parametrize(
    "path,expected",
    [
        ("/v1/customers?name=a%00b", ["/name"]),
        ("/v1/customers?page=1&sort=%00&pageSize=%00", ["/sort", "/pageSize"]),
        ("/v1/events?after=%00", ["/after"]),
        ("/v1/customers?a%00b=1", ["/a\\u0000b"]),
    ],
)
def test_query_parameters_with_nul_are_named(api, path, expected):
    assert pointers(api.get(path)) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/v1/customers/email=a%00b@example.com",
        "/v1/customers/externalId=cus%00",
        "/v1/customers/phone=%00",
        "/v1/klasses/ord%00er",
    ],
)
def test_a_nul_in_the_path_is_a_400(api, path):
    response = api.get(path)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["code"] == "nul_character" and "address" in error["detail"]


def test_an_idempotency_key_with_nul_is_named(api):
    count = Customer.objects.count()
    response = api.post("/v1/customers", {"name": "x"}, headers={"Idempotency-Key": "k\x00"})
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert error["source"] == {"pointer": "/Idempotency-Key"} and "NUL" in error["detail"]
    assert Customer.objects.count() == count
