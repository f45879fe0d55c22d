"""Live updates: which groups an event goes to, and the on-commit publisher.

Group names carry the org so that no subscription can ever cross organizations, and use only
the characters channels allows (no colons). The fragments are rendered once per event by the
same partials that render the page (timeline.fragments) and fanned out by the channel layer.
What a commit costs does not grow with its events: per group, one query names each push's
previous event and one set of entry lookups serves every fragment. Groups nobody follows (most
customers, most of the time) cost nothing past one membership read per commit (timeline.audience).
"""

import asyncio
import contextlib
import contextvars
import hashlib
import logging
import os
import time

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from kdesk import tabs
from kdesk.events import subscribe
from kdesk.payload import as_id
from kdesk.prepared import PreparedValues
from timeline import sender

log = logging.getLogger(__name__)

# The browser tab that caused the current request (X-Kdesk-Tab header): its own socket skips
# what the response renders itself, and only that. Set by the core's middleware.
origin_tab = tabs.origin_tab

# The page parts (refresh `part` names: "conversation", "attributes", ...) the current request's
# response renders itself. The push happens on commit, inside the service call, before the view
# renders anything, so a view names them up front (`with renders("conversation"): ...`).
# Entries are not named here: the page swaps an entry by its id, so one pushed and also returned
# by the response is shown once whichever arrives first.
rendered_parts = contextvars.ContextVar("rendered_parts", default=frozenset())


@contextlib.contextmanager
def renders(*parts):
    """The response of the request running this block renders `parts` itself."""
    token = rendered_parts.set(rendered_parts.get() | frozenset(parts))
    try:
        yield
    finally:
        rendered_parts.reset(token)


def customer_group(org_id, customer_id):
    return f"o{org_id}.customer.{customer_id}"


def inbox_group(org_id):
    return f"o{org_id}.inbox"


def user_group(org_id, user_id):
    return f"o{org_id}.user.{user_id}"


def session_group(org_id, session_key):
    """Every socket of one signed-in browser session: sign-out closes them. The key is hashed
    so that no session credential ends up in the channel layer's key names."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"o{org_id}.session.{digest}"


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


def bell_changed(event):
    """The person whose unread count a `notification.read`/`notification.delete` event changes
    (the notifications services record one per person), else None."""
    if not event.type.startswith("notification."):
        return None
    return as_id((event.data or {}).get("user"))


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
    url = None
    if isinstance(data.get("notify"), dict):
        # an event that says itself what the bell shows (a webhook turned off, ...)
        title = str(data["notify"].get("title") or "Notification")
        body = str(data["notify"].get("body") or "")[:140]
        url = data["notify"].get("url")
    elif event.type.startswith("conversation.note."):
        title = f"{actor} mentioned you"
        body = ((data.get("attributes") or {}).get("body") or "")[:140]
    else:
        title = f"Conversation assigned to you: {customer}"
        body = meta.get("conversationName") or ""
    url = url or notification_url(event)
    return {
        "type": "live.event",
        "id": event.pk,
        "topic": "notifications",
        "ops": [{"op": "unread", "count": count}],
        "notify": {"title": title, "body": body, "url": url},
        "tab": "",
        "ts": time.time(),
    }


def notification_url(event):
    """Where a bell/desktop notification leads, in the parameters customer_page reads: a note
    is loaded (`?note=`), scrolled to and highlighted; an assignment opens its conversation."""
    base = f"/customers/{event.customer_id}/"
    if event.resource == "note" and as_id(event.resource_id) is not None:
        return f"{base}?note={event.resource_id}#entry-{event.pk}"
    if event.resource == "conversation" and as_id(event.resource_id) is not None:
        return f"{base}?conversation={event.resource_id}#entry-{event.pk}"
    return f"{base}#entry-{event.pk}"


def unread_message(org_id, user_id, tab=""):
    """The bell count of one person, for all their tabs but `tab` (which shows it already)."""
    from conversations.selectors import unread_notification_count

    count = unread_notification_count(org=org_id, user=user_id)
    return {"type": "live.unread", "count": count, "tab": tab}


def end_sessions(sender, request, user, **kwargs):
    """`user_logged_out`: close the sockets this browser session opened (code 4401), so a
    signed-out browser stops receiving the org's updates. Other sessions stay signed in."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    layer = get_channel_layer()
    if user is None or not key or layer is None:
        return
    try:
        _flush(layer, [(session_group(user.org_id, key), {"type": "session.end"})])
    except Exception:  # signing out must work even when the channel layer is down
        log.exception("closing the sockets of a signed-out session failed")


