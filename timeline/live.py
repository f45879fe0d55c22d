"""Live updates: which groups an event goes to, and the on-commit publisher.

Group names carry the org so that no subscription can ever cross organizations, and use only
the characters channels allows (no colons). The fragments are rendered once per event by the
same partials that render the page (timeline.fragments) and fanned out by the channel layer.
"""

import asyncio
import contextvars
import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from kdesk.events import subscribe
from kdesk.payload import as_id

log = logging.getLogger(__name__)

# The browser tab that caused the current request (X-Kdesk-Tab header): its own socket skips
# what it just rendered itself.
origin_tab = contextvars.ContextVar("origin_tab", default="")


def customer_group(org_id, customer_id):
    return f"o{org_id}.customer.{customer_id}"


def inbox_group(org_id):
    return f"o{org_id}.inbox"


def user_group(org_id, user_id):
    return f"o{org_id}.user.{user_id}"


def topic_group(org_id, user_id, topic):
    """The group for a client topic name (`customer.12`, `inbox`, `notifications`)."""
    if topic == "inbox":
        return inbox_group(org_id)
    if topic == "notifications":
        return user_group(org_id, user_id)
    kind, _, ident = topic.partition(".")
    if kind == "customer" and ident.isascii() and ident.isdigit() and len(ident) < 19:
        return customer_group(org_id, int(ident))
    return None


def targets(event):
    """[(group, topic)] an event is pushed to."""
    out = []
    if event.customer_id is not None:
        out.append(
            (customer_group(event.org_id, event.customer_id), f"customer.{event.customer_id}")
        )
    if event.type.startswith("conversation."):
        out.append((inbox_group(event.org_id), "inbox"))
    return out


def notified_users(event):
    """Users whose bell changes with this event (mentions and assignments)."""
    data = event.data or {}
    ids = data.get("notified") or []
    return [n for n in map(as_id, ids) if n is not None]


# A commit this large (a bulk import) sends each page one refresh instead of fragments.
BURST = 20


def notification_message(event, user_id):
    """The bell update for one notified person: their unread count, and what a browser
    notification says (only shown if they allowed it)."""
    from conversations.selectors import unread_notification_count

    count = unread_notification_count(org=event.org_id, user=user_id)
    data = event.data or {}
    meta = data.get("meta") or {}
    actor = meta.get("authorName") or "Someone"
    customer = meta.get("customerName") or "a customer"
    if event.type.startswith("conversation.note."):
        title = f"{actor} mentioned you"
        body = ((data.get("attributes") or {}).get("body") or "")[:140]
    else:
        title = f"Conversation assigned to you: {customer}"
        body = meta.get("conversationName") or ""
    url = f"/customers/{event.customer_id}/?event={event.pk}#entry-{event.pk}"
    return {
        "type": "live.event",
        "id": event.pk,
        "topic": "notifications",
        "ops": [{"op": "unread", "count": count}],
        "notify": {"title": title, "body": body, "url": url},
        "tab": "",
        "ts": time.time(),
    }


def previous_id(event):
    """The customer's timeline event before this one: a client that has not seen it knows a
    push went missing (channels-redis delivers at most once) and asks for a replay."""
    from kdesk.models import Event
    from timeline.entries import HIDDEN_TYPES

    return (
        Event.objects.filter(org_id=event.org_id, customer_id=event.customer_id, id__lt=event.pk)
        .exclude(type__in=HIDDEN_TYPES)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def _sender(layer):
    """group_send from sync code; from a thread that runs an event loop (a service called by
    async code), schedule it on that loop instead."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(layer.group_send)
    return lambda group, message: loop.create_task(layer.group_send(group, message))


def publish(events):
    from timeline import fragments

    layer = get_channel_layer()
    if layer is None:
        return
    send = _sender(layer)
    tab = origin_tab.get()
    by_target = {}
    for event in events:
        for group, topic in targets(event):
            by_target.setdefault((group, topic), []).append(event)
        for user_id in notified_users(event):
            try:
                send(user_group(event.org_id, user_id), notification_message(event, user_id))
            except Exception:  # the bell must not stop the timeline push
                log.exception("notification push for event %s failed", event.pk)
    bulk = len(events) > BURST
    for (group, topic), batch in by_target.items():
        if bulk or len(batch) > BURST:
            message = {
                "type": "live.event",
                "id": batch[-1].pk,
                "topic": topic,
                "tab": tab,
                "ops": [{"op": "refresh", "topic": topic}],
                "ts": time.time(),
            }
            send(group, message)
            continue
        for event in batch:
            prev = previous_id(event) if topic.startswith("customer.") else None
            try:
                ops = fragments.ops_for(event, topic)
            except Exception:  # a broken fragment must not lose the others
                log.exception("rendering live fragment for event %s failed", event.pk)
                ops = [{"op": "refresh", "topic": topic}]
            if ops:
                send(
                    group,
                    {
                        "type": "live.event",
                        "id": event.pk,
                        "topic": topic,
                        "ops": ops,
                        "tab": tab,
                        "ts": time.time(),
                        "prev": prev,
                    },
                )


def install():
    subscribe(publish)
