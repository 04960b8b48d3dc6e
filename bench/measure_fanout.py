"""Fan-out: timeline entries written per second per worker against the raw floor, in both
encodings; and the wall time of one big fan-out by real Celery workers."""

import statistics
import time

from django.conf import settings

from bench import keys
from bench.graph import Plan, Scale
from bench.report import Row, number
from feed import fanout, services, timelines
from feed.models import Activity, Post
from profiles.models import Profile

FANOUT_THROUGHPUT_TARGET = 0.5  # of the floor
BIG_FANOUT_SECONDS = 2.0  # per 100,000 followers
BYTES_PER_ENTRY_TARGET = 16


def _new_activities(author_id: int, count: int) -> list[int]:
    """Posts and their activities, stored directly: no fan-out is queued for them (the bench
    writes them into timelines itself)."""
    ids = []
    for n in range(count):
        post = Post.objects.create(author_id=author_id, body=f"Fan-out bench {n}", visibility="company")
        activity = Activity.objects.create(
            actor_id=author_id, verb="posted", object_type="post", object_id=post.pk, visibility="company"
        )
        ids.append(activity.pk)
    return ids


def _timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def _throughput_one_encoding(r, company: Plan, scale: Scale, *, listpack_entries: int) -> dict:
    """Rebuild the measured keys in one encoding, then write into them round by round:
    ``timelines.add`` (the product's Redis write), the raw floor, and ``fan_out_chunk`` (the
    whole body of a Celery chunk task: the activity row, the removed-check, the live push)."""
    template = company.star_followers[0]
    measured = company.star_followers[1 : 1 + scale.fanout_keys]
    cap = settings.FEED_MAX_ITEMS
    previous = keys.listpack_entries(r)
    keys.set_listpack_entries(r, listpack_entries)
    try:
        timelines.replace(template, list(range(1, cap + 2)))
        keys.clone_timeline(r, template, measured)
    finally:
        keys.set_listpack_entries(r, previous)
    encoding = keys.encoding(r, measured[0])
    ids = iter(_new_activities(company.live_author, 3 * scale.fanout_rounds))
    totals = {"add": 0.0, "floor": 0.0, "chunk": 0.0}
    redis_usec = {"add": 0, "floor": 0}
    for _round in range(scale.fanout_rounds):
        add_id, floor_id, chunk_id = next(ids), next(ids), next(ids)
        before = keys.command_usec(r)
        totals["add"] += _timed(timelines.add, add_id, measured)
        redis_usec["add"] += keys.usec_since(r, before, ["evalsha"])
        before = keys.command_usec(r)
        totals["floor"] += _timed(keys.raw_add, r, floor_id, measured, cap=cap)
        redis_usec["floor"] += keys.usec_since(r, before, ["zadd", "zremrangebyrank"])
        totals["chunk"] += _timed(fanout.fan_out_chunk, chunk_id, list(measured))
    entries = len(measured) * scale.fanout_rounds
    size, members = keys.memory_usage(r, measured[0])
    return {
        "encoding": encoding,
        "keys": len(measured),
        "rounds": scale.fanout_rounds,
        "add_per_s": entries / totals["add"],
        "floor_per_s": entries / totals["floor"],
        "chunk_per_s": entries / totals["chunk"],
        "redis_usec_per_entry_add": redis_usec["add"] / entries,
        "redis_usec_per_entry_floor": redis_usec["floor"] / entries,
        "timeline_bytes": size,
        "timeline_members": members,
        "bytes_per_entry": size / (members - 1),
    }


def throughput(r, company: Plan, scale: Scale) -> tuple[list[Row], dict]:
    listpack = _throughput_one_encoding(r, company, scale, listpack_entries=1024)
    skiplist = _throughput_one_encoding(r, company, scale, listpack_entries=0)
    # Leave the measured keys as the rest of the bench expects them: listpack, at the cap.
    keys.set_listpack_entries(r, 1024)
    template = company.star_followers[0]
    timelines.replace(template, list(range(1, settings.FEED_MAX_ITEMS + 2)))
    keys.clone_timeline(r, template, company.star_followers[1 : 1 + scale.fanout_keys])

    rows = []
    for result in (listpack, skiplist):
        enc = result["encoding"]
        ratio = result["add_per_s"] / result["floor_per_s"]
        label = f"chunks of {result['keys']:,} timelines at the cap"
        rows.append(
            Row(
                metric=f"fan-out write, {enc} (timelines.add, {label}), per worker",
                socialblue=number(result["add_per_s"], "entries/s"),
                peer=number(result["floor_per_s"], "entries/s (raw pipelined ZADD+ZREMRANGEBYRANK)"),
                ratio=ratio,
                target="≥ 0.50 of the floor",
                met=ratio >= FANOUT_THROUGHPUT_TARGET,
                values=result,
            )
        )
        chunk_ratio = result["chunk_per_s"] / result["floor_per_s"]
        rows.append(
            Row(
                metric=f"fan-out write, {enc} (fan_out_chunk: the whole Celery chunk task), per worker",
                socialblue=number(result["chunk_per_s"], "entries/s"),
                peer=number(result["floor_per_s"], "entries/s (raw)"),
                ratio=chunk_ratio,
                target="≥ 0.50 of the floor",
                met=chunk_ratio >= FANOUT_THROUGHPUT_TARGET,
            )
        )
        rows.append(
            Row(
                metric=f"Redis CPU per entry written, {enc}",
                socialblue=number(result["redis_usec_per_entry_add"], "µs (one-key script)"),
                peer=number(result["redis_usec_per_entry_floor"], "µs (raw ZADD+trim)"),
                ratio=result["redis_usec_per_entry_add"] / result["redis_usec_per_entry_floor"],
            )
        )
    storage = {"listpack": listpack, "skiplist": skiplist}
    return rows, storage


