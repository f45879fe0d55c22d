"""Plain serializers for webhooks and their delivery log."""

from kdesk.representations import iso


def webhook_resource(webhook, token=None):
    attributes = {
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "headers": webhook.headers,
        "enabled": webhook.enabled,
        "disabledReason": webhook.disabled_reason or None,
        "disabledAt": iso(webhook.disabled_at),
        "previousTokenValidUntil": iso(webhook.previous_token_until)
        if webhook.previous_token
        else None,
        "rev": webhook.rev,
        "createdAt": iso(webhook.created_at),
        "updatedAt": iso(webhook.updated_at),
    }
    if token is not None:
        attributes["token"] = token  # only in the creation and rotation answers
    return {
        "type": "outbound_webhook",
        "id": str(webhook.pk),
        "attributes": attributes,
        "relationships": {},
        "links": {"self": f"/v1/outbound-webhooks/{webhook.pk}"},
    }


def delivery_resource(delivery, attempt=None):
    attributes = {
        "event": delivery.name,
        "eventId": str(delivery.event_id),
        "webhookId": delivery.message_id,
        "status": delivery.status,
        "attempt": delivery.attempts,
        "nextAttemptAt": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "request": {
            "headers": attempt.request_headers if attempt else {},
            "body": delivery.body or None,
        },
        "response": {
            "status": attempt.response_status if attempt else None,
            "body": attempt.response_excerpt if attempt else None,
        },
        "error": (attempt.error or None) if attempt else None,
        "durationMs": attempt.duration_ms if attempt else None,
        "attemptedAt": iso(attempt.at) if attempt else None,
        "createdAt": iso(delivery.created_at),
        "updatedAt": iso(delivery.finished_at or (attempt.at if attempt else delivery.created_at)),
        "rev": delivery.attempts + 1,
    }
    return {
        "type": "delivery",
        "id": str(delivery.pk),
        "attributes": attributes,
        "relationships": {
            "outboundWebhook": {
                "data": {"type": "outbound_webhook", "id": str(delivery.webhook_id)}
            }
        },
        "links": {"self": f"/v1/outbound-webhooks/{delivery.webhook_id}/deliveries/{delivery.pk}"},
    }
