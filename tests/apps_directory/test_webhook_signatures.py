"""A delivery to a real loopback receiver verifies byte for byte with the unmodified
standardwebhooks library and with a hand-computed Kustomer HMAC."""

import base64
import hashlib
import hmac
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

pytestmark = pytest.mark.django_db


def test_it_signs_both_ways(api, hook_on, receiver, django_capture_on_commit_callbacks):
    hook_id, token = hook_on()
    assert token.startswith("whsec_") and len(base64.b64decode(token[6:])) >= 24
    with django_capture_on_commit_callbacks(execute=True):
        customer = api.post("/v1/customers", {"name": "Ada", "custom": {}}).json()["data"]
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    body, headers = got["body"], got["headers"]
    # Standard Webhooks, unmodified library, raw bytes as received
    payload = Webhook(token).verify(body, headers)
    assert payload["name"] == "kustomer.customer.create"
    assert payload["data"]["id"] == customer["id"]
    assert payload["org"] and payload["id"] and payload["createdAt"]
    assert payload["changes"]["attributes"]["name"] == {"op": "add", "before": None, "after": "Ada"}
    # Kustomer: hex HMAC-SHA256 keyed with the token string itself
    expected = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Kustomer-Webhook-Signature"] == expected
    assert headers["Content-Type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    # a tampered body fails
    with pytest.raises(WebhookVerificationError):
        Webhook(token).verify(body + b" ", headers)


def test_update_carries_changes(api, hook_on, receiver, django_capture_on_commit_callbacks):
    hook_on()
    with django_capture_on_commit_callbacks(execute=True):
        cid = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        api.put(f"/v1/customers/{cid}", {"name": "Ada Lovelace"})
    update = receiver.bodies()[1]
    assert update["name"] == "kustomer.customer.update"
    change = update["changes"]["attributes"]["name"]
    assert change == {"op": "replace", "before": "Ada", "after": "Ada Lovelace"}


def test_custom_headers_go_along(api, hook_on, receiver, django_capture_on_commit_callbacks):
    hook_on(headers={"X-Shop": "north"})
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    assert receiver.requests[0]["headers"]["X-Shop"] == "north"


def test_unsubscribed_events_are_not_sent(
    api, hook_on, receiver, django_capture_on_commit_callbacks
):
    hook_on(events=["kustomer.company.create"])
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
        api.post("/v1/companies", {"name": "Navy"})
    assert [b["name"] for b in receiver.bodies()] == ["kustomer.company.create"]


def test_rotation_signs_with_both_tokens_for_a_day(
    api, hook_on, receiver, django_capture_on_commit_callbacks
):
    hook_id, old = hook_on()
    r = api.post(f"/v1/outbound-webhooks/{hook_id}/rotate")
    assert r.status_code == 200
    new = r.json()["data"]["attributes"]["token"]
    assert new != old and new.startswith("whsec_")
    assert r.json()["data"]["attributes"]["previousTokenValidUntil"]
    assert "token" not in api.get(f"/v1/outbound-webhooks/{hook_id}").json()["data"]["attributes"]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    got = receiver.requests[0]
    assert len(got["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(got["body"], got["headers"])
    Webhook(old).verify(got["body"], got["headers"])
    assert (
        got["headers"]["X-Kustomer-Webhook-Signature"]
        == hmac.new(new.encode(), got["body"], hashlib.sha256).hexdigest()
    )
    assert (
        got["headers"]["X-Kustomer-Webhook-Signature-Previous"]
        == hmac.new(old.encode(), got["body"], hashlib.sha256).hexdigest()
    )


def test_after_the_overlap_only_the_new_token_signs(
    api, hook_on, receiver, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from apps_directory.webhooks.models import OutboundWebhook

    hook_id, old = hook_on()
    new = api.post(f"/v1/outbound-webhooks/{hook_id}/rotate").json()["data"]["attributes"]["token"]
    OutboundWebhook.objects.filter(pk=hook_id).update(
        previous_token_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    got = receiver.requests[0]
    Webhook(new).verify(got["body"], got["headers"])
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(got["body"], got["headers"])
    assert json.loads(got["body"])["name"] == "kustomer.customer.create"