def last_event_id(org_id):
    """The org's newest event id: the reconnect cursor of a page that follows the inbox or the
    bell (read before the page's own queries, so nothing falls between render and replay)."""
    from kdesk.models import Event

    return (
        Event.objects.filter(org_id=org_id).order_by("-id").values_list("id", flat=True).first()
        or 0
    )


def without_rendered(ops, parts):
    """`ops` minus the refreshes of page parts the author's response rendered itself."""
    if not parts:
        return ops
    return [op for op in ops if not (op.get("op") == "refresh" and op.get("part") in parts)]


def previous_id(event):
    """The customer's timeline event before this one: a client that has not seen it knows a
    push went missing (channels-redis delivers at most once) and asks for a replay."""
    return previous_ids([event])[event.pk]


def _previous_query(org, customer, before):
    from kdesk.models import Event
    from timeline.entries import HIDDEN_TYPES

    return (
        Event.objects.filter(org_id=org, customer_id=customer, id__lt=before)
        .exclude(type__in=HIDDEN_TYPES)
        .order_by("-id")
        .values("id")[:1]
    )


_PREVIOUS = PreparedValues(_previous_query, ints=("org", "customer", "before"))


def previous_ids(events):
    """{event id: previous_id(event)} for events of one customer, in one query:
    the timeline ids from the one before the first event up to the last event. The ones
    between the events count too (another transaction's event on the same customer may have
    committed in between), so each push names exactly what previous_id would."""
    from django.db.models import Q, Subquery, Value
    from django.db.models.functions import Coalesce

    from kdesk.models import Event
    from timeline.entries import HIDDEN_TYPES

    if not events:
        return {}
    events = sorted(events, key=lambda e: e.pk)
    first, last = events[0], events[-1]
    shown = Event.objects.filter(org_id=first.org_id, customer_id=first.customer_id).exclude(
        type__in=HIDDEN_TYPES
    )
    if len(events) == 1:
        # the common commit (a message, a status): the plain latest-before, compiled once
        rows = _PREVIOUS.rows(org=first.org_id, customer=first.customer_id, before=first.pk)
        return {first.pk: rows[0]["id"] if rows else None}
    before_first = shown.filter(id__lt=first.pk).order_by("-id").values("id")[:1]
    ids = sorted(
        shown.filter(id__lt=last.pk)
        .filter(Q(id__gte=Coalesce(Subquery(before_first), Value(0))))
        .values_list("id", flat=True)
    )
    out, i, prev = {}, 0, None
    for event in events:
        while i < len(ids) and ids[i] < event.pk:
            prev = ids[i]
            i += 1
        out[event.pk] = prev
    return out


async def _send_in_order(layer, messages):
    for group, message in messages:
        try:
            await layer.group_send(group, message)
        except Exception:  # one refused send must not lose the others
            log.exception("live push to %s failed", group)


def _server_loop():
    """The event loop of the ASGI server (daphne) whose worker thread runs this code, or None.
    asgiref records it in the worker threads it starts; a WSGI worker has none."""
    from asgiref.sync import SyncToAsync

    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(local, "main_event_loop", None)


# How long a commit waits for its pushes before giving up on them (a reconnecting tab replays
# what it missed from the event log).
SEND_TIMEOUT = 5


