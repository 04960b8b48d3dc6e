"""Home timelines in Redis. This module is the only one that reads or writes their keys.

One sorted set per person, ``feed:home:{profile_id}``: members and scores are activity ids.
Each timeline is a single key, so timelines spread over a Redis Cluster by key.

* Beside at most ``FEED_MAX_ITEMS`` activity ids, a timeline holds the member ``floor``
  with score ``-F``: the timeline is complete for ids above ``F``; older items may be
  missing (trimmed at the cap, or a follow merged only the followee's recent items) and are
  read from the database. ``floor`` also tells "built, and empty" from "missing": a missing
  timeline is rebuilt from the database, never patched, because a fan-out writing into a
  missing key would create a timeline that looks complete but holds one item.
* Writes go through one-key scripts that do nothing when the key is missing, trim to the
  cap and raise the floor in the same step.
* A timeline expires ``FEED_ACTIVE_DAYS`` after it was last read: the fan-out skips people
  inactive for longer (plus a day of slack), so a timeline that exists has received every
  fan-out since it was built.

Redis settings relied on (see the README): ``zset-max-listpack-entries`` at least
``FEED_MAX_ITEMS + 1`` keeps each timeline in the compact listpack encoding (about 7 bytes
per entry instead of about 100 as a skiplist); an eviction policy of ``volatile-*`` or
``noeviction`` (timelines are rebuilt when evicted, Celery's queues must not be).

Without ``REDIS_URL`` (the embedded default) there are no timelines: :func:`enabled` is
False and the feed is read from the database.
"""

from collections.abc import Iterable, Sequence
from functools import cache

import redis
from django.conf import settings

FLOOR = "floor"
KEY_PREFIX = "feed:home:"
LOCK_PREFIX = "feed:rebuild-lock:"

# KEYS[1] timeline; ARGV[1] cap; ARGV[2] a floor to raise to (0: none); ARGV[3..] ids.
# Adds ids above the floor to a timeline that exists, trims the oldest beyond the cap
# (``floor`` has the lowest score, rank 0, and stays), and raises the floor past what the
# trim removed.
_ADD_SCRIPT = """
local score = redis.call('ZSCORE', KEYS[1], 'floor')
if not score then return 0 end
local floor = -tonumber(score)
local was = floor
local raise = tonumber(ARGV[2])
if raise > floor then floor = raise end
for i = 3, #ARGV do
  local id = tonumber(ARGV[i])
  if id > floor then redis.call('ZADD', KEYS[1], id, ARGV[i]) end
end
local removed = redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(tonumber(ARGV[1]) + 1))
if removed > 0 then
  local oldest = redis.call('ZRANGE', KEYS[1], 1, 1, 'WITHSCORES')
  if oldest[2] and tonumber(oldest[2]) - 1 > floor then floor = tonumber(oldest[2]) - 1 end
end
if floor ~= was then redis.call('ZADD', KEYS[1], -floor, 'floor') end
return 1
"""


class TimelineUnavailable(Exception):
    """Redis could not be reached; callers fall back to the database."""


def enabled() -> bool:
    return bool(settings.REDIS_URL)


@cache
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


@cache
def _add_script(url: str):
    return _client_for(url).register_script(_ADD_SCRIPT)


def key(profile_id: int) -> str:
    return f"{KEY_PREFIX}{profile_id}"


def _ttl_seconds() -> int:
    return settings.FEED_ACTIVE_DAYS * 24 * 3600


def _cap() -> int:
    return settings.FEED_MAX_ITEMS


def add(activity_id: int, profile_ids: Iterable[int]) -> int:
    """Write one activity into the existing timelines of ``profile_ids`` with one pipeline.
    Returns how many timelines took it (missing ones are left to be rebuilt)."""
    script = _add_script(settings.REDIS_URL)
    cap = _cap()
    try:
        with client().pipeline(transaction=False) as pipe:
            for profile_id in profile_ids:
                script(keys=[key(profile_id)], args=[cap, 0, activity_id], client=pipe)
            return sum(pipe.execute())
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def add_many(profile_id: int, activity_ids: Sequence[int], *, complete_above: int = 0) -> bool:
    """Merge several activities into one existing timeline (after a follow).

    ``complete_above``: the merged ids are all there is above this id, but older ones were
    left out; the timeline's floor rises to it. False when the timeline is missing: it will
    be built with them when next read.
    """
    if not activity_ids and not complete_above:
        return True
    script = _add_script(settings.REDIS_URL)
    try:
        return bool(script(keys=[key(profile_id)], args=[_cap(), complete_above, *activity_ids]))
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def remove(activity_ids: Sequence[int], profile_ids: Iterable[int]) -> None:
    """Take activities out of the timelines of ``profile_ids`` (one pipeline)."""
    if not activity_ids:
        return
    members = [str(a) for a in activity_ids]
    try:
        with client().pipeline(transaction=False) as pipe:
            for profile_id in profile_ids:
                pipe.zrem(key(profile_id), *members)
            pipe.execute()
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def read(profile_id: int, *, before: int | None, count: int) -> tuple[list[int], int] | None:
    """Up to ``count`` activity ids older than ``before``, newest first, and the timeline's
    floor: it is complete above the floor, and ids at or below it must be read from the
    database. None when the timeline is missing.

    Reading keeps the timeline alive for another ``FEED_ACTIVE_DAYS``.
    """
    k = key(profile_id)
    upper = f"({before}" if before else "+inf"
    try:
        with client().pipeline(transaction=False) as pipe:
            pipe.zscore(k, FLOOR)
            pipe.zrevrangebyscore(k, upper, "(0", start=0, num=count)
            pipe.expire(k, _ttl_seconds())
            floor_score, ids, _ = pipe.execute()
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc
    if floor_score is None:
        return None
    floor = int(-floor_score)
    return [i for i in (int(m) for m in ids) if i > floor], floor


def replace(profile_id: int, activity_ids: Sequence[int], *, complete_above: int = 0) -> None:
    """Build a timeline from scratch: the newest ``FEED_MAX_ITEMS`` of ``activity_ids``, which
    must be every activity of the feed above ``complete_above``."""
    newest = sorted(activity_ids, reverse=True)[: _cap()]
    floor = complete_above
    if len(activity_ids) > len(newest):
        floor = max(floor, newest[-1] - 1)
    k = key(profile_id)
    mapping: dict[str, float] = {FLOOR: -floor}
    mapping.update({str(a): a for a in newest})
    try:
        with client().pipeline(transaction=True) as pipe:
            pipe.delete(k)
            pipe.zadd(k, mapping)
            pipe.expire(k, _ttl_seconds())
            pipe.execute()
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def exists(profile_id: int) -> bool:
    try:
        return bool(client().exists(key(profile_id)))
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def claim_rebuild(profile_id: int, *, seconds: int = 60) -> bool:
    """Take the rebuild lock of one timeline; False if someone else holds it."""
    try:
        return bool(client().set(f"{LOCK_PREFIX}{profile_id}", "1", nx=True, ex=seconds))
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def release_rebuild(profile_id: int) -> None:
    try:
        client().delete(f"{LOCK_PREFIX}{profile_id}")
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc


def drop(profile_id: int) -> None:
    """Forget a timeline (it is rebuilt when next read)."""
    try:
        client().delete(key(profile_id))
    except redis.RedisError as exc:
        raise TimelineUnavailable(str(exc)) from exc
