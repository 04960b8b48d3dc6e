"""Live events to open screens, through the channel layer (schema: ``feed/events.py``).

Each person's sockets listen on the group ``live.{profile_id}``. Only people who are online
(``feed.presence``) are sent anything: no channel-layer send per offline follower. The
channel layer delivers at most once; a client that reconnects asks for what it missed with a
``resume`` message.

Control events that close sockets go to everyone they concern, online or not: to a person's
group, or to the group of one credential (``cred.token.<id>``, ``cred.session.<hash>``, see
``socialblue.ws_auth``) that every socket opened with it joins.
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


def close_credential(group: str) -> int:
    """Close every socket opened with one credential (``socialblue.ws_auth`` names its group):
    ``credential.revoked``, then code 4401. Sent whether or not anyone seems online: presence
    is a hint, and a socket left open here would outlive its credential."""
    return _send_to_groups([group], {"type": "credential.revoked"})
