"""Live events to open screens (schema: ``feed/events.py``).

Feed events (``feed.activity``, ``feed.removed``) are encoded once and published once per
audience class and chunk through ``feed.stream``, which every ASGI process delivers to its own
sockets. Notifications and control events go through the channel layer: each person's sockets
listen on the group ``live.{profile_id}``. Only people who are online (``feed.presence``) are
sent anything: no message per offline follower. Both paths deliver at most once; a client that
reconnects asks for what it missed with a ``resume`` message.

Control events that close sockets go to everyone they concern, online or not: to a person's
group, or to the group of one credential (``cred.token.<id>``, ``cred.session.<hash>``, see
``socialblue.ws_auth``) that every socket opened with it joins.
"""

import asyncio
import logging
from collections.abc import Iterable

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from feed import presence, stream

logger = logging.getLogger(__name__)
CONCURRENT_SENDS = 50


def live_group(profile_id: int) -> str:
    return f"live.{profile_id}"


def _send(profile_ids: Iterable[int], event: dict) -> int:
    return _send_to_groups([live_group(profile_id) for profile_id in profile_ids], event)


def _send_to_groups(groups: list[str], event: dict) -> int:
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0

    async def send_all(groups):
        nonlocal sent
        # Several sends in flight at once: each is a few Redis round trips, and a chunk of
        # online followers is sent in far less time than one after another.
        for start in range(0, len(groups), CONCURRENT_SENDS):
            batch = groups[start : start + CONCURRENT_SENDS]
            await asyncio.gather(*(layer.group_send(group, event) for group in batch))
            sent += len(batch)

    try:
        async_to_sync(send_all)(groups)
    except Exception:  # a live event is a courtesy; the feed itself is already written
        logger.warning("live event %s not delivered", event.get("type"), exc_info=True)
    return sent


def activity_frame(activity: dict) -> bytes:
    """The ``feed.activity`` frame of one render, encoded once for all who get it."""
    return orjson.dumps({"type": "feed.activity", "activity": activity})


def publish_activity(online_ids: list[int], activity_id: int, frame: bytes) -> int:
    """Publish ``feed.activity`` (its :func:`activity_frame`) to ``online_ids``: people the
    caller found online and who may see this render. One message, however many."""
    if online_ids:
        stream.publish(stream.ACTIVITY, activity_id, online_ids, frame)
    return len(online_ids)


def push_activity(profile_ids: Iterable[int], activity: dict) -> int:
    """Send ``feed.activity`` to those of ``profile_ids`` who are online."""
    return publish_activity(presence.online_among(profile_ids), activity["id"], activity_frame(activity))


def push_removed(profile_ids: Iterable[int], activity_id: int, *, gone: bool = False) -> int:
    """Send ``feed.removed`` to those of ``profile_ids`` who are online. ``gone``: the item is
    removed for everyone (deleted), so every process drops a later frame of it whoever it is
    for; the message is published even when nobody listed is online, for that."""
    online = presence.online_among(profile_ids)
    if online or gone:
        frame = orjson.dumps({"type": "feed.removed", "id": activity_id})
        stream.publish(stream.GONE if gone else stream.REMOVED, activity_id, online, frame)
    return len(online)


def push_notification(profile_id: int, notification: dict) -> int:
    return _send(presence.online_among([profile_id]), {"type": "notification", "notification": notification})


def push_control(profile_id: int, event: dict) -> int:
    """A control event for every socket of one person (e.g. ``session.revoked``), online or not."""
    return _send([profile_id], event)


def close_credential(group: str) -> int:
    """Close every socket opened with one credential (``socialblue.ws_auth`` names its group):
    ``credential.revoked``, then code 4401. Sent whether or not anyone seems online: presence
    is a hint, and a socket left open here would outlive its credential."""
    return _send_to_groups([group], {"type": "credential.revoked"})
