"""The live feed socket, ``/ws/feed/`` (events: ``feed/events.py``).

Each signed-in person's sockets count as online (``feed.presence``) while open. Feed events
reach them through this process's ``feed.stream`` (one subscription per process, the same
frame for every socket it is for), through a bounded outbox per socket: a socket that falls
behind is closed with 4408. Notifications and control events reach them through the channel
layer, on the group ``live.{profile_id}``. Both deliver at most once, so a client that
reconnects sends ``{"type": "resume", "after": <last activity id>}`` and receives what it
missed, oldest first, then ``{"type": "resume.done", "last": <id>}``. Unauthenticated sockets
are closed with code 4401.

A socket lives no longer than the credential that opened it (``socialblue.ws_auth``): it
also joins its credential's group, so revoking a token or signing a browser out closes it
(``credential.revoked``, 4401); a ``resume`` checks the credential again before replaying
anything, and a token that expires while its socket is open is noticed at the next heartbeat.
"""

import asyncio
import contextlib
import weakref

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from feed import presence, stream
from feed.live import live_group
from socialblue.fields import ID_MAX
from socialblue.ws_auth import CLOSE_UNAUTHENTICATED, still_signed_in

CLOSE_REVOKED = 4403
# Channel-layer commands in flight per process (per event loop). Each holds a connection of
# the layer's Redis pool, which has 100 (redis-py's default); a deploy drops every socket at
# once, and a storm of handshakes (or of disconnects) would ask for more and fail with
# MaxConnectionsError, each failure a socket closed with 1013 that comes straight back. Past
# this many, a socket's group commands wait their turn instead.
LAYER_COMMANDS_IN_FLIGHT = 50
_layer_gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


def _layer_gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _layer_gates.get(loop)
    if gate is None:
        gate = _layer_gates[loop] = asyncio.Semaphore(LAYER_COMMANDS_IN_FLIGHT)
    return gate


def _resume(profile_id: int, after: int) -> list[dict]:
    from feed.rendering import render_items
    from feed.selectors import feed_since
    from profiles.selectors import profile_queryset

    viewer = profile_queryset().filter(pk=profile_id).first()
    if viewer is None:
        return []
    items = feed_since(viewer=viewer, after=after, limit=settings.FEED_RESUME_MAX)
    return render_items(items, viewer=viewer)


def _status_of(profile_id: int) -> str | None:
    from profiles.models import Profile

    return Profile.objects.filter(pk=profile_id).values_list("status", flat=True).first()


