"""Cursor lists (/v1/events, the timeline) have links.self, first (no cursor), prev (null: a
cursor only walks forward) and next."""

import pytest

pytestmark = pytest.mark.django_db


def test_events_links(api):
    for n in range(3):
        api.post("/v1/tags", {"name": f"t{n}"})
    first = api.get("/v1/events?limit=2&types=tag.*").json()
    assert first["links"]["first"] == "/v1/events?limit=2&types=tag.%2A"
    assert first["links"]["prev"] is None
    second = api.get(first["links"]["next"]).json()
    assert second["links"]["first"] == first["links"]["first"]
    assert second["links"]["prev"] is None
    assert api.get(second["links"]["first"]).json()["data"] == first["data"]


def test_timeline_links(api):
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    for n in range(3):
        api.post(
            f"/v1/customers/{customer}/messages",
            {"direction": "in", "channel": "email", "body": f"m{n}"},
        )
    url = f"/v1/customers/{customer}/timeline"
    first = api.get(url + "?limit=2").json()
    assert first["links"]["first"] == url + "?limit=2"
    assert first["links"]["prev"] is None
    second = api.get(first["links"]["next"]).json()
    assert second["links"]["first"] == url + "?limit=2"
    assert {"self", "first", "prev", "next"} <= set(second["links"])
