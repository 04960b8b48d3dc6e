"""What the bench does to timeline keys without ``feed.timelines``: the raw floor it is
measured against, and inspection (encoding, memory, Redis CPU).

The product reads and writes timelines through ``feed.timelines`` only; so does the bench,
with two exceptions kept here: the floor (raw ``ZADD`` + ``ZREMRANGEBYRANK``, by definition
not through the product) and :func:`clone_timeline`, which copies one timeline that
``timelines.replace`` built into many keys. Building 100,000 listpack timelines at the cap one
``replace`` at a time costs about 3.4 ms of Redis CPU each (listpack inserts are linear, so a
fresh 800-entry listpack is quadratic): six minutes. ``COPY`` duplicates the built value as it
is, in microseconds.
"""

from collections.abc import Iterable, Sequence

import redis

from feed import timelines

LISTPACK_ENTRIES = "zset-max-listpack-entries"


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=60)


def listpack_entries(r: redis.Redis) -> int:
    return int(r.config_get(LISTPACK_ENTRIES)[LISTPACK_ENTRIES])


def set_listpack_entries(r: redis.Redis, value: int) -> None:
    """Applies to keys created after it (a key keeps the encoding it was created with until
    it outgrows it)."""
    r.config_set(LISTPACK_ENTRIES, value)


def encoding(r: redis.Redis, profile_id: int) -> str:
    value = r.execute_command("OBJECT", "ENCODING", timelines.key(profile_id))
    return value.decode() if isinstance(value, bytes) else str(value)


def memory_usage(r: redis.Redis, profile_id: int) -> tuple[int, int]:
    """(bytes, members) of one timeline, every member counted (SAMPLES 0)."""
    k = timelines.key(profile_id)
    return int(r.memory_usage(k, samples=0)), int(r.zcard(k))


def clone_timeline(r: redis.Redis, source_id: int, target_ids: Iterable[int], batch: int = 10_000) -> int:
    """Copy one timeline as it is (encoding, members and TTL) into other people's keys."""
    source = timelines.key(source_id)
    done = 0
    targets = list(target_ids)
    for start in range(0, len(targets), batch):
        with r.pipeline(transaction=False) as pipe:
            for profile_id in targets[start : start + batch]:
                pipe.copy(source, timelines.key(profile_id), replace=True)
            done += sum(bool(x) for x in pipe.execute())
    return done


def raw_add(r: redis.Redis, activity_id: int, profile_ids: Sequence[int], *, cap: int) -> None:
    """The floor: one pipelined ``ZADD`` and ``ZREMRANGEBYRANK`` per timeline, keeping the
    lowest member (the product's ``floor``) and the newest ``cap`` ids, as the product's
    script does. No script, no floor bookkeeping, no check that the key exists."""
    member = str(activity_id)
    with r.pipeline(transaction=False) as pipe:
        for profile_id in profile_ids:
            k = timelines.key(profile_id)
            pipe.zadd(k, {member: activity_id})
            pipe.zremrangebyrank(k, 1, -(cap + 1))
        pipe.execute()


def holding(r: redis.Redis, activity_id: int, profile_ids: Sequence[int], batch: int = 10_000) -> list[int]:
    """Those of ``profile_ids`` whose timeline holds ``activity_id``."""
    member = str(activity_id)
    found = []
    for start in range(0, len(profile_ids), batch):
        ids = profile_ids[start : start + batch]
        with r.pipeline(transaction=False) as pipe:
            for profile_id in ids:
                pipe.zscore(timelines.key(profile_id), member)
            scores = pipe.execute()
        found += [p for p, s in zip(ids, scores, strict=True) if s is not None]
    return found


def command_usec(r: redis.Redis) -> dict[str, int]:
    """Redis CPU spent per command so far (INFO commandstats), in microseconds."""
    return {name.removeprefix("cmdstat_"): int(v["usec"]) for name, v in r.info("commandstats").items()}


def usec_since(r: redis.Redis, before: dict[str, int], commands: Iterable[str] | None = None) -> int:
    after = command_usec(r)
    names = commands if commands is not None else after.keys()
    return sum(after.get(n, 0) - before.get(n, 0) for n in names)


def cpu_seconds(r: redis.Redis) -> float:
    """CPU time of Redis's main thread (the one that runs commands) so far."""
    info = r.info("cpu")
    return float(info["used_cpu_user_main_thread"]) + float(info["used_cpu_sys_main_thread"])