class FeedConsumer(AsyncJsonWebsocketConsumer):
    profile_id: int | None = None
    credential = None
    # The person's employment status when the socket opened: a credential that ends because
    # their access narrowed (they left) is told as ``session.revoked``, not as a sign-out.
    opened_as: str | None = None
    _heartbeat: asyncio.Task | None = None
    # Feed frames waiting to be sent, and the task that sends them one after another.
    _outbox: asyncio.Queue | None = None
    _writer: asyncio.Task | None = None
    _closing: asyncio.Task | None = None
    _send_lock: asyncio.Lock | None = None

    def _groups(self) -> list[str]:
        return [live_group(self.profile_id), self.credential.group]

    async def connect(self):
        user = self.scope.get("user")
        credential = self.scope.get("credential")
        if user is None or not user.is_authenticated or credential is None:
            # A close code can only be sent on an accepted socket; before accept the client
            # would see a bare HTTP 403 and could not tell why.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.profile_id, self.credential = user.pk, credential
        # A token's handshake read the profile in the query that checked the token
        # (socialblue.authentication): its status as of this handshake, without a query more.
        profile = user._state.fields_cache.get("profile")
        if profile is not None:
            self.opened_as = profile.status
        else:
            self.opened_as = await database_sync_to_async(_status_of)(self.profile_id)
        async with _layer_gate():
            for group in self._groups():
                await self.channel_layer.group_add(group, self.channel_name)
        self._outbox = asyncio.Queue(maxsize=stream.SOCKET_OUTBOX_FRAMES)
        self._send_lock = asyncio.Lock()
        await stream.local().join(self.profile_id, self)
        await self.accept()
        await sync_to_async(presence.connected, thread_sensitive=False)(self.profile_id)
        self._heartbeat = asyncio.create_task(self._beat())
        await self.send_json({"type": "hello", "user": user.get_username()})
        self._writer = asyncio.create_task(self._write())

    def push(self, frame: str) -> None:
        """Queue one feed frame (``feed.stream`` calls this for each socket it is for). A
        socket whose outbox is full has fallen behind: closed with 4408, it resumes."""
        if self._closing is not None:
            return
        try:
            self._outbox.put_nowait(frame)
        except asyncio.QueueFull:
            self.close_soon(stream.CLOSE_FELL_BEHIND)

    def close_soon(self, code: int) -> None:
        """Stop sending feed frames and close with ``code``; the frames still queued are
        dropped (the client resumes after reconnecting)."""
        if self._closing is not None:
            return
        stream.local().leave(self.profile_id, self)
        if self._writer is not None:
            self._writer.cancel()
        # The close frame goes out once the client has read what its transport holds.
        self._closing = asyncio.create_task(self.close(code=code))

    async def _write(self):
        while True:
            frame = await self._outbox.get()
            async with self._send_lock:
                try:
                    await self.base_send({"type": "websocket.send", "text": frame})
                except OSError:  # the client went; its disconnect follows
                    return

    async def _beat(self):
        while True:
            await asyncio.sleep(presence.HEARTBEAT_SECONDS)
            if self.credential.expired() and not await self._still_signed_in():
                return
            await sync_to_async(presence.heartbeat, thread_sensitive=False)(self.profile_id)

    async def _still_signed_in(self) -> bool:
        """Check the socket's credential again; close the socket (4401) if it no longer signs
        the person in."""
        credential = await still_signed_in(self.scope)
        if credential is None:
            await self.credential_revoked({})
            return False
        self.credential = credential  # a token in use is renewed: its new expiry
        return True

    async def disconnect(self, code):
        if self.profile_id is None:
            return
        if self._heartbeat is not None and self._heartbeat is not asyncio.current_task():
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        stream.local().leave(self.profile_id, self)
        if self._writer is not None:
            self._writer.cancel()
        await sync_to_async(presence.disconnected, thread_sensitive=False)(self.profile_id)
        async with _layer_gate():
            for group in self._groups():
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not text_data:
            # An empty or binary frame is no JSON either: answered, not a crashed socket.
            await self.send_json({"type": "error", "detail": "Messages are JSON text."})
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # answered with an error event, not a dropped socket

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "resume":
            after = content.get("after")
            if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= ID_MAX:
                await self.send_json({"type": "error", "detail": "resume needs 'after': an activity id."})
                return
            # The whole feed since ``after`` is a lot to hand over: only to a credential that
            # still signs the person in, not one revoked or expired while the socket was away.
            if not await self._still_signed_in():
                return
            activities = await database_sync_to_async(_resume)(self.profile_id, after)
            # Live frames wait while the replay is sent, so the two never interleave.
            async with self._send_lock:
                for activity in activities:
                    await self.send_json({"type": "feed.activity", "activity": activity})
                last = activities[-1]["id"] if activities else after
                await self.send_json({"type": "resume.done", "last": last})
        else:
            await self.send_json({"type": "error", "detail": "Unknown message type."})

    # Events sent to the group are forwarded as they are. Feed events come through
    # ``feed.stream``; one sent to the group (by a worker of the previous release during an
    # upgrade) still arrives.
    async def feed_activity(self, event):
        await self.send_json(event)

    async def feed_removed(self, event):
        await self.send_json(event)

    async def notification(self, event):
        await self.send_json(event)

    async def session_revoked(self, event):
        """The person's sign-ins were revoked (offboarding): say so, then close."""
        await self.send_json({"type": "session.revoked"})
        await self.close(code=CLOSE_REVOKED)

    async def credential_revoked(self, event):
        """The credential that opened this socket ended (revoked, expired, signed out, or a
        new password): say so, then close; the client signs in again."""
        if await self._access_narrowed():
            # Its credentials end because the person left: that is the reason to tell, and
            # the same as their other sockets hear.
            await self.session_revoked(event)
            return
        await self.send_json({"type": "credential.revoked"})
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _access_narrowed(self) -> bool:
        from profiles.audience import access_narrows

        now = await database_sync_to_async(_status_of)(self.profile_id)
        return self.opened_as is not None and now is not None and access_narrows(self.opened_as, now)
