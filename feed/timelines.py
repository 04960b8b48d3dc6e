"""Home timelines in Redis. This module is the only one that reads or writes their keys.

One Redis list per person, ``feed:home:v2:{profile_id}``: ``[-F, oldest id, ..., newest id]``.
Each timeline is a single key, and every script touches one key, so timelines spread over a
Redis Cluster by key.

* The head of the list is the *floor* ``F``, stored negated so that no activity id can ever
  equal it: the timeline is complete for ids above ``F``; older items may be missing
  (trimmed at the cap, or a follow merged only the followee's recent items) and are read
  from the database. The floor also tells "built, and empty" from "missing": a missing
  timeline is rebuilt from the database, never patched, because a fan-out writing into a
  missing key would create a timeline that looks complete but holds one item.
* Ids are kept in ascending order after the floor. The fan-out's write is a look at the tail
  and a push: O(1) whatever the timeline holds, and an id already there (a retried task)
  changes nothing. Only an id older than the newest (a late write, a follow's merge) takes
  the slow path, which rewrites the list.
* Trimming has slack: a timeline is cut back to ``FEED_MAX_ITEMS`` only once it holds
  ``FEED_MAX_ITEMS + slack`` ids (a tenth more), and the floor rises to the newest id cut.
  Readers never see the slack: :func:`read` treats a timeline as its newest
  ``FEED_MAX_ITEMS`` ids, with the floor below them.
* Nothing at or below the floor is ever added, so a late write cannot bring back what a trim
  or a raised floor let go; an activity removed while its fan-out ran is taken out again by
  the fan-out itself (:func:`feed.fanout.fan_out_chunk`).
* A timeline expires ``FEED_ACTIVE_DAYS`` after it was last read: the fan-out skips people
  inactive for longer (plus a day of slack), so a timeline that exists has received every
  fan-out since it was built.

Why a list and not a sorted set (``bench/measure_layouts.py`` measures both, by raw
commands): in the compact listpack encoding a sorted set's ``ZADD`` scans the whole listpack
for the member before inserting, so each write into a timeline at the cap cost about 35 µs
of Redis CPU (3.5 s per 100,000 timelines); a list takes the write in about 4 µs and holds
an id in about 6 bytes instead of 12 (a listpack stores a sorted set's member and score both).
A sorted set's skiplist encoding is faster to write but takes about 100 bytes per entry.

The key prefix carries the layout's version: keys of an older layout are simply missing to
this one (rebuilt when read, under the rebuild lock) and expire by their TTL.

Redis settings relied on (see the README): ``list-max-listpack-size`` at its default (-2,
8 KB nodes: a timeline at the cap is one or two listpack nodes); an eviction policy of
``volatile-*`` or ``noeviction`` (timelines are rebuilt when evicted, Celery's queues must
not be).

The timelines (and presence, :mod:`feed.presence`) live on ``TIMELINE_REDIS_URL``: a plain
Redis, or a Redis Cluster (``TIMELINE_REDIS_CLUSTER``: declared, or asked of the server once,
when the client is first made). On a cluster each command and each script names one key, so
it goes to the primary serving that key's slot, and a pipeline (the fan-out's write into
thousands of timelines) is split by redis-py into one pipeline per primary, sent together.
Scripts are called by their SHA1 (``EVALSHA``); a primary that does not know one (restarted,
failed over, flushed) answers NOSCRIPT, the script is loaded on every primary, and the calls
it refused are sent again. Any error of the store, a primary away or the cluster down
included, is :class:`TimelineUnavailable`: the feed is then read from the database.

Without ``REDIS_URL`` (the embedded default) there are no timelines: :func:`enabled` is
False and the feed is read from the database.
"""

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis.cluster import RedisCluster
from redis.connection import parse_url
from redis.exceptions import NoScriptError, RedisClusterException

KEY_PREFIX = "feed:home:v2:"
LOCK_PREFIX = "feed:rebuild-lock:"

