"""What the bench does to timeline keys without ``feed.timelines``: the raw floor it is
measured against, and inspection (encoding, memory, Redis CPU).

The product reads and writes timelines through ``feed.timelines`` only; so does the bench,
with two exceptions kept here: the floor (a raw pipelined ``RPUSHX`` per timeline, by
definition not through the product) and :func:`clone_timeline`, which copies one timeline that
``timelines.replace`` built into many keys: 100,000 ``replace`` calls are 100,000 round trips
and as many 400-id commands from Python, while ``COPY`` duplicates the built value as it is, in
microseconds.

The bench's own look at timelines (:func:`holding`) uses ``LPOS``, a command the fan-out's
write does not send (only a late write's slow path does), so that its Redis CPU can be told
apart from the fan-out's in ``INFO commandstats``.
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
    """(bytes, members) of one timeline, every member counted (SAMPLES 0), the floor
    included."""
    k = timelines.key(profile_id)
    return int(r.memory_usage(k, samples=0)), int(r.llen(k))


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


RAW_COMMANDS = ["rpushx"]


def raw_add(r: redis.Redis, activity_id: int, profile_ids: Sequence[int]) -> None:
    """The floor: one pipelined ``RPUSHX`` per timeline (push at the tail of a list that
    exists). No script, no look at the newest id (a retried write would duplicate), no floor,
    no trim: the least Redis can do to put an id into a timeline."""
    member = str(activity_id)
    with r.pipeline(transaction=False) as pipe:
        for profile_id in profile_ids:
            pipe.rpushx(timelines.key(profile_id), member)
        pipe.execute()


def holding(r: redis.Redis, activity_id: int, profile_ids: Sequence[int], batch: int = 10_000) -> list[int]:
    """Those of ``profile_ids`` whose timeline holds ``activity_id`` (``LPOS`` from the tail,
    where a new id is: O(1) for the newest)."""
    member = str(activity_id)
    found = []
    for start in range(0, len(profile_ids), batch):
        ids = profile_ids[start : start + batch]
        with r.pipeline(transaction=False) as pipe:
            for profile_id in ids:
                pipe.lpos(timelines.key(profile_id), member, rank=-1)
            positions = pipe.execute()
        found += [p for p, s in zip(ids, positions, strict=True) if s is not None]
    return found


VERIFY_COMMANDS = ["lpos", "info"]  # what the bench sends to look, not what the product sends


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
