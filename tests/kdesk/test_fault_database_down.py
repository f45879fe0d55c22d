"""Fault suite: the database unreachable. The API answers 503 in the error shape with
Retry-After (never a 500), /healthz and /readyz say so, and desk pages get a 503 too; through
real daphne and gunicorn processes."""

import json
import urllib.error
import urllib.request

import pytest

from tests import rawhttp
from tests.servers import SERVERS, free_port, stop

DEAD_DATABASES = {
    # a PostgreSQL that refuses connections (nothing listens on the port)
    "postgresql": lambda: f"postgres://postgres@127.0.0.1:{free_port()}/kdesk",
    # an SQLite file that cannot be opened
    "sqlite": lambda: "sqlite:////nonexistent-kdesk-dir/db.sqlite3",
}


@pytest.fixture(
    params=[(s, d) for s in sorted(SERVERS) for d in sorted(DEAD_DATABASES)],
    ids=lambda p: f"{p[0]}-{p[1]}",
    scope="module",
)
def server(request):
    server_name, database = request.param
    proc, base = SERVERS[server_name](
        answer_is_enough=True,
        DATABASE_URL=DEAD_DATABASES[database](),
        DATABASE_POOL_TIMEOUT="1",
        DATABASE_CONNECT_TIMEOUT="1",
    )
    yield base
    stop(proc)


BEARER = [("Authorization", "Bearer kdk_" + "a" * 40), ("Content-Type", "application/json")]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/customers", None),
        ("GET", "/v1/customers/1", None),
        ("POST", "/v1/customers", b'{"name": "Ada"}'),
        ("PUT", "/v1/customers/1", b'{"name": "Ada"}'),
        ("DELETE", "/v1/customers/1", None),
        ("GET", "/v1/events?after=0", None),
    ],
)
def test_the_api_answers_503_with_retry_after(server, method, path, body):
    answer = rawhttp.request(server, method, path, headers=BEARER, body=body)
    assert answer is not None
    assert answer.status == 503, answer
    assert int(answer.headers["retry-after"]) > 0
    [error] = answer.json()["errors"]
    assert error["code"] == "database_unavailable"
    assert error["status"] == "503"


def test_a_signed_in_page_answers_503_not_500(server):
    answer = rawhttp.request(
        server, "GET", "/inbox/", headers=[("Cookie", "sessionid=" + "a" * 32)]
    )
    assert answer.status == 503, answer
    assert "retry-after" in answer.headers


def test_healthz_and_readyz_say_the_database_is_down(server):
    for path in ("/healthz", "/readyz"):
        with pytest.raises(urllib.error.HTTPError) as failure:
            urllib.request.urlopen(server + path, timeout=10)
        assert failure.value.code == 503
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(server + "/readyz", timeout=10)
    report = json.loads(failure.value.read())
    assert report["status"] == "unavailable"
    assert report["checks"]["database"]["status"] == "down"