# KEYS[1] timeline; ARGV[1] cap; ARGV[2] slack; ARGV[3] a floor to raise to (0: none);
# ARGV[4..] ids, ascending. Returns 0 when the timeline is missing (nothing written), else 1.
_ADD_SCRIPT = """
local k = KEYS[1]
local tail = redis.call('LINDEX', k, -1)
if not tail then return 0 end
tail = tonumber(tail)
local cap, slack, raise = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local size = 0
if raise == 0 and #ARGV == 4 then
  -- The fan-out's write: one id, usually newer than anything held.
  local id = tonumber(ARGV[4])
  if tail > 0 then
    if id == tail then return 1 end
    if id > tail then size = redis.call('RPUSH', k, ARGV[4]) end
  elseif id > -tail then
    size = redis.call('RPUSH', k, ARGV[4])
  end
  if size == 0 then
    -- Older than the newest: a retried task, or a fan-out that overtook another. Such an id
    -- is nearly always among the newest few; look for it, or its place, there.
    if tail <= 0 or id <= -tonumber(redis.call('LINDEX', k, 0)) then return 1 end
    -- Its place is found among them and taken at the tail (what follows it popped and
    -- pushed again): no scan of the whole list.
    local newest = redis.call('LRANGE', k, -16, -1)
    for i = #newest, 1, -1 do
      local held = tonumber(newest[i])
      if held == id then return 1 end
      if held < id then
        redis.call('RPOP', k, #newest - i)
        size = redis.call('RPUSH', k, ARGV[4], unpack(newest, i + 1))
        break
      end
    end
    if size == 0 then size = -1 end
  end
else
  size = -1
end
if size == -1 then
  -- The slow path: merge the ids (ascending) into the list and write it again, every id
  -- kept as the string it is.
  local held = redis.call('LRANGE', k, 0, -1)
  local floor = -tonumber(held[1])
  if raise > floor then floor = raise end
  local ids = {}
  local i, j, last = 2, 4, floor
  while i <= #held or j <= #ARGV do
    local h = i <= #held and tonumber(held[i]) or nil
    local a = j <= #ARGV and tonumber(ARGV[j]) or nil
    if a == nil or (h ~= nil and h <= a) then
      if h > last then ids[#ids + 1] = held[i]; last = h end
      i = i + 1
    else
      if a > last then ids[#ids + 1] = ARGV[j]; last = a end
      j = j + 1
    end
  end
  local first = 1
  if #ids > cap + slack then
    first = #ids - cap + 1
    floor = tonumber(ids[first - 1])
  end
  local ttl = redis.call('PTTL', k)
  redis.call('DEL', k)
  redis.call('RPUSH', k, 0 - floor)
  for i = first, #ids, 1000 do
    redis.call('RPUSH', k, unpack(ids, i, math.min(i + 999, #ids)))
  end
  if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
  return 1
end
if size > cap + slack + 1 then
  -- Cut back to the cap; the floor rises to the newest id cut.
  local cut = size - cap - 1
  local newest_cut = redis.call('LINDEX', k, cut)
  redis.call('LTRIM', k, cut, -1)
  redis.call('LSET', k, 0, -tonumber(newest_cut))
end
return 1
"""

# KEYS[1] timeline; ARGV[1] before (0: from the newest); ARGV[2] count; ARGV[3] cap;
# ARGV[4] TTL in seconds. Returns false when the timeline is missing, else
# {floor, ids ascending...}: up to ``count`` of the newest ``cap`` ids below ``before``.
_READ_SCRIPT = """
local k = KEYS[1]
local head = redis.call('LINDEX', k, 0)
if not head then return false end
redis.call('EXPIRE', k, ARGV[4])
local floor = -tonumber(head)
local before, count, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local last = redis.call('LLEN', k) - 1
local first = 1
if last > cap then
  -- The slack beyond the cap is not shown: the floor is the newest id below the cap.
  first = last - cap + 1
  floor = tonumber(redis.call('LINDEX', k, first - 1))
end
local stop = last
if before > 0 then
  -- Binary search for the newest id below ``before``.
  local lo, hi = first, last
  stop = first - 1
  while lo <= hi do
    local mid = math.floor((lo + hi) / 2)
    if tonumber(redis.call('LINDEX', k, mid)) < before then stop = mid; lo = mid + 1 else hi = mid - 1 end
  end
end
local result = {floor}
if stop >= first and count > 0 then
  local ids = redis.call('LRANGE', k, math.max(first, stop - count + 1), stop)
  for i = 1, #ids do result[i + 1] = ids[i] end
end
return result
"""


