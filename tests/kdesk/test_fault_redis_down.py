"""Fault suite: REDIS_URL points at a port where nothing listens. The API keeps serving (keys
from the database, rate limits per process), writes succeed (their live pushes are lost until
Redis returns), /healthz is 200 and /readyz reports Redis down; through real daphne and
gunicorn processes."""

import json
import urllib.request

import httpx
import pytest

from tests.servers import SERVERS, free_port, stop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=sorted(SERVERS), scope="module")
def server(request, django_db_setup, django_db_blocker):
    proc, base = SERVERS[request.param](
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", API_RATE_LIMIT_PER_MINUTE="5"
    )
    yield base
    stop(proc)


def test_the_api_keeps_serving_reads_and_writes(server, org, make_key):
    _, token = make_key(org)
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as http:
        created = http.post("/v1/customers", json={"name": "Ada", "externalId": "ada"})
        assert created.status_code == 201, created.text
        customer = created.json()["data"]["id"]
        read = http.get(f"/v1/customers/{customer}")
        assert read.status_code == 200, read.text
        assert read.json()["data"]["attributes"]["name"] == "Ada"
        assert read.headers["x-ratelimit-limit"] == "5"
        assert http.get("/v1/events").status_code == 200


def test_rate_limits_still_apply_per_process(server, org, make_key):
    _, token = make_key(org)
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as http:
        statuses = [http.get("/v1/users/current").status_code for _ in range(7)]
    # one process (daphne; gunicorn runs one worker here): the 6th and 7th are over the limit
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]


def test_a_revoked_key_stops_at_once_while_redis_is_down(server, org, make_key):
    from kdesk.services import api_key_revoke

    key, token = make_key(org)
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"}) as http:
        assert http.get("/v1/users/current").status_code == 200
        api_key_revoke(org=org, key=key)
        refused = http.get("/v1/users/current")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["errors"][0]["detail"]


def test_healthz_is_live_and_readyz_reports_redis_down(server):
    assert urllib.request.urlopen(server + "/healthz", timeout=10).status == 200
    answer = urllib.request.urlopen(server + "/readyz", timeout=10)
    assert answer.status == 200
    report = json.loads(answer.read())
    assert report["status"] == "degraded"
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["redis"]["status"] == "down"
    assert report["checks"]["redis"]["detail"]
