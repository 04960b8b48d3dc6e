"""The live feed socket, ``/ws/feed/`` (events: ``feed/events.py``).

Each signed-in person's sockets join the group ``live.{profile_id}`` and count as online
(``feed.presence``) while open. Whatever the server sends to the group reaches every open
screen of theirs. The channel layer delivers at most once, so a client that reconnects sends
``{"type": "resume", "after": <last activity id>}`` and receives what it missed, oldest
first, then ``{"type": "resume.done", "last": <id>}``. Unauthenticated sockets are closed
with code 4401.

A socket lives no longer than the credential that opened it (``socialblue.ws_auth``): it
also joins its credential's group, so revoking a token or signing a browser out closes it
(``credential.revoked``, 4401); a ``resume`` checks the credential again before replaying
anything, and a token that expires while its socket is open is noticed at the next heartbeat.
"""

import asyncio
import contextlib

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from feed import presence
from feed.live import live_group
from socialblue.fields import ID_MAX
from socialblue.ws_auth import CLOSE_UNAUTHENTICATED, still_signed_in

CLOSE_REVOKED = 4403


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
        self.opened_as = await database_sync_to_async(_status_of)(self.profile_id)
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await sync_to_async(presence.connected, thread_sensitive=False)(self.profile_id)
        self._heartbeat = asyncio.create_task(self._beat())
        await self.send_json({"type": "hello", "user": user.get_username()})

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
        await sync_to_async(presence.disconnected, thread_sensitive=False)(self.profile_id)
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
            for activity in activities:
                await self.send_json({"type": "feed.activity", "activity": activity})
            last = activities[-1]["id"] if activities else after
            await self.send_json({"type": "resume.done", "last": last})
        else:
            await self.send_json({"type": "error", "detail": "Unknown message type."})

    # Events sent to the group are forwarded as they are.
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
