"""The one websocket per tab (`/ws/`): subscriptions with permission checks, replay, presence.

Client actions: `hello` {tab}, `subscribe` {topic, last?} (joins, replays what came after
`last`, says "viewing" on a customer), `unsubscribe` {topic}, `presence` {topic, state, beat?},
and `replay` {topic, last}: a subscribed socket that spotted a gap (a push whose `prev` it never
saw) gets what came after `last` again, oldest first, then `{"type": "replayed"}`; no presence.

A frame the consumer cannot use (not JSON, binary, too large, a field of the wrong type, an
absurd `last`) is answered with `{"type": "error", "detail"}` and the socket stays open; and
however the consumer ends (a close, or an error while handling a message), its presence leaves
every room it was in.
"""

import logging
import secrets
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kdesk.payload import MAX_ID, as_id
from timeline import live, selectors

log = logging.getLogger(__name__)

REPLAY_LIMIT = 200
PRESENCE_STATES = {"viewing", "replying", "noting", "idle"}
# The largest client frame: the client's own are under 200 characters.
MAX_FRAME_CHARS = 16 * 1024
MAX_TEXT = 200  # topic, tab and action names


class BadFrame(Exception):
    """A client frame this consumer refuses; the message goes back in an error frame."""


def _text(content, key, *, required=True):
    value = content.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadFrame(f"{key!r} must be a string of at most {MAX_TEXT} characters.")
    return value


