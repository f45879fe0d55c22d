"""Every write to webhooks and their deliveries (the outbox rows themselves are written by
`outbox.record`, inside the transaction of the event they carry)."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps_directory import outbound
from apps_directory.webhooks import names, signing
from apps_directory.webhooks.models import Delivery, OutboundWebhook
from kdesk.config_cache import lock_config
from kdesk.errors import FieldError
from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import delete_with_event, emit_for, lock_for_write, model_changes, model_update

FIELDS = {"name", "url", "events", "headers", "enabled", "rev"}
ROTATION_OVERLAP = timedelta(hours=24)
# Headers a webhook may not set: they carry the signature, framing or routing.
_RESERVED = {
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-kustomer-webhook-signature",
    "x-kustomer-webhook-signature-previous",
    "user-agent",
}
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")


def snapshot(webhook):
    """What events about a webhook record (never its token)."""
    return {
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "enabled": webhook.enabled,
        "disabledReason": webhook.disabled_reason or None,
    }


def _clean(p, *, creating, current=None):
    out = {}
    name = p.string("name", max_length=100, required=creating, blank=False)
    if name is not None:
        out["name"] = name
    if p.has("url") or creating:
        url = p.string("url", max_length=2000, required=True, blank=False)
        if url:
            try:
                if not url.lower().startswith("https://") and not settings.OUTBOUND_ALLOW_PRIVATE:
                    # plain http only for local receivers in development
                    raise outbound.Refused("The URL must start with https://.")
                outbound.check_url(url)
            except outbound.Refused as exc:
                p.error("url", "refused", str(exc))
            out["url"] = url
    if p.has("events") or creating:
        events = p.strings("events", max_items=200, max_length=200)
        if events is None and (creating or p.has("events")):
            if "events" not in p.data or p.data["events"] is None:
                p.error("events", "required", "events is required: the event names to send.")
        elif events is not None:
            for i, event_name in enumerate(p.data["events"]):
                if isinstance(event_name, str) and not names.is_valid(event_name.strip()):
                    p.errors.append(
                        FieldError(
                            f"/events/{i}",
                            "invalid",
                            f"{event_name!r} is not a webhook event name "
                            "(e.g. kustomer.customer.update, kustomer.kobject.order.create).",
                        )
                    )
            if not events and not any(e.pointer.startswith("/events") for e in p.errors):
                p.error("events", "required", "events needs at least one event name.")
            out["events"] = events
    headers = p.obj("headers")
    if headers is not None:
        clean = {}
        for key, value in headers.items():
            pointer = f"/headers/{key}"
            if not _HEADER_NAME.match(key):
                p.errors.append(FieldError(pointer, "invalid", "is not a valid header name."))
            elif key.lower() in _RESERVED:
                p.errors.append(FieldError(pointer, "reserved", f"{key} is set by kdesk."))
            elif not isinstance(value, str) or len(value) > 1000 or "\n" in value or "\r" in value:
                p.errors.append(
                    FieldError(pointer, "invalid", "must be a one-line string (≤1000 characters).")
                )
            else:
                clean[key] = value
        if len(headers) > 20:
            p.error("headers", "invalid", "At most 20 custom headers.")
        out["headers"] = clean
    elif p.has("headers") and p.data["headers"] is None:
        out["headers"] = {}
    enabled = p.boolean("enabled")
    if enabled is not None:
        out["enabled"] = enabled
    return out


@transaction.atomic
def webhook_create(*, org, actor, data):
    """Returns (webhook, token); the token is shown to the caller once."""
    p = Payload(data, allowed=FIELDS - {"rev"})
    fields = _clean(p, creating=True)
    # The org's row serialises creations, so two at once cannot both pass the limit.
    lock_config(org)
    limit = settings.WEBHOOK_MAX_PER_ORG
    if OutboundWebhook.objects.filter(org=org).count() >= limit:
        p.errors.append(
            FieldError(
                "",
                "limit_reached",
                f"An organization may have at most {limit} outbound webhooks; delete one first.",
            )
        )
    p.raise_if_errors()
    now = timezone.now()
    token = signing.new_token()
    webhook = OutboundWebhook.objects.create(
        org=org,
        token=token,
        created_by=actor if actor is not None and actor.pk else None,
        created_at=now,
        updated_at=now,
        **{"headers": {}, "enabled": True, **fields},
    )
    _emit(org, actor, webhook, "outbound_webhook.create")
    return webhook, token


def _locked(org, webhook, rev=None):
    return lock_for_write(
        OutboundWebhook,
        org=org,
        pk=webhook.pk,
        rev=rev,
        resource="webhook",
        missing="This webhook was deleted meanwhile.",
    )


def _emit(org, actor, webhook, type, changes=None):
    emit_for(
        webhook,
        type,
        org=org,
        actor=actor,
        resource="outbound_webhook",
        data=snapshot(webhook),
        changes=changes,
    )


@transaction.atomic
def webhook_update(*, org, actor, webhook, data):
    p = Payload(data, allowed=FIELDS)
    fields = _clean(p, creating=False)
    p.raise_if_errors()
    lock_config(org)
    webhook = _locked(org, webhook, data.get("rev") if isinstance(data, dict) else None)
    enabled = fields.pop("enabled", None)
    switched, was = (), webhook.enabled
    if enabled is not None and enabled != webhook.enabled:
        switched = _set_enabled(webhook, enabled)
    changes = model_changes(webhook, fields, extra=switched)
    if switched:
        changes["enabled"] = {"before": was, "after": enabled}
    return _updated(org, actor, webhook, changes)


def _updated(org, actor, webhook, changes):
    """After a write: its event, and the dispatcher woken once it commits."""
    if changes:
        _emit(org, actor, webhook, "outbound_webhook.update", changes)
        transaction.on_commit(lambda: _kick_after_commit(webhook.pk))
    return webhook


def _set_enabled(webhook, enabled):
    """Turn `webhook` on or off (unsaved); returns the columns it set."""
    webhook.enabled = enabled
    if not enabled:
        webhook.disabled_at = timezone.now()
        return ["enabled", "disabled_at"]
    # Resume where it stopped: the delivery that turned it off goes again first, then whatever
    # was recorded meanwhile (up to the retention; older ones are marked expired).
    webhook.disabled_reason = ""
    webhook.disabled_at = None
    now = timezone.now()
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    Delivery.objects.filter(
        webhook=webhook, status=Delivery.Status.PENDING, created_at__lt=cutoff
    ).update(status=Delivery.Status.EXPIRED, finished_at=now, next_attempt_at=None)
    if webhook.stopped_at_id:
        Delivery.objects.filter(pk=webhook.stopped_at_id, created_at__gte=cutoff).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=now,
            lease_until=None,
            claimed_by="",
            finished_at=None,
        )
        webhook.stopped_at = None
    return ["enabled", "disabled_reason", "disabled_at", "stopped_at"]


@transaction.atomic
def webhook_set_enabled(*, org, actor, webhook, enabled):
    lock_config(org)
    webhook = _locked(org, webhook)
    if webhook.enabled == enabled:
        return webhook
    changes = {"enabled": {"before": webhook.enabled, "after": enabled}}
    model_update(webhook, {}, extra=_set_enabled(webhook, enabled))
    return _updated(org, actor, webhook, changes)


@transaction.atomic
def webhook_rotate(*, org, actor, webhook):
    """A new token; the old one keeps signing (alongside) for 24 hours. Returns (webhook, token)."""
    lock_config(org)
    webhook = _locked(org, webhook)
    fields = {
        "previous_token": webhook.token,
        "previous_token_until": timezone.now() + ROTATION_OVERLAP,
        "token": signing.new_token(),
    }
    model_update(webhook, fields)
    _updated(org, actor, webhook, {"token": {"before": "(hidden)", "after": "(rotated)"}})
    return webhook, webhook.token


@transaction.atomic
def webhook_delete(*, org, actor, webhook):
    lock_config(org)
    webhook = _locked(org, webhook)
    delete_with_event(
        webhook,
        "outbound_webhook.delete",
        org=org,
        actor=actor,
        resource="outbound_webhook",
        data=snapshot(webhook),
    )


@transaction.atomic
def webhook_disable_failing(*, webhook_id, delivery, reason):
    """Called by the worker: turn the webhook off, record why, and tell every admin (bell)."""
    from conversations.models import Notification

    org_id = OutboundWebhook.objects.filter(pk=webhook_id).values_list("org_id", flat=True).first()
    if org_id is None:
        return None
    lock_config(org_id)
    webhook = OutboundWebhook.objects.select_for_update().filter(pk=webhook_id).first()
    if webhook is None or not webhook.enabled:
        return None
    org = webhook.org
    webhook.enabled = False
    webhook.disabled_at = timezone.now()
    webhook.disabled_reason = reason[:500]
    webhook.stopped_at = delivery
    admins = list(
        org.users.filter(role="admin", is_active=True, is_machine=False).values_list(
            "pk", flat=True
        )
    )
    text = f"Webhook “{webhook.name}” was turned off: {reason}"[:500]
    Notification.objects.bulk_create(
        [
            Notification(org=org, user_id=pk, kind=Notification.Kind.INTEGRATION, text=text)
            for pk in admins
        ]
    )
    model_update(webhook, {}, extra=["enabled", "disabled_at", "disabled_reason", "stopped_at"])
    data = snapshot(webhook)
    data["notified"] = admins
    data["notify"] = {
        "title": f"Webhook turned off: {webhook.name}",
        "body": reason[:140],
        "url": f"/settings/webhooks/{webhook.pk}/",
    }
    emit(
        org=org,
        type="outbound_webhook.disable",
        resource="outbound_webhook",
        resource_id=webhook.pk,
        rev=webhook.rev,
        data=data,
        changes={"enabled": {"before": True, "after": False}},
    )
    return webhook


@transaction.atomic
def delivery_replay(*, org, actor, delivery):
    """Send a delivery again (same body and webhook-id), whatever its state."""
    Delivery.objects.filter(org=org, pk=delivery.pk).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=timezone.now(),
        lease_until=None,
        claimed_by="",
        finished_at=None,
    )
    transaction.on_commit(lambda: _kick_after_commit(delivery.webhook_id))
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_replay_failed(*, org, actor, webhook, start, end):
    """Send again every failed delivery of `webhook` created in [start, end); returns how many."""
    count = Delivery.objects.filter(
        org=org,
        webhook=webhook,
        status=Delivery.Status.FAILED,
        created_at__gte=start,
        created_at__lt=end,
    ).update(
        status=Delivery.Status.PENDING,
        next_attempt_at=timezone.now(),
        lease_until=None,
        claimed_by="",
        finished_at=None,
    )
    if count:
        transaction.on_commit(lambda: _kick_after_commit(webhook.pk))
    return count


def _kick_after_commit(webhook_id):
    from apps_directory.webhooks import dispatch

    dispatch.kick([webhook_id])