def _flush(layer, messages):
    """group_send [(group, message)] in order, with one hop to an event loop for them all (a
    bulk import touches dozens of customers). From a thread that runs an event loop (a service
    called by async code), schedule them on that loop; from daphne's worker threads, on daphne's
    loop; from a WSGI worker or the task worker, on the process's sender loop, which keeps its
    Redis connections between commits. The in-memory layer lives on one loop of one process,
    so it keeps asgiref's hop."""
    if not messages:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        loop.create_task(_send_in_order(layer, messages))
    elif _server_loop() is not None or isinstance(layer, InMemoryChannelLayer):
        async_to_sync(_send_in_order)(layer, messages)
    else:
        try:
            sender.run(_send_in_order(layer, messages), timeout=SEND_TIMEOUT)
        except TimeoutError:
            log.warning("live pushes of one commit took over %ss and were dropped", SEND_TIMEOUT)


def listening(layer, groups):
    """The groups with a member now, or None (unknown: every group counts). See timeline.audience
    for why a tab that subscribes just after this check still gets the event (its replay)."""
    from timeline import audience

    return audience.listening(layer, groups)


def publish(events):
    from timeline import fragments

    layer = get_channel_layer()
    if layer is None:
        return
    outbox = []
    send = lambda group, message: outbox.append((group, message))  # noqa: E731
    tab = origin_tab.get()
    parts = rendered_parts.get() if tab else frozenset()
    by_target = {}
    bells = {}  # (org, user) -> tab: people whose notifications were read or removed
    notified = []  # (event, user id): bell pushes, in event order
    for event in events:
        user_id = bell_changed(event)
        if user_id is not None:
            # Read by the person: their tab that did it shows the count already. Removed with
            # what they were about: every tab of theirs learns it.
            bells[(event.org_id, user_id)] = tab if event.type == "notification.read" else ""
            continue
        for group, topic in targets(event):
            by_target.setdefault((group, topic), []).append(event)
        notified.extend((event, user_id) for user_id in notified_users(event))
    # One membership read for the whole commit, before anything is rendered: a group nobody
    # follows costs neither fragments nor queries (a later subscriber replays from the log).
    groups = [group for group, _ in by_target]
    groups += [user_group(event.org_id, user_id) for event, user_id in notified]
    groups += [user_group(org_id, user_id) for org_id, user_id in bells]
    heard = listening(layer, groups)
    if heard is None:
        heard = set(groups)
    for event, user_id in notified:
        group = user_group(event.org_id, user_id)
        if group not in heard:
            continue
        try:
            send(group, notification_message(event, user_id))
        except Exception:  # the bell must not stop the timeline push
            log.exception("notification push for event %s failed", event.pk)
    for (org_id, user_id), bell_tab in bells.items():
        group = user_group(org_id, user_id)
        if group not in heard:
            continue
        try:
            send(group, unread_message(org_id, user_id, bell_tab))
        except Exception:  # a stale bell must not stop the other pushes
            log.exception("unread push for user %s failed", user_id)
    bulk = len(events) > BURST
    for (group, topic), batch in by_target.items():
        if group not in heard:
            continue
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
        customer_topic = topic.startswith("customer.")
        try:
            prevs = previous_ids(batch) if customer_topic else {}
        except Exception:  # without a prev the client just cannot spot a gap in this batch
            log.exception("reading the previous events of a live batch failed")
            prevs = {}
        for event, ops in zip(batch, fragments.ops_for_many(batch, topic), strict=True):
            if ops:
                message = {
                    "type": "live.event",
                    "id": event.pk,
                    "topic": topic,
                    "ops": ops,
                    "tab": tab,
                    "ts": time.time(),
                    "prev": prevs.get(event.pk),
                }
                if tab:
                    # The author's tab still gets the event (its cursor moves on, and what the
                    # response did not render, such as a conversation a reply started, shows).
                    message["tab_ops"] = without_rendered(ops, parts)
                send(group, message)
    _flush(layer, outbox)


def install():
    from django.contrib.auth.signals import user_logged_out

    subscribe(publish)
    user_logged_out.connect(end_sessions, dispatch_uid="timeline.live.end_sessions")