def _last(content, *, required):
    """The `last` event id seen: a positive integer (or a string of digits), or null."""
    value = content.get("last")
    if value is None:
        if required:
            raise BadFrame("A replay needs the last event id seen.")
        return None
    number = as_id(value) if not (isinstance(value, str) and len(value) > 19) else None
    if number is None:
        raise BadFrame(f"'last' must be an event id: a whole number from 1 to {MAX_ID}, or null.")
    return number


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or user.is_machine or not user.is_active:
            await self.close(code=4401)
            return
        self.user = user
        self.org_id = user.org_id
        self.tab = ""
        self.groups_joined = {}
        # Presence is per socket (one per tab): closing one of two tabs keeps the person here.
        self.conn = secrets.token_hex(6)
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        self.session_group = live.session_group(self.org_id, key) if key else None
        if self.session_group:
            await self.channel_layer.group_add(self.session_group, self.channel_name)
        await self.accept()

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # A handler that raised ends the consumer without `disconnect`: the others in the
            # room must still see this tab leave, not keep it listed as "viewing".
            await self._leave_everything()

    async def disconnect(self, code):
        await self._leave_everything()

    async def _leave_everything(self):
        """Idempotent: the groups are forgotten before anything is sent, so a second call (or a
        failure half-way) never announces a departure twice."""
        joined, self.groups_joined = getattr(self, "groups_joined", {}), {}
        session, self.session_group = getattr(self, "session_group", None), None
        for topic, group in joined.items():
            try:
                if topic.startswith("customer."):
                    await self._presence(group, topic, "left")
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # one room failing must not keep this tab listed in the others
                log.exception("leaving %s failed", topic)
        if session:
            try:
                await self.channel_layer.group_discard(session, self.channel_name)
            except Exception:
                log.exception("leaving the session group failed")

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every client frame: one that cannot be used gets an error frame, never a close."""
        if text_data is None:
            return await self._error("Binary frames are not accepted: send JSON text.")
        if len(text_data) > MAX_FRAME_CHARS:
            return await self._error(f"A message is at most {MAX_FRAME_CHARS} characters.")
        from rest_framework.exceptions import ParseError

        from kdesk.api.parsers import parse_json_text

        try:
            content = parse_json_text(text_data)
        except ParseError as exc:
            return await self._error(f"Messages are JSON objects: {exc.detail}")
        try:
            await self.receive_json(content, **kwargs)
        except BadFrame as exc:
            await self._error(str(exc))
        except Exception:
            # One frame that fails must not close the tab's socket (and, with it, every
            # subscription): the failure is logged and the client told.
            log.exception("websocket frame failed: %s", text_data[:200])
            await self._error("That message could not be handled; it has been logged.")

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return await self._error("Messages are JSON objects.")
        action = content.get("action")
        if action == "hello":
            self.tab = _text(content, "tab", required=False)[:64]
        elif action == "subscribe":
            await self._subscribe(_text(content, "topic"), _last(content, required=False))
        elif action == "replay":
            await self._replay_gap(_text(content, "topic"), content)
        elif action == "unsubscribe":
            await self._unsubscribe(_text(content, "topic"))
        elif action == "presence":
            topic = _text(content, "topic")
            state = content.get("state")
            if not isinstance(state, str) or state not in PRESENCE_STATES:
                raise BadFrame(f"'state' must be one of: {', '.join(sorted(PRESENCE_STATES))}.")
            group = self.groups_joined.get(topic)
            if group and topic.startswith("customer."):
                # A beat repeats the state so that others keep this tab listed (they forget a
                # tab after a while without one: a process that dies sends no "left").
                await self._presence(group, topic, state, beat=content.get("beat") is True)
        elif isinstance(action, str) and len(action) <= MAX_TEXT:
            await self._error(f"Unknown action {action!r}.")
        else:
            await self._error("'action' must be the name of an action.")

    async def _error(self, detail):
        await self.send_json({"type": "error", "detail": detail})

    async def _subscribe(self, topic, last):
        group = live.topic_group(self.org_id, self.user.pk, topic)
        allowed = group is not None and await self._may_see(topic)
        if not allowed:
            await self.send_json({"type": "denied", "topic": topic})
            return
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined[topic] = group
        await self.send_json({"type": "subscribed", "topic": topic})
        if last is not None:
            await self._replay(topic, last)
        if topic.startswith("customer."):
            await self._presence(group, topic, "viewing")

    async def _replay_gap(self, topic, content):
        """Only a topic this socket follows (its permission was checked when it subscribed);
        the others in the room are not told anything (no "viewing" again)."""
        if topic not in self.groups_joined:
            await self.send_json({"type": "denied", "topic": topic})
            return
        last = _last(content, required=True)
        newest = await self._replay(topic, last)
        await self.send_json({"type": "replayed", "topic": topic, "id": max(newest, last)})

    async def _unsubscribe(self, topic):
        group = self.groups_joined.pop(topic, None)
        if group:
            if topic.startswith("customer."):
                await self._presence(group, topic, "left")
            await self.channel_layer.group_discard(group, self.channel_name)

    @database_sync_to_async
    def _may_see(self, topic):
        return selectors.may_subscribe(org_id=self.org_id, user=self.user, topic=topic)

    @database_sync_to_async
    def _missed(self, topic, last):
        return selectors.missed_events(
            org_id=self.org_id, user=self.user, topic=topic, after=last, limit=REPLAY_LIMIT + 1
        )

    @database_sync_to_async
    def _unread(self):
        from conversations.selectors import unread_notification_count

        return unread_notification_count(org=self.org_id, user=self.user.pk)

    @database_sync_to_async
    def _render(self, events, topic):
        from timeline import fragments

        return fragments.ops_for_many(events, topic)

    async def _replay(self, topic, last):
        """Send what `topic` had after `last`, oldest first; returns the newest id sent."""
        if topic == "notifications":
            count = await self._unread()
            await self.send_json(
                {
                    "type": "event",
                    "id": last,
                    "topic": topic,
                    "ops": [{"op": "unread", "count": count}],
                    "replay": True,
                }
            )
            return last
        events = await self._missed(topic, last)
        if len(events) > REPLAY_LIMIT:
            # The page reloads the parts that show the topic; the cursor moves to now, so the
            # next reconnect does not ask for the same flood again.
            newest = await database_sync_to_async(live.last_event_id)(self.org_id)
            await self.send_json({"type": "refresh", "topic": topic, "id": newest})
            return newest
        if topic == "inbox" and events:
            # Every inbox change re-fetches the list: once is enough for any number missed.
            events = events[-1:]
        # One render for all of them: the entry lookups are read once, not once per event.
        for event, ops in zip(events, await self._render(events, topic), strict=True):
            if ops:
                await self.send_json(
                    {"type": "event", "id": event.pk, "topic": topic, "ops": ops, "replay": True}
                )
        return events[-1].pk if events else last

    def _presence_message(self, topic, state, beat=False):
        return {
            "type": "live.presence",
            "topic": topic,
            "user": self.user.pk,
            "name": self.user.display_name,
            "state": state,
            "beat": beat,
            "conn": self.conn,
            "at": time.time(),
            "channel": self.channel_name,
        }

    async def _presence(self, group, topic, state, beat=False):
        await self.channel_layer.group_send(group, self._presence_message(topic, state, beat))

    async def live_event(self, message):
        ops = message["ops"]
        if message.get("tab") and message["tab"] == self.tab:
            # This tab caused it: leave out what its response rendered, keep the rest (and the
            # id, so its cursor does not fall behind and ask for a replay).
            ops = message.get("tab_ops", ops)
        # `ts` is when the publisher sent it after commit: clients and benchmarks measure latency.
        await self.send_json(
            {
                "type": "event",
                "id": message["id"],
                "topic": message["topic"],
                "ops": ops,
                "ts": message.get("ts"),
                "prev": message.get("prev"),
                **({"notify": message["notify"]} if message.get("notify") else {}),
            }
        )

    async def live_unread(self, message):
        if message.get("tab") and message["tab"] == self.tab:
            return  # the tab that marked them read updated its own bell
        await self.send_json({"type": "unread", "count": message["count"]})

    async def session_end(self, message):
        await self.close(code=4401)

    async def live_presence(self, message):
        # Not this socket, and not the same person's other tabs: presence says who *else* is here.
        if message["channel"] == self.channel_name or message["user"] == self.user.pk:
            return
        await self.send_json(
            {
                "type": "presence",
                "topic": message["topic"],
                "user": message["user"],
                "name": message["name"],
                "state": message["state"],
                "conn": message.get("conn", ""),
                "beat": bool(message.get("beat")),
            }
        )
        # A newcomer does not know who was already here: answer its "viewing" once (per tab).
        if message["state"] == "viewing" and not message.get("beat"):
            group = self.groups_joined.get(message["topic"])
            if group:
                await self.channel_layer.send(
                    message["channel"], self._presence_message(message["topic"], "here")
                )