class TimelineUnavailable(Exception):
    """Redis could not be reached; callers fall back to the database."""


# What the timelines' store raises when it is away: any redis-py error (connection refused, a
# timeout, CLUSTERDOWN, a failover's MOVED storm), and the cluster client's own errors, which
# are not RedisErrors (no node reachable, slots served by nobody).
UNAVAILABLE = (redis.RedisError, RedisClusterException)

_CLIENT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "health_check_interval": 30}


class _Script:
    """A Lua script called by its SHA1, on a client or a pipeline, plain or cluster (redis-py's
    ``Script`` objects cannot be queued on a cluster pipeline)."""

    def __init__(self, text: str):
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    def __call__(self, key: str, args: Sequence):
        c = client()
        try:
            return c.execute_command("EVALSHA", self.sha, 1, key, *args)
        except NoScriptError:
            c.script_load(self.text)  # on a cluster: on every primary
            return c.execute_command("EVALSHA", self.sha, 1, key, *args)

    def pipelined(self, calls: Sequence[tuple[str, Sequence]]) -> list:
        """Run the script once per ``(key, args)`` in one pipeline (on a cluster, one per
        primary, sent together); the results in order."""
        c = client()
        results = self._send(c, calls)
        refused = [i for i, result in enumerate(results) if isinstance(result, NoScriptError)]
        if refused:
            c.script_load(self.text)
            for i, result in zip(refused, self._send(c, [calls[i] for i in refused]), strict=True):
                results[i] = result
        for result in results:
            if isinstance(result, Exception):
                raise result
        return results

    def _send(self, c, calls) -> list:
        cluster = isinstance(c, RedisCluster)
        with c.pipeline(transaction=False) as pipe:
            for key, args in calls:
                # A cluster pipeline would ask a server for the keys of every EVALSHA queued
                # (COMMAND GETKEYS, one round trip each); the key's primary is known here.
                options = {"target_nodes": c.get_node_from_key(key)} if cluster else {}
                pipe.execute_command("EVALSHA", self.sha, 1, key, *args, **options)
            return pipe.execute(raise_on_error=False)


_ADD = _Script(_ADD_SCRIPT)
_READ = _Script(_READ_SCRIPT)


def enabled() -> bool:
    """Full mode (``REDIS_URL`` set): the feed has Redis timelines."""
    return bool(settings.REDIS_URL)


def is_cluster(url: str) -> bool:
    """Does the Redis at ``url`` run in cluster mode (``INFO cluster``: ``cluster_enabled:1``)?
    Asked of db 0: a cluster node refuses any other."""
    options = {**parse_url(url), "db": 0, **_CLIENT_OPTIONS}
    pool = redis.ConnectionPool(**options)
    try:
        return redis.Redis(connection_pool=pool).info("cluster").get("cluster_enabled") == 1
    finally:
        pool.disconnect()


@cache
def client_for(url: str, cluster: str) -> redis.Redis | RedisCluster:
    """The client of the store at ``url``; ``cluster`` is ``auto``, ``1`` or ``0`` (as
    ``TIMELINE_REDIS_CLUSTER``). Made once per URL and mode; a failure (the store away) is not
    remembered, and the next call asks again."""
    if cluster == "auto":
        cluster = "1" if is_cluster(url) else "0"
    if cluster == "0":
        return redis.Redis.from_url(url, **_CLIENT_OPTIONS)
    if parse_url(url).get("db", 0) != 0:
        raise ImproperlyConfigured(f"TIMELINE_REDIS_URL {url!r} is a Redis Cluster, which has db 0 only.")
    return RedisCluster.from_url(url, **_CLIENT_OPTIONS)


def client() -> redis.Redis | RedisCluster:
    """The timelines' store: a ``RedisCluster`` in cluster mode, else a plain ``Redis``."""
    return client_for(settings.TIMELINE_REDIS_URL, settings.TIMELINE_REDIS_CLUSTER)


def ping() -> None:
    """Raise if the store, or any primary of it, does not answer (for readiness probes)."""
    c = client()
    if isinstance(c, RedisCluster):
        c.ping(target_nodes=RedisCluster.PRIMARIES)
    else:
        c.ping()