def memory_rows(storage: dict) -> list[Row]:
    rows = []
    for enc, result in storage.items():
        per_entry = result["bytes_per_entry"]
        rows.append(
            Row(
                metric=f"Redis bytes per timeline entry at the cap, {enc} "
                f"({result['timeline_members'] - 1} ids + floor)",
                socialblue=number(per_entry, "B/entry"),
                peer=f"MEMORY USAGE {result['timeline_bytes']:,} B",
                target=f"≤ {BYTES_PER_ENTRY_TARGET} B",
                met=per_entry <= BYTES_PER_ENTRY_TARGET,
            )
        )
    return rows


# --- One big fan-out by real workers ----------------------------------------------------------


def _post(author: Profile, body: str) -> int:
    post = services.post_create(author=author, body=body, visibility="company")
    return Activity.objects.get(object_type="post", object_id=post.pk).pk


def _wait_fanned_out(activity_ids: list[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while Activity.objects.filter(pk__in=activity_ids, fanned_out_at__isnull=True).exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"activities {activity_ids} were not fanned out in {timeout} s")
        time.sleep(0.05)


def warm_up_worker(company: Plan) -> None:
    """A few small fan-outs, so that every worker process has loaded its code and opened its
    connections before anything is timed."""
    author = Profile.objects.get(pk=company.plain_viewer)
    _wait_fanned_out([_post(author, f"Warm-up {n}") for n in range(6)])


def big_fanout(r, company: Plan, scale: Scale, *, workers: int) -> Row:
    followers = sorted(company.star_followers)
    chunk = settings.FEED_FANOUT_CHUNK
    # The last follower of every chunk: the chunks run in parallel, so any may finish last.
    sample = sorted({*followers[chunk - 1 :: chunk], followers[-1]})
    star = Profile.objects.get(pk=company.star)
    runs = []
    for n in range(scale.fanout_runs):
        cpu_before = keys.cpu_seconds(r)
        started = time.perf_counter()
        post = services.post_create(author=star, body=f"All-hands update {n}", visibility="company")
        committed = time.perf_counter()
        activity_id = Activity.objects.get(object_type="post", object_id=post.pk).pk
        deadline = started + 120
        done_at: dict[int, float] = {}  # sample follower -> seconds after the post
        while len(done_at) < len(sample):
            if time.perf_counter() > deadline:
                raise RuntimeError("the big fan-out did not finish in 120 s")
            now = time.perf_counter() - started
            for profile_id in keys.holding(r, activity_id, [p for p in sample if p not in done_at]):
                done_at[profile_id] = now
            time.sleep(0.002)
        _wait_fanned_out([activity_id])
        written = len(keys.holding(r, activity_id, followers))
        runs.append(
            {
                "seconds": max(done_at.values()),
                "commit_seconds": committed - started,
                "timelines_written": written,
                "chunks_done_seconds": [round(done_at[p], 3) for p in sample],
                "redis_cpu_seconds": keys.cpu_seconds(r) - cpu_before,
            }
        )
    seconds = statistics.median(run["seconds"] for run in runs)
    first_chunk = statistics.median(min(run["chunks_done_seconds"]) for run in runs)
    target = BIG_FANOUT_SECONDS * len(followers) / 100_000
    scaled = "" if len(followers) == 100_000 else " (2 s per 100,000, scaled)"
    return Row(
        metric=f"wall time, one post → {len(followers):,} followers' timelines, "
        f"{workers} Celery worker processes (median of {len(runs)})",
        socialblue=number(seconds, "s"),
        peer=f"first chunk written after {first_chunk:.2f} s; "
        f"Redis CPU {statistics.median(run['redis_cpu_seconds'] for run in runs):.2f} s; "
        f"{min(run['timelines_written'] for run in runs):,} timelines written",
        target=f"≤ {target:g} s{scaled}",
        met=seconds <= target,
        values={"runs": runs, "followers": len(followers), "chunk": chunk},
    )
