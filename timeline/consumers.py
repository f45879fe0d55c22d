"""The one websocket per tab (`/ws/`): subscriptions with permission checks, replay, presence.

Client actions: `hello` {tab}, `subscribe` {topic, last?} (joins, replays what came after
`last`, says "viewing" on a customer), `unsubscribe` {topic}, `presence` {topic, state, beat?},
and `replay` {topic, last}: a subscribed socket that spotted a gap (a push whose `prev` it never
saw) gets what came after `last` again, oldest first, then `{"type": "replayed"}`; no presence.
"""

import secrets
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from kdesk.payload import as_id
from timeline import live, selectors

REPLAY_LIMIT = 200
PRESENCE_STATES = {"viewing", "replying", "noting", "idle"}


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

    async def disconnect(self, code):
        for topic, group in list(getattr(self, "groups_joined", {}).items()):
            if topic.startswith("customer."):
                await self._presence(group, topic, "left")
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "session_group", None):
            await self.channel_layer.group_discard(self.session_group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return await self._error("Messages are JSON objects.")
        action = content.get("action")
        if action == "hello":
            self.tab = str(content.get("tab", ""))[:64]
        elif action == "subscribe":
            await self._subscribe(str(content.get("topic", "")), content.get("last"))
        elif action == "replay":
            await self._replay_gap(str(content.get("topic", "")), content.get("last"))
        elif action == "unsubscribe":
            await self._unsubscribe(str(content.get("topic", "")))
        elif action == "presence":
            topic = str(content.get("topic", ""))
            state = content.get("state")
            group = self.groups_joined.get(topic)
            if group and topic.startswith("customer.") and state in PRESENCE_STATES:
                # A beat repeats the state so that others keep this tab listed (they forget a
                # tab after a while without one: a process that dies sends no "left").
                await self._presence(group, topic, state, beat=content.get("beat") is True)
        else:
            await self._error(f"Unknown action {action!r}.")

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
        last = as_id(last)
        if last is not None:
            await self._replay(topic, last)
        if topic.startswith("customer."):
            await self._presence(group, topic, "viewing")

    async def _replay_gap(self, topic, last):
        """Only a topic this socket follows (its permission was checked when it subscribed);
        the others in the room are not told anything (no "viewing" again)."""
        if topic not in self.groups_joined:
            await self.send_json({"type": "denied", "topic": topic})
            return
        last = as_id(last)
        if last is None:
            return await self._error("A replay needs the last event id seen.")
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
