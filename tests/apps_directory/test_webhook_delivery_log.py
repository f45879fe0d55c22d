"""The delivery log in the API, replay of one delivery and of failed ones in a time range."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps_directory.webhooks.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_log_shows_request_and_response(
    api, hook_on, receiver, fast_retries, django_capture_on_commit_callbacks
):
    hook_id, _ = hook_on()
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    r = api.get(f"/v1/outbound-webhooks/{hook_id}/deliveries")
    assert r.status_code == 200
    (item,) = r.json()["data"]
    attrs = item["attributes"]
    assert attrs["event"] == "kustomer.customer.create" and attrs["status"] == "succeeded"
    assert attrs["attempt"] == 2 and attrs["response"]["status"] == 200
    assert "webhook-signature" in attrs["request"]["headers"]
    assert '"name":"kustomer.customer.create"' in attrs["request"]["body"]
    assert attrs["durationMs"] is not None
    one = api.get(f"/v1/outbound-webhooks/{hook_id}/deliveries/{item['id']}").json()["data"]
    assert one["id"] == item["id"]
    assert api.get(f"/v1/outbound-webhooks/{hook_id}/deliveries?status=bogus").status_code == 400
    assert api.get(f"/v1/outbound-webhooks/{hook_id}/deliveries?status=failed").json()["data"] == []


def test_a_failed_response_is_kept_to_2_kb(
    api, hook_on, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    hook_id, _ = hook_on()
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    attrs = api.get(f"/v1/outbound-webhooks/{hook_id}/deliveries").json()["data"][0]["attributes"]
    assert attrs["response"]["status"] == 500
    assert len(attrs["response"]["body"]) == 2048 and attrs["nextAttemptAt"]


def test_replay_one(api, hook_on, receiver, django_capture_on_commit_callbacks):
    hook_id, _ = hook_on()
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/v1/outbound-webhooks/{hook_id}/deliveries/{delivery.pk}/replay")
    assert r.status_code == 202
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert receiver.requests[1]["headers"]["webhook-id"] == delivery.message_id
    assert api.post(f"/v1/outbound-webhooks/{hook_id}/deliveries/999999/replay").status_code == 404


def test_replay_failed_in_a_range(
    api, hook_on, receiver, fast_retries, django_capture_on_commit_callbacks
):
    hook_id, _ = hook_on()
    receiver.answers = [410]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})  # fails, turns the webhook off
    assert Delivery.objects.get().status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        api.put(f"/v1/outbound-webhooks/{hook_id}", {"enabled": True})
    # re-enabling sent the stopped delivery again already; fail it once more by hand
    Delivery.objects.update(status="failed")
    now = timezone.now()
    window = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
        "status": "failed",
    }
    before = len(receiver.requests)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/v1/outbound-webhooks/{hook_id}/replay", window)
    assert r.status_code == 202 and r.json()["data"]["attributes"]["replayed"] == 1
    assert len(receiver.requests) == before + 1
    empty = {**window, "to": (now - timedelta(minutes=30)).isoformat()}
    assert (
        api.post(f"/v1/outbound-webhooks/{hook_id}/replay", empty).json()["data"]["attributes"][
            "replayed"
        ]
        == 0
    )


def test_replay_range_bad_input(api, hook_on):
    hook_id, _ = hook_on()
    r = api.post(
        f"/v1/outbound-webhooks/{hook_id}/replay",
        {"from": "yesterday", "status": "pending", "extra": 1},
    )
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/from", "/to", "/status", "/extra"}
