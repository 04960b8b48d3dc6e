"""Live events to open screens, through the channel layer (schema: ``feed/events.py``).

Each person's sockets listen on the group ``live.{profile_id}``. Only people who are online
(``feed.presence``) are sent anything: no channel-layer send per offline follower. The
channel layer delivers at most once; a client that reconnects asks for what it missed with a
``resume`` message.
"""

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from feed import presence

logger = logging.getLogger(__name__)
CONCURRENT_SENDS = 50


def live_group(profile_id: int) -> str:
    return f"live.{profile_id}"


def _send(profile_ids: Iterable[int], event: dict) -> int:
    layer = get_channel_layer()
    if layer is None:
        return 0
    sent = 0

    async def send_all(ids):
        nonlocal sent
        # Several sends in flight at once: each is a few Redis round trips, and a chunk of
        # online followers is sent in far less time than one after another.
        for start in range(0, len(ids), CONCURRENT_SENDS):
            batch = ids[start : start + CONCURRENT_SENDS]
            await asyncio.gather(*(layer.group_send(live_group(profile_id), event) for profile_id in batch))
            sent += len(batch)

    try:
        async_to_sync(send_all)(list(profile_ids))
    except Exception:  # a live event is a courtesy; the feed itself is already written
        logger.warning("live event %s not delivered", event.get("type"), exc_info=True)
    return sent


def push_activity(profile_ids: Iterable[int], activity: dict) -> int:
    """Send ``feed.activity`` to those of ``profile_ids`` who are online."""
    return _send(presence.online_among(profile_ids), {"type": "feed.activity", "activity": activity})


def push_removed(profile_ids: Iterable[int], activity_id: int) -> int:
    return _send(presence.online_among(profile_ids), {"type": "feed.removed", "id": activity_id})


def push_notification(profile_id: int, notification: dict) -> int:
    return _send(presence.online_among([profile_id]), {"type": "notification", "notification": notification})


def push_control(profile_id: int, event: dict) -> int:
    """A control event for every socket of one person (e.g. ``session.revoked``), online or not."""
    return _send([profile_id], event)
