"""Bodies sent with `Transfer-Encoding: chunked` (no Content-Length) are read whole, through
real daphne and gunicorn processes; an empty body on a write is a 400, never `{}`."""

import json

import pytest

from tests import rawhttp
from tests.servers import SERVERS, stop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=sorted(SERVERS), scope="module")
def server(request, django_db_setup, django_db_blocker):
    proc, base = SERVERS[request.param](API_MAX_BODY_BYTES="65536")
    yield base
    stop(proc)


@pytest.fixture
def token(org, make_key):
    return make_key(org)[1]


def _auth(token):
    return [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")]


def _split(payload, size):
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return [raw[i : i + size] for i in range(0, len(raw), size)]


def test_it_creates_the_customer_a_chunked_post_describes(server, token):
    payload = {
        "name": "Zoë Chunk",
        "externalId": "chunk-1",
        "emails": [{"type": "work", "email": "zoe@chunk.io"}],
    }
    answer = rawhttp.request(
        server, "POST", "/v1/customers", headers=_auth(token), chunks=_split(payload, 7)
    )
    assert answer.status == 201, answer
    attributes = answer.json()["data"]["attributes"]
    assert attributes["name"] == "Zoë Chunk"
    assert attributes["externalId"] == "chunk-1"
    assert [e["email"] for e in attributes["emails"]] == ["zoe@chunk.io"]


def test_it_applies_a_chunked_put_and_keeps_the_customer(server, token, api):
    created = api.post(
        "/v1/customers",
        {"name": "Old", "externalId": "c-put", "emails": [{"email": "old@x.io"}]},
    ).json()["data"]
    payload = {"name": "New name", "externalId": "c-put", "emails": [{"email": "new@x.io"}]}
    # one byte per chunk: the body is reassembled across every boundary, mid-character too
    answer = rawhttp.request(
        server,
        "PUT",
        f"/v1/customers/{created['id']}",
        headers=_auth(token),
        chunks=_split(payload, 1),
    )
    assert answer.status == 200, answer
    stored = api.get(f"/v1/customers/{created['id']}").json()["data"]["attributes"]
    assert stored["name"] == "New name"
    assert stored["externalId"] == "c-put"
    assert [e["email"] for e in stored["emails"]] == ["new@x.io"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
@pytest.mark.parametrize("framing", ["chunked", "content-length-0"])
def test_it_refuses_an_empty_body_on_a_write(server, token, api, method, framing):
    customer = api.post("/v1/customers", {"name": "Keep me"}).json()["data"]["id"]
    target = "/v1/customers" if method == "POST" else f"/v1/customers/{customer}"
    kwargs = {"chunks": []} if framing == "chunked" else {"body": b""}
    answer = rawhttp.request(server, method, target, headers=_auth(token), **kwargs)
    assert answer.status == 400, answer
    [error] = answer.json()["errors"]
    assert error["source"] == {"pointer": "/"}
    assert error["detail"] == "the request has no JSON body"
    assert api.get(f"/v1/customers/{customer}").json()["data"]["attributes"]["name"] == "Keep me"
    assert api.get("/v1/customers").json()["meta"]["total"] == 1


def test_it_refuses_chunked_json_that_does_not_parse(server, token):
    answer = rawhttp.request(
        server,
        "POST",
        "/v1/customers",
        headers=_auth(token),
        chunks=[b'{"name": ', b'"unfinished'],
    )
    assert answer.status == 400, answer
    assert answer.json()["errors"][0]["code"] == "parse_error"


def test_it_refuses_a_chunked_body_over_the_limit_with_413(server, token, api):
    payload = {"name": "x" * 70_000}
    answer = rawhttp.request(
        server, "POST", "/v1/customers", headers=_auth(token), chunks=_split(payload, 4096)
    )
    assert answer.status == 413, answer
    assert "65,536 bytes" in answer.json()["errors"][0]["detail"]
    assert api.get("/v1/customers").json()["meta"]["total"] == 0
