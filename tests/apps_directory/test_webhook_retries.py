"""A receiver that fails: retries on the schedule, then the webhook is turned off with the
reason and every admin is told through the bell; 410 turns it off at once."""

import pytest

from apps_directory.webhooks.models import Delivery, DeliveryAttempt, OutboundWebhook

pytestmark = pytest.mark.django_db


def test_it_retries_until_the_receiver_answers(
    api, hook_on, receiver, fast_retries, django_capture_on_commit_callbacks
):
    hook_id, _ = hook_on()
    receiver.answers = [500, 503, 502]  # three failures, then 200
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    assert len(receiver.requests) == 4
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1  # the same webhook-id on every retry
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and delivery.attempts == 4
    assert list(
        DeliveryAttempt.objects.order_by("number").values_list("response_status", flat=True)
    ) == [500, 503, 502, 200]
    assert OutboundWebhook.objects.get(pk=hook_id).enabled


def test_retries_wait_for_the_schedule(
    api, hook_on, receiver, settings, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from apps_directory.webhooks import dispatch

    settings.WEBHOOK_RETRY_SCHEDULE = [60, 600]
    hook_on()
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 40 <= wait <= 75  # 60 s jittered by up to a fifth
    assert dispatch.run_due() == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert dispatch.run_due() == 1
    assert Delivery.objects.get().status == "succeeded"


def test_after_the_last_attempt_it_is_turned_off_and_admins_told(
    api, hook_on, receiver, fast_retries, admin_user, agent, django_capture_on_commit_callbacks
):
    from conversations.models import Notification
    from kdesk.models import Event
    from tests.factories import UserFactory

    other_admin = UserFactory(org=admin_user.org, role="admin", username="bo")
    hook_id, _ = hook_on()
    receiver.answers = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        ada = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    assert len(receiver.requests) == 4  # 1 + 3 retries
    webhook = OutboundWebhook.objects.get(pk=hook_id)
    assert not webhook.enabled
    assert "All 4 attempts failed" in webhook.disabled_reason and "500" in webhook.disabled_reason
    assert Delivery.objects.get().status == "failed"
    told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {admin_user.pk, other_admin.pk}  # admins, not the agent
    event = Event.objects.get(type="outbound_webhook.disable")
    assert sorted(event.data["notified"]) == sorted(told)
    # through the API: the reason is visible
    attrs = api.get(f"/v1/outbound-webhooks/{hook_id}").json()["data"]["attributes"]
    assert attrs["enabled"] is False and "All 4 attempts failed" in attrs["disabledReason"]
    # while it is off, events are kept, not sent
    receiver.answers = []
    with django_capture_on_commit_callbacks(execute=True):
        api.put(f"/v1/customers/{ada}", {"name": "Ada L."})
    assert len(receiver.requests) == 4
    # turning it on again resumes where it stopped: the failed create first, then the update
    with django_capture_on_commit_callbacks(execute=True):
        r = api.put(f"/v1/outbound-webhooks/{hook_id}", {"enabled": True})
    assert r.status_code == 200
    names = [b["data"]["attributes"]["name"] for b in receiver.bodies()[4:]]
    assert names == ["Ada", "Ada L."]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}


def test_410_turns_it_off_at_once(
    api, hook_on, receiver, fast_retries, admin_user, django_capture_on_commit_callbacks
):
    hook_id, _ = hook_on()
    receiver.answers = [410]
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    assert len(receiver.requests) == 1
    webhook = OutboundWebhook.objects.get(pk=hook_id)
    assert not webhook.enabled and "410" in webhook.disabled_reason


def test_a_receiver_that_is_down_is_retried(
    api, hook_on, receiver, fast_retries, django_capture_on_commit_callbacks
):
    from apps_directory.webhooks.models import OutboundWebhook

    hook_id, _ = hook_on()
    receiver.close()  # nothing listens any more
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 4
    assert "Could not reach" in DeliveryAttempt.objects.last().error
    assert not OutboundWebhook.objects.get(pk=hook_id).enabled


def test_a_slow_receiver_times_out(
    api, hook_on, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    hook_on()
    receiver.answers = [None]  # hangs
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    receiver.release.set()
    attempt = DeliveryAttempt.objects.get()
    assert "timed out" in attempt.error and attempt.response_status is None
    assert Delivery.objects.get().status == "pending"
