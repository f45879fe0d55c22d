"""The one websocket per tab (`/ws/`): subscriptions with permission checks, replay, presence."""

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
        await self.accept()

    async def disconnect(self, code):
        for topic, group in list(getattr(self, "groups_joined", {}).items()):
            if topic.startswith("customer."):
                await self._presence(group, topic, "left")
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return await self._error("Messages are JSON objects.")
        action = content.get("action")
        if action == "hello":
            self.tab = str(content.get("tab", ""))[:64]
        elif action == "subscribe":
            await self._subscribe(str(content.get("topic", "")), content.get("last"))
        elif action == "unsubscribe":
            await self._unsubscribe(str(content.get("topic", "")))
        elif action == "presence":
            topic = str(content.get("topic", ""))
            state = content.get("state")
            group = self.groups_joined.get(topic)
            if group and topic.startswith("customer.") and state in PRESENCE_STATES:
                await self._presence(group, topic, state)
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

    async def _replay(self, topic, last):
        from timeline import fragments

        if topic == "notifications":
            count = await self._unread()
            await self.send_json(
                {
                    "type": "event",
                    "id": last,
                    "topic": topic,
                    "ops": [{"op": "unread", "count": count}],
                }
            )
            return
        events = await self._missed(topic, last)
        if len(events) > REPLAY_LIMIT:
            await self.send_json({"type": "refresh", "topic": topic})
            return
        for event in events:
            ops = await database_sync_to_async(fragments.ops_for)(event, topic)
            if ops:
                await self.send_json({"type": "event", "id": event.pk, "topic": topic, "ops": ops})

    async def _presence(self, group, topic, state):
        await self.channel_layer.group_send(
            group,
            {
                "type": "live.presence",
                "topic": topic,
                "user": self.user.pk,
                "name": self.user.display_name,
                "state": state,
                "at": time.time(),
                "channel": self.channel_name,
            },
        )

    async def live_event(self, message):
        if message.get("tab") and message["tab"] == self.tab:
            return  # this tab rendered the change itself
        # `ts` is when the publisher sent it after commit: clients and benchmarks measure latency.
        await self.send_json(
            {
                "type": "event",
                "id": message["id"],
                "topic": message["topic"],
                "ops": message["ops"],
                "ts": message.get("ts"),
                "prev": message.get("prev"),
                **({"notify": message["notify"]} if message.get("notify") else {}),
            }
        )

    async def live_presence(self, message):
        if message["channel"] == self.channel_name:
            return
        await self.send_json(
            {
                "type": "presence",
                "topic": message["topic"],
                "user": message["user"],
                "name": message["name"],
                "state": message["state"],
            }
        )
        # A newcomer does not know who was already here: answer its "viewing" once.
        if message["state"] == "viewing" and message["user"] != self.user.pk:
            group = self.groups_joined.get(message["topic"])
            if group:
                await self.channel_layer.send(
                    message["channel"],
                    {
                        "type": "live.presence",
                        "topic": message["topic"],
                        "user": self.user.pk,
                        "name": self.user.display_name,
                        "state": "here",
                        "at": time.time(),
                        "channel": self.channel_name,
                    },
                )