def key(profile_id: int) -> str:
    return f"{KEY_PREFIX}{profile_id}"


def _ttl_seconds() -> int:
    return settings.FEED_ACTIVE_DAYS * 24 * 3600


def _cap() -> int:
    return settings.FEED_MAX_ITEMS


def slack() -> int:
    """Ids a timeline may hold beyond the cap before it is cut back: a trim every write would
    cost more than the write itself."""
    return max(1, settings.FEED_MAX_ITEMS // 10)


def add(activity_id: int, profile_ids: Iterable[int]) -> int:
    """Write one activity into the existing timelines of ``profile_ids`` with one pipeline.
    Returns how many timelines took it (missing ones are left to be rebuilt)."""
    args = (_cap(), slack(), 0, activity_id)
    calls = [(key(profile_id), args) for profile_id in profile_ids]
    if not calls:
        return 0
    try:
        return sum(_ADD.pipelined(calls))
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def add_many(profile_id: int, activity_ids: Sequence[int], *, complete_above: int = 0) -> bool:
    """Merge several activities into one existing timeline (after a follow).

    ``complete_above``: the merged ids are all there is above this id, but older ones were
    left out; the timeline's floor rises to it. False when the timeline is missing: it will
    be built with them when next read.
    """
    if not activity_ids and not complete_above:
        return True
    ids = sorted(activity_ids)
    try:
        return bool(_ADD(key(profile_id), [_cap(), slack(), complete_above, *ids]))
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def remove(activity_ids: Sequence[int], profile_ids: Iterable[int]) -> None:
    """Take activities out of the timelines of ``profile_ids`` (one pipeline; on a cluster, one
    per primary, sent together)."""
    if not activity_ids:
        return
    members = [str(a) for a in activity_ids]
    try:
        with client().pipeline(transaction=False) as pipe:
            for profile_id in profile_ids:
                k = key(profile_id)
                for member in members:
                    pipe.lrem(k, 0, member)
            pipe.execute()
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def read(profile_id: int, *, before: int | None, count: int) -> tuple[list[int], int] | None:
    """Up to ``count`` activity ids older than ``before``, newest first, and the timeline's
    floor: it is complete above the floor, and ids at or below it must be read from the
    database. None when the timeline is missing.

    Reading keeps the timeline alive for another ``FEED_ACTIVE_DAYS``.
    """
    try:
        result = _READ(key(profile_id), [before or 0, count, _cap(), _ttl_seconds()])
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc
    if result is None:
        return None
    floor, *ids = result
    return [int(i) for i in reversed(ids)], int(floor)


def replace(profile_id: int, activity_ids: Sequence[int], *, complete_above: int = 0) -> None:
    """Build a timeline from scratch: the newest ``FEED_MAX_ITEMS`` of ``activity_ids``, which
    must be every activity of the feed above ``complete_above``."""
    newest = sorted(set(activity_ids), reverse=True)
    floor = complete_above
    if len(newest) > _cap():
        floor = max(floor, newest[_cap()])
        newest = newest[: _cap()]
    newest = [a for a in newest if a > floor]
    k = key(profile_id)
    try:
        with client().pipeline(transaction=True) as pipe:
            pipe.delete(k)
            pipe.rpush(k, -floor, *reversed(newest))
            pipe.expire(k, _ttl_seconds())
            pipe.execute()
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def exists(profile_id: int) -> bool:
    try:
        return bool(client().exists(key(profile_id)))
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def claim_rebuild(profile_id: int, *, seconds: int = 60) -> bool:
    """Take the rebuild lock of one timeline; False if someone else holds it."""
    try:
        return bool(client().set(f"{LOCK_PREFIX}{profile_id}", "1", nx=True, ex=seconds))
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def release_rebuild(profile_id: int) -> None:
    try:
        client().delete(f"{LOCK_PREFIX}{profile_id}")
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc


def drop(profile_id: int) -> None:
    """Forget a timeline (it is rebuilt when next read)."""
    try:
        client().delete(key(profile_id))
    except UNAVAILABLE as exc:
        raise TimelineUnavailable(str(exc)) from exc
