"""A deploy drops every socket of a server at once, and their clients come back together: a
storm of handshakes, and before it a storm of disconnects. Each socket joins and leaves its
channel-layer groups, each command on a connection of the layer's Redis pool (100 of them);
more sockets than that at once must wait their turn, not fail (a failed join closes the
socket with 1013 and its client comes straight back; a failed leave leaves the socket in its
groups for a day).

Against a real server (uvicorn) and the Redis channel layer.
"""

import asyncio

import pytest
import redis
from channels.db import database_sync_to_async as in_db
from channels.layers import get_channel_layer
from django.conf import settings

from feed import presence
from feed.consumers import LAYER_COMMANDS_IN_FLIGHT
from feed.live import live_group
from profiles.models import DeviceToken
from socialblue.ws_auth import token_group
from tests.sockets import WAIT_SECONDS, feed_socket

pytestmark = pytest.mark.django_db(transaction=True)

# More than the channel layer's pool holds (redis-py's default, 100 connections).
SOCKETS = 160


def _token(profile) -> tuple[int, str]:
    token, key = DeviceToken.objects.create(user=profile.user, device="phone")
    return token.pk, key


def _members(group: str) -> int:
    layer = get_channel_layer()
    url = getattr(settings, "CHANNEL_REDIS_URL", "") or settings.REDIS_URL
    client = redis.Redis.from_url(url)
    try:
        return client.zcard(layer._group_key(group))
    finally:
        client.close()


async def test_a_storm_of_handshakes_and_of_disconnects_waits_for_the_pool_instead_of_failing(live_asgi, ana):
    assert SOCKETS > 100 > LAYER_COMMANDS_IN_FLIGHT
    token_id, key = await in_db(_token)(ana)

    async def open_one():
        ws = await asyncio.wait_for(feed_socket(live_asgi, key), 60)
        return ws, await asyncio.wait_for(ws.recv(), 60)

    opened = await asyncio.gather(*(open_one() for _ in range(SOCKETS)), return_exceptions=True)
    sockets = [ws for ws, _first in (o for o in opened if not isinstance(o, BaseException))]
    greetings = [first for o in opened if not isinstance(o, BaseException) for _ws, first in [o]]
    try:
        assert len(sockets) == SOCKETS, [o for o in opened if isinstance(o, BaseException)][:3]
        assert all('"type": "hello"' in g or '"type":"hello"' in g for g in greetings), greetings[:3]
        assert await in_db(_members)(live_group(ana.pk)) == SOCKETS
        assert await in_db(_members)(token_group(token_id)) == SOCKETS
        assert presence.online_among([ana.pk]) == [ana.pk]
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    # Every socket left its groups, and Ana is offline once the last one went.
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while asyncio.get_running_loop().time() < deadline:
        left = await in_db(_members)(live_group(ana.pk)) + await in_db(_members)(token_group(token_id))
        if left == 0 and not presence.online_among([ana.pk]):
            break
        await asyncio.sleep(0.05)
    assert await in_db(_members)(live_group(ana.pk)) == 0
    assert await in_db(_members)(token_group(token_id)) == 0
    assert presence.online_among([ana.pk]) == []
