"""Deciding deliveries: called by `kdesk.events` inside the emitting transaction."""

from django.db import transaction

from apps_directory.webhooks.models import Delivery, OutboundWebhook
from apps_directory.webhooks.names import webhook_name
from kdesk import config_cache
from kdesk.prepared import PreparedValues

# Read with every event that can be delivered (a mail taken in: two or three), subscribed or
# not: compiled once per connection (kdesk.prepared), as its ORM compile cost more than the read.
_SUBSCRIPTIONS = PreparedValues(
    lambda org: OutboundWebhook.objects.filter(org_id=org).values("id", "events"),
    ints=("org",),
)

# kept in process at the org's configuration version where a request declared it (the email
# hook): kdesk.config_cache
_SUBSCRIBED = config_cache.Cached(
    lambda org_id: tuple((row["id"], row["events"]) for row in _SUBSCRIPTIONS.rows(org=org_id))
)


def record(org, events):
    """One outbox row per (event, subscribed webhook), in the event's transaction, so a rolled
    back write leaves no delivery and a committed one cannot lose it. Webhooks that are off get
    rows too: turning one on again resumes from there."""
    named = [(event, webhook_name(event)) for event in events]
    named = [(event, name) for event, name in named if name]
    if not named:
        return
    subscriptions = _SUBSCRIBED.get(org.pk)
    if not subscriptions:
        return
    rows = []
    for event, name in named:
        key = f"{event.resource}:{event.resource_id}"[:160]
        for webhook_id, wanted in subscriptions:
            if name in wanted:
                rows.append(
                    Delivery(
                        org_id=org.pk,
                        webhook_id=webhook_id,
                        event_id=event.pk,
                        name=name,
                        resource_key=key,
                        next_attempt_at=event.created_at,
                        created_at=event.created_at,
                    )
                )
    if not rows:
        return
    Delivery.objects.bulk_create(rows)
    from apps_directory.webhooks import dispatch

    # The kick after commit is the fast path; the sweep guarded here is what sends the rows if
    # this process dies between the commit and the kick.
    dispatch.guard_recorded()
    webhook_ids = sorted({row.webhook_id for row in rows})
    transaction.on_commit(lambda: _kick(webhook_ids))


def _kick(webhook_ids):
    from apps_directory.webhooks import dispatch

    dispatch.kick(webhook_ids)
