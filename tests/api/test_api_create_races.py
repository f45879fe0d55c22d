"""Parallel creates of one unique name or external id: one wins, every other request gets the
409 a sequential duplicate gets (or, for an upsert, the row the winner made), never a 500."""

import pytest

from conversations.models import Shortcut, Tag
from customers.models import Customer
from klasses.models import Klass, KObject
from tests.factories import ApiClient
from tests.parallel import needs_real_concurrency, parallel

PARALLEL = 8

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if reason := needs_real_concurrency():
        pytest.skip(reason)


@pytest.fixture
def clients(org, make_key):
    _, token = make_key(org)
    return [ApiClient(token) for _ in range(PARALLEL)]


def _race(clients, method, path, body):
    responses = parallel(
        PARALLEL,
        lambda i: getattr(clients[i], method)(path, body(i) if callable(body) else body),
    )
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    return statuses, responses


def _one_created_rest_conflict(statuses, responses, pointer, created=201):
    assert statuses == [created] + [409] * (PARALLEL - 1), statuses
    for response in responses:
        if response.status_code == 409:
            error = response.json()["errors"][0]
            assert error["status"] == "409" and error["source"]["pointer"] == pointer


def test_parallel_klass_creates_with_one_name(org, clients):
    statuses, responses = _race(clients, "post", "/v1/klasses", {"name": "order"})
    _one_created_rest_conflict(statuses, responses, "/name")
    assert Klass.objects.filter(org=org).count() == 1


def test_parallel_shortcut_creates_with_one_name(org, clients):
    statuses, responses = _race(
        clients, "post", "/v1/shortcuts", {"name": "hello", "payload": "Hi"}
    )
    _one_created_rest_conflict(statuses, responses, "/name")
    assert Shortcut.objects.filter(org=org).count() == 1


def test_parallel_tag_creates_with_one_name_in_any_case(org, clients):
    names = ["vip", "VIP", "Vip", "vIP"]
    statuses, responses = _race(
        clients, "post", "/v1/tags", lambda i: {"name": names[i % len(names)]}
    )
    _one_created_rest_conflict(statuses, responses, "/name")
    assert Tag.objects.filter(org=org).count() == 1


def test_parallel_customer_creates_with_one_email(org, clients):
    body = {"name": "Grace", "emails": [{"email": "grace@example.com"}]}
    statuses, responses = _race(clients, "post", "/v1/customers", body)
    _one_created_rest_conflict(statuses, responses, "/emails/0/email")
    assert Customer.objects.filter(org=org).count() == 1


def test_parallel_customer_creates_with_one_external_id(org, clients):
    statuses, responses = _race(
        clients, "post", "/v1/customers", lambda i: {"name": f"G{i}", "externalId": "gh-1"}
    )
    _one_created_rest_conflict(statuses, responses, "/externalId")
    assert Customer.objects.filter(org=org).count() == 1


def test_parallel_customer_upserts_by_external_id_make_one(org, clients):
    statuses, _ = _race(
        clients, "put", "/v1/customers/externalId=gh-1", lambda i: {"name": f"G{i}"}
    )
    assert statuses == [200] * (PARALLEL - 1) + [201], statuses
    customer = Customer.objects.get(org=org)
    assert customer.rev == PARALLEL


def test_parallel_company_creates_with_one_external_id(org, clients):
    statuses, responses = _race(
        clients, "post", "/v1/companies", lambda i: {"name": f"C{i}", "externalId": "c-1"}
    )
    _one_created_rest_conflict(statuses, responses, "/externalId")


@pytest.fixture
def order(org, api):
    assert api.post("/v1/klasses", {"name": "order"}).status_code == 201
    return Klass.objects.get(org=org, name="order")


def test_parallel_kobject_creates_with_one_external_id(org, clients, order):
    statuses, responses = _race(
        clients, "post", "/v1/klasses/order", lambda i: {"title": f"O{i}", "externalId": "o-1"}
    )
    _one_created_rest_conflict(statuses, responses, "/externalId")
    assert KObject.objects.filter(klass=order).count() == 1


def test_parallel_kobject_upserts_by_external_id_make_one(org, clients, order):
    statuses, _ = _race(
        clients, "put", "/v1/klasses/order/externalId=o-1", lambda i: {"title": f"O{i}"}
    )
    assert statuses == [200] * (PARALLEL - 1) + [201], statuses
    assert KObject.objects.get(klass=order).rev == PARALLEL


def test_parallel_bulk_upserts_of_one_external_id(org, clients, order):
    statuses, responses = _race(
        clients,
        "post",
        "/v1/klasses/order/bulk",
        lambda i: [{"title": f"O{i}", "externalId": "o-1"}],
    )
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["errors"][0]["status"] == "409"
    assert KObject.objects.filter(klass=order).count() == 1
