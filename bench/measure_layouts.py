"""What each candidate layout of a home timeline costs Redis, by raw commands: a
microbenchmark of the fan-out's one write per timeline, without Django, the database or
Celery.

For each layout it builds ``keys`` timelines at the cap (one template per fill state, copied
with ``COPY``), writes one new activity id into every one of them with pipelined calls of
5,000 (as a fan-out chunk does), and reports the wall time and Redis's CPU (``INFO
commandstats``, the commands the write sends) per 100,000 timelines, and ``MEMORY USAGE``
per entry. Layouts that trim with slack hold between ``cap`` and ``cap + slack`` ids; their
timelines are spread evenly over those fill states, so the trims are counted at the rate
they happen in steady state.

Ids are near 10^8 (a company some years in): small ids pack tighter and would flatter every
layout's bytes per entry.

The layouts, each keeping the product's invariants (a ``floor`` in the same key, a missing
key left alone, an id written twice changing nothing, nothing at or below the floor added):

* ``zset``: the layout before ``feed:home:v2:`` (its script, with a size check before the
  trim): a sorted set, score = id, ``floor`` with score ``-F`` first. An insert walks the
  whole listpack twice (``ZADD`` looks for the member, then for its place).
* ``zset newest-first``: score = ``-id``, so the newest id is inserted at the head; ``floor``
  last with score ``+F``. ``ZADD`` still scans the listpack for the member.
* ``list``: a list ``[-F, oldest, ..., newest]``: the newest id is pushed at the tail after a
  look at the tail, in O(1); only an id older than the newest (a late or retried write)
  searches.
* ``slack``: trim only once ``cap + slack`` ids are held, ``slack`` ids at a time.
* ``× N keys per call``: one script call writes N timelines. Not Redis Cluster safe (the
  keys of one call must share a hash slot, which people's timelines do not): measured to
  show what the per-call overhead costs.
"""

import time
from dataclasses import dataclass

import redis

from bench.report import Row, number

PREFIX = "bench:layout:"
BASE_ID = 100_000_000
PIPELINE = 5_000
LISTPACK_ENTRIES = "zset-max-listpack-entries"

# Before: the one-key script of the sorted-set layout, trimming at every write.
ZSET_ASC = """
local score = redis.call('ZSCORE', KEYS[1], 'floor')
if not score then return 0 end
local floor = -tonumber(score)
local was = floor
for i = 3, #ARGV do
  local id = tonumber(ARGV[i])
  if id > floor then redis.call('ZADD', KEYS[1], id, ARGV[i]) end
end
local cap, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[1]) > cap + slack + 1 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 1, -(cap + 1))
  local oldest = redis.call('ZRANGE', KEYS[1], 1, 1, 'WITHSCORES')
  if tonumber(oldest[2]) - 1 > floor then floor = tonumber(oldest[2]) - 1 end
end
if floor ~= was then redis.call('ZADD', KEYS[1], -floor, 'floor') end
return 1
"""

# Newest first: score -id; the floor last, score +F.
ZSET_DESC = """
local written = 0
local cap, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
for k = 1, #KEYS do
  local last = redis.call('ZRANGE', KEYS[k], -1, -1, 'WITHSCORES')
  if last[1] then
    written = written + 1
    local floor = tonumber(last[2])
    for i = 3, #ARGV do
      local id = tonumber(ARGV[i])
      if id > floor then redis.call('ZADD', KEYS[k], -id, ARGV[i]) end
    end
    local size = redis.call('ZCARD', KEYS[k])
    if size > cap + slack + 1 then
      local newest_gone = redis.call('ZRANGE', KEYS[k], cap, cap)[1]
      redis.call('ZREMRANGEBYRANK', KEYS[k], cap, -2)
      redis.call('ZADD', KEYS[k], tonumber(newest_gone), 'floor')
    end
  end
end
return written
"""

