"""Who has a live feed socket open, so that live events go to online people only.

Full mode: one Redis sorted set, ``feed:online`` (member: profile id, score: the last
heartbeat, epoch seconds), plus a hash counting each person's open sockets so that closing
one tab does not mark someone offline who has another open. A crashed server leaves stale
members; they stop counting once their heartbeat is older than ``PRESENCE_TTL_SECONDS``.
Both keys live beside the timelines (``TIMELINE_REDIS_URL``, :func:`feed.timelines.client`); on
a Redis Cluster each is one key, and ``online_among`` stays one command on one primary.
Embedded mode (one process): a counter in memory.
"""

import time
from collections import Counter
from collections.abc import Iterable

from django.conf import settings

from feed.timelines import UNAVAILABLE

ONLINE_KEY = "feed:online"
SOCKETS_KEY = "feed:online:sockets"
PRESENCE_TTL_SECONDS = 90
HEARTBEAT_SECONDS = 30

_local = Counter()


def _client():
    from feed.timelines import client

    return client()


def connected(profile_id: int) -> None:
    if not settings.REDIS_URL:
        _local[profile_id] += 1
        return
    with _client().pipeline(transaction=False) as pipe:
        pipe.hincrby(SOCKETS_KEY, profile_id, 1)
        pipe.zadd(ONLINE_KEY, {profile_id: time.time()})
        pipe.execute()


def heartbeat(profile_id: int) -> None:
    if settings.REDIS_URL:
        _client().zadd(ONLINE_KEY, {profile_id: time.time()})


def disconnected(profile_id: int) -> None:
    if not settings.REDIS_URL:
        _local[profile_id] -= 1
        if _local[profile_id] <= 0:
            del _local[profile_id]
        return
    c = _client()
    if c.hincrby(SOCKETS_KEY, profile_id, -1) <= 0:
        with c.pipeline(transaction=False) as pipe:
            pipe.hdel(SOCKETS_KEY, profile_id)
            pipe.zrem(ONLINE_KEY, profile_id)
            pipe.execute()


def online_among(profile_ids: Iterable[int]) -> list[int]:
    """The people of ``profile_ids`` who have a live socket open (one Redis command)."""
    ids = list(profile_ids)
    if not ids:
        return []
    if not settings.REDIS_URL:
        return [i for i in ids if _local.get(i, 0) > 0]
    try:
        scores = _client().zmscore(ONLINE_KEY, ids)
    except UNAVAILABLE:
        return []
    fresh = time.time() - PRESENCE_TTL_SECONDS
    return [i for i, score in zip(ids, scores, strict=True) if score is not None and score >= fresh]


def online_now(limit: int = 1_000_000) -> list[int]:
    """Everyone online (for live events of authors who are not fanned out)."""
    if not settings.REDIS_URL:
        return [i for i, n in _local.items() if n > 0]
    try:
        members = _client().zrangebyscore(ONLINE_KEY, time.time() - PRESENCE_TTL_SECONDS, "+inf", 0, limit)
    except UNAVAILABLE:
        return []
    return [int(m) for m in members]
