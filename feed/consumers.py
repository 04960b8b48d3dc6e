"""The live feed socket, ``/ws/feed/``.

Each signed-in person's sockets join the group :func:`live_group` of their profile id;
whatever the server sends to that group (``feed.activity``, ``feed.removed``,
``notification``) reaches every open screen of theirs as JSON. Unauthenticated sockets are
closed with code 4401.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from socialblue.ws_auth import CLOSE_UNAUTHENTICATED


def live_group(profile_id: int) -> str:
    return f"live.{profile_id}"


class FeedConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # A close code can only be sent on an accepted socket; before accept the
            # client would see a bare HTTP 403 and could not tell why.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = live_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "user": user.get_username()})

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    # Events sent to the group are forwarded as they are.
    async def feed_activity(self, event):
        await self.send_json(event)

    async def feed_removed(self, event):
        await self.send_json(event)

    async def notification(self, event):
        await self.send_json(event)