# A list [-F, oldest, ..., newest].
LIST = """
local written = 0
local cap, slack = tonumber(ARGV[1]), tonumber(ARGV[2])
for k = 1, #KEYS do
  local newest = redis.call('LINDEX', KEYS[k], -1)
  if newest then
    written = written + 1
    newest = tonumber(newest)
    local size = 0
    for i = 3, #ARGV do
      local id = tonumber(ARGV[i])
      if id > newest then
        size = redis.call('RPUSH', KEYS[k], id)
        newest = id
      end
    end
    if size > cap + slack + 1 then
      local cut = size - cap - 1
      local newest_gone = redis.call('LINDEX', KEYS[k], cut)
      redis.call('LTRIM', KEYS[k], cut, -1)
      redis.call('LSET', KEYS[k], 0, newest_gone)
    end
  end
end
return written
"""


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str  # "zset", "zset-desc" or "list"
    cap: int
    slack: int = 0
    per_call: int = 1

    @property
    def cluster_safe(self) -> bool:
        return self.per_call == 1

    @property
    def script(self) -> str:
        return {"zset": ZSET_ASC, "zset-desc": ZSET_DESC, "list": LIST}[self.kind]

    @property
    def commands(self) -> list[str]:
        return ["evalsha"]


CANDIDATES = [
    Layout("zset, cap 800, trim at every write (before)", "zset", 800),
    Layout("zset, cap 800, trim with slack 80", "zset", 800, slack=80),
    Layout("zset newest-first, cap 800, trim at every write", "zset-desc", 800),
    Layout("zset newest-first, cap 800, slack 80", "zset-desc", 800, slack=80),
    Layout("zset newest-first, cap 400, slack 40", "zset-desc", 400, slack=40),
    Layout(
        "zset newest-first, cap 400, slack 40, × 100 keys per call", "zset-desc", 400, slack=40, per_call=100
    ),
    Layout("list, cap 800, trim at every write", "list", 800),
    Layout("list, cap 800, slack 80", "list", 800, slack=80),
    Layout("list, cap 400, slack 40", "list", 400, slack=40),
    Layout("list, cap 400, slack 40, × 100 keys per call", "list", 400, slack=40, per_call=100),
]


def _fill(r: redis.Redis, layout: Layout, key: str, count: int) -> None:
    """A timeline holding ``count`` ids above a floor."""
    ids = [BASE_ID + 2 * n for n in range(1, count + 1)]
    floor = BASE_ID
    r.delete(key)
    if layout.kind == "zset":
        r.zadd(key, {"floor": -floor, **{str(i): i for i in ids}})
    elif layout.kind == "zset-desc":
        r.zadd(key, {"floor": floor, **{str(i): -i for i in ids}})
    else:
        r.rpush(key, -floor, *ids)


def _build(r: redis.Redis, layout: Layout, count: int) -> list[str]:
    """``count`` timelines at the cap, evenly spread over the fill states of the slack."""
    states = layout.slack + 1
    templates = [f"{PREFIX}template:{n}" for n in range(states)]
    for n, template in enumerate(templates):
        _fill(r, layout, template, layout.cap + n)
    keys = [f"{PREFIX}{n}" for n in range(count)]
    with r.pipeline(transaction=False) as pipe:
        for n, key in enumerate(keys):
            pipe.copy(templates[n % states], key, replace=True)
            if n % 10_000 == 9_999:
                pipe.execute()
        pipe.execute()
    r.delete(*templates)
    return keys


def _usec(r: redis.Redis, commands: list[str]) -> int:
    stats = r.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("usec", 0)) for c in commands)


def _write(r: redis.Redis, layout: Layout, keys: list[str], activity_id: int) -> int:
    sha = r.script_load(layout.script)
    written = 0
    for start in range(0, len(keys), PIPELINE):
        batch = keys[start : start + PIPELINE]
        with r.pipeline(transaction=False) as pipe:
            for n in range(0, len(batch), layout.per_call):
                group = batch[n : n + layout.per_call]
                pipe.evalsha(sha, len(group), *group, layout.cap, layout.slack, activity_id)
            written += sum(pipe.execute())
    return written


def _bytes_per_entry(r: redis.Redis, layout: Layout, keys: list[str]) -> float:
    """``MEMORY USAGE`` per id, over a sample of the timelines (every fill state)."""
    sample = keys[: max(layout.slack + 1, 50)]
    total = entries = 0
    for key in sample:
        total += int(r.memory_usage(key, samples=0))
        entries += (r.zcard(key) if layout.kind.startswith("zset") else r.llen(key)) - 1
    return total / entries


def measure(r: redis.Redis, layout: Layout, count: int, rounds: int = 2) -> dict:
    keys = _build(r, layout, count)
    encoding = r.object("encoding", keys[0])
    wall = usec = 0.0
    written = 0
    for n in range(rounds):
        activity_id = BASE_ID + 10 * layout.cap + 1 + n
        before = _usec(r, layout.commands)
        started = time.perf_counter()
        written += _write(r, layout, keys, activity_id)
        wall += time.perf_counter() - started
        usec += _usec(r, layout.commands) - before
    per_entry = _bytes_per_entry(r, layout, keys)
    for start in range(0, len(keys), 10_000):
        r.delete(*keys[start : start + 10_000])
    entries = count * rounds
    if written != entries:
        raise RuntimeError(f"{layout.name}: {written} of {entries} timelines written")
    return {
        "layout": layout.name,
        "encoding": encoding.decode() if isinstance(encoding, bytes) else encoding,
        "timelines": count,
        "rounds": rounds,
        "wall_s_per_100k": wall / entries * 100_000,
        "redis_cpu_s_per_100k": usec / 1e6 / entries * 100_000,
        "redis_usec_per_entry": usec / entries,
        "bytes_per_entry": per_entry,
        "cluster_safe": layout.cluster_safe,
    }


def layout_rows(r: redis.Redis, scale) -> list[Row]:
    """One row per candidate layout: Redis CPU and wall time of one write into each of
    100,000 timelines at the cap (measured on a scaled count), and bytes per entry."""
    count = 5_000 if getattr(scale, "name", "full") == "quick" else 20_000
    previous = r.config_get(LISTPACK_ENTRIES)[LISTPACK_ENTRIES]
    r.config_set(LISTPACK_ENTRIES, 1024)
    try:
        results = [measure(r, layout, count) for layout in CANDIDATES]
    finally:
        r.config_set(LISTPACK_ENTRIES, previous)
    before = results[0]
    rows = []
    for result in results:
        safe = "" if result["cluster_safe"] else "; not Redis Cluster safe"
        rows.append(
            Row(
                metric=f"timeline layout: {result['layout']} — one write into 100,000 timelines "
                f"at the cap ({result['timelines']:,} measured, pipelined by {PIPELINE:,})",
                socialblue=number(result["redis_cpu_s_per_100k"], "s Redis CPU", 2)
                + f" ({result['redis_usec_per_entry']:.1f} µs/entry), "
                + number(result["wall_s_per_100k"], "s wall", 2),
                peer=f"{result['bytes_per_entry']:.1f} B/entry ({result['encoding']}){safe}",
                ratio=result["redis_cpu_s_per_100k"] / before["redis_cpu_s_per_100k"],
                values=result,
            )
        )
    return rows


if __name__ == "__main__":
    import os

    from bench.report import markdown

    client = redis.Redis.from_url(
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"), socket_timeout=60
    )
    found = layout_rows(client, None)
    print(
        markdown(
            found,
            {
                "started": "-",
                "scale": "full",
                "seconds": 0,
                "machine": "-",
                "redis_version": "-",
                "postgres_version": "-",
                "load_average_at_start": "-",
                "load_average_at_end": "-",
                "company": "-",
            },
        )
    )
