"""Fan-out: timeline entries written per second per worker against the raw floor, what one
Redis primary can take (and so what a Redis Cluster of several takes), bytes per entry, and
the wall time of one big fan-out by real Celery workers."""

import os
import statistics
import time
from pathlib import Path

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


def _measured_timelines(r, keys_: list[int], *, base: int = 0) -> None:
    """``keys_`` at the cap, spread evenly over the fill states of the trim's slack (cap to
    cap + slack ids), so that trims happen at the rate they do in steady state. One template
    per state, built through ``timelines``, copied into the rest."""
    cap, slack = settings.FEED_MAX_ITEMS, timelines.slack()
    states = slack + 1
    for state in range(states):
        template = keys_[state]
        timelines.replace(template, [base + n for n in range(1, cap + 1)])
        for n in range(cap + 1, cap + 1 + state):
            timelines.add(base + n, [template])
        keys.clone_timeline(r, template, keys_[state + states :: states])


def _throughput(r, company: Plan, scale: Scale) -> dict:
    """Write into the measured timelines round by round: ``timelines.add`` (the product's
    Redis write), the raw floor, and ``fan_out_chunk`` (the whole body of a Celery chunk task:
    the activity row, the live push, the writes, the removed-check)."""
    measured = company.star_followers[: scale.fanout_keys]
    _measured_timelines(r, measured)
    encoding = keys.encoding(r, measured[0])
    ids = iter(_new_activities(company.live_author, 3 * scale.fanout_rounds))
    totals = {"add": 0.0, "floor": 0.0, "chunk": 0.0}
    redis_usec = {"add": 0, "floor": 0, "chunk": 0}
    for _round in range(scale.fanout_rounds):
        add_id, floor_id, chunk_id = next(ids), next(ids), next(ids)
        before = keys.command_usec(r)
        totals["add"] += _timed(timelines.add, add_id, measured)
        redis_usec["add"] += keys.usec_since(r, before, ["evalsha"])
        before = keys.command_usec(r)
        totals["floor"] += _timed(keys.raw_add, r, floor_id, measured)
        redis_usec["floor"] += keys.usec_since(r, before, keys.RAW_COMMANDS)
        before = keys.command_usec(r)
        totals["chunk"] += _timed(fanout.fan_out_chunk, chunk_id, list(measured))
        redis_usec["chunk"] += keys.usec_since(r, before, ["evalsha"])
    entries = len(measured) * scale.fanout_rounds
    # Leave the measured keys as the rest of the bench expects them: at the cap.
    _measured_timelines(r, measured)
    return {
        "encoding": encoding,
        "keys": len(measured),
        "rounds": scale.fanout_rounds,
        "add_per_s": entries / totals["add"],
        "floor_per_s": entries / totals["floor"],
        "chunk_per_s": entries / totals["chunk"],
        "redis_usec_per_entry_add": redis_usec["add"] / entries,
        "redis_usec_per_entry_floor": redis_usec["floor"] / entries,
        "redis_usec_per_entry_chunk": redis_usec["chunk"] / entries,
    }


def _memory(r, company: Plan) -> dict:
    """``MEMORY USAGE`` of one timeline at the cap and one at the cap and its slack, with ids
    near 10^8 (a company some years in: small ids pack tighter and would flatter it)."""
    spare = max(company.star_followers) + 1_000_000  # nobody's: a key of its own
    base = 100_000_000
    cap, slack = settings.FEED_MAX_ITEMS, timelines.slack()
    timelines.replace(spare, [base + 2 * n for n in range(1, cap + 1)])
    at_cap = keys.memory_usage(r, spare)
    for n in range(cap + 1, cap + slack + 1):
        timelines.add(base + 2 * n, [spare])
    with_slack = keys.memory_usage(r, spare)
    encoding = keys.encoding(r, spare)
    timelines.drop(spare)
    return {
        "encoding": encoding,
        "at_cap": {"bytes": at_cap[0], "ids": at_cap[1] - 1, "per_entry": at_cap[0] / (at_cap[1] - 1)},
        "with_slack": {
            "bytes": with_slack[0],
            "ids": with_slack[1] - 1,
            "per_entry": with_slack[0] / (with_slack[1] - 1),
        },
    }


def throughput(r, company: Plan, scale: Scale) -> tuple[list[Row], dict]:
    result = _throughput(r, company, scale)
    storage = _memory(r, company)
    enc = result["encoding"]
    ratio = result["add_per_s"] / result["floor_per_s"]
    label = f"chunks of {result['keys']:,} timelines at the cap"
    floor = "entries/s (raw pipelined RPUSHX)"
    chunk_ratio = result["chunk_per_s"] / result["floor_per_s"]
    usec = result["redis_usec_per_entry_add"]
    floor_usec = result["redis_usec_per_entry_floor"]
    # Per entry: what the client spends (wall time less Redis's CPU), the product against the
    # floor; the floor is a bare RPUSHX, the product a script that checks the floor, the tail
    # and the cap in the same step.
    client_usec = 1e6 / result["add_per_s"] - usec
    floor_client_usec = 1e6 / result["floor_per_s"] - floor_usec
    why_add = (
        f"per entry Redis spends {usec:.1f} µs on the one-key script against {floor_usec:.1f} µs on a "
        f"bare RPUSHX (which neither checks the floor nor trims), and the client {client_usec:.1f} µs "
        f"against {floor_client_usec:.1f} µs packing the call; the floor keeps none of the timeline's "
        "invariants"
    )
    rows = [
        Row(
            metric=f"fan-out write, {enc} (timelines.add, {label}), per worker",
            socialblue=number(result["add_per_s"], "entries/s"),
            peer=number(result["floor_per_s"], floor),
            ratio=ratio,
            target="≥ 0.50 of the floor",
            met=ratio >= FANOUT_THROUGHPUT_TARGET,
            values=result,
            why=why_add,
        ),
        Row(
            metric=f"fan-out write, {enc} (fan_out_chunk: the whole Celery chunk task), per worker",
            socialblue=number(result["chunk_per_s"], "entries/s"),
            peer=number(result["floor_per_s"], "entries/s (raw)"),
            ratio=chunk_ratio,
            target="≥ 0.50 of the floor",
            met=chunk_ratio >= FANOUT_THROUGHPUT_TARGET,
            why=f"{why_add}; the chunk task adds the online check and the live publish "
            f"({1e6 / result['chunk_per_s'] - 1e6 / result['add_per_s']:.1f} µs per entry)",
        ),
        Row(
            metric=f"Redis CPU per entry written, {enc}; one Redis primary's floor at 100 % of a core",
            socialblue=number(usec, "µs (one-key script)")
            + f" = {number(1e6 / usec, 'entries/s')} per primary",
            peer=number(result["redis_usec_per_entry_floor"], "µs (raw RPUSHX)")
            + f" = {number(1e6 / result['redis_usec_per_entry_floor'], 'entries/s')}",
            ratio=usec / result["redis_usec_per_entry_floor"],
        ),
        _primary_row(usec),
    ]
    return rows, storage


def _primary_row(usec_per_entry: float) -> Row:
    """What the measured Redis CPU per entry means for one Redis primary, and for a Cluster:
    each timeline is one key and each script call touches one key, so a Cluster spreads the
    writes of one fan-out over its primaries by key, with nothing shared between them."""
    per_primary = 1e6 / usec_per_entry
    seconds_one = 100_000 / per_primary
    primaries = max(1, -(-100_000 // int(per_primary * BIG_FANOUT_SECONDS)))
    return Row(
        metric="Redis floor of one fan-out: 100,000 timelines on one Redis primary at 100 % of "
        "one core, and on a Redis Cluster",
        socialblue=f"{seconds_one:.2f} s on one primary ({number(per_primary, 'entries/s')})",
        peer=f"a Cluster of P primaries writes P × {number(per_primary, 'entries/s')} "
        f"(one key per timeline and per script call); {primaries} primary(ies) reach 100,000 in "
        f"{BIG_FANOUT_SECONDS:g} s of Redis CPU. Here the workers, PostgreSQL and Redis share "
        "2 cores",
        values={"entries_per_s_per_primary": per_primary, "seconds_per_100k_one_primary": seconds_one},
    )


def memory_rows(storage: dict) -> list[Row]:
    at_cap, with_slack = storage["at_cap"], storage["with_slack"]
    worst = max(at_cap["per_entry"], with_slack["per_entry"])
    return [
        Row(
            metric=f"Redis bytes per timeline entry at the cap, {storage['encoding']} list "
            f"({at_cap['ids']} ids near 10^8 + floor; {with_slack['ids']} with the trim's slack)",
            socialblue=number(at_cap["per_entry"], "B/entry")
            + f" ({number(with_slack['per_entry'], 'B/entry')} with the slack)",
            peer=f"MEMORY USAGE {at_cap['bytes']:,} B ({with_slack['bytes']:,} B with the slack)",
            target=f"≤ {BYTES_PER_ENTRY_TARGET} B",
            met=worst <= BYTES_PER_ENTRY_TARGET,
            values=storage,
        )
    ]


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


def _worker_cpu_seconds(node: str) -> float:
    """CPU time so far of the Celery worker processes whose command line names ``node``
    (the main process and its pool), from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if node.encode() not in (entry / "cmdline").read_bytes():
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def big_fanout(r, company: Plan, scale: Scale, *, workers: int) -> Row:
    """One post of the star, written into every follower's timeline by real Celery workers.

    The wall time runs from the post to the moment the last chunk's timelines hold it, seen
    by polling the last follower of every chunk. Redis's CPU is counted over the same window
    (``INFO cpu``, Redis's main thread), less what the polling itself cost (``INFO
    commandstats`` of the commands only the bench sends: :data:`bench.keys.VERIFY_COMMANDS`);
    the count of timelines written is made after the window closes. On this machine the
    worker processes, PostgreSQL and Redis share the same cores.
    """
    followers = sorted(company.star_followers)
    chunk = settings.FEED_FANOUT_CHUNK
    # The last follower of every chunk: the chunks run in parallel, so any may finish last.
    sample = sorted({*followers[chunk - 1 :: chunk], followers[-1]})
    star = Profile.objects.get(pk=company.star)
    node = f"bench-{os.getpid()}@"
    runs = []
    for n in range(scale.fanout_runs):
        usec_before = keys.command_usec(r)
        cpu_before = keys.cpu_seconds(r)
        workers_before = _worker_cpu_seconds(node)
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
        cpu = keys.cpu_seconds(r) - cpu_before
        usec_after = keys.command_usec(r)
        workers_cpu = _worker_cpu_seconds(node) - workers_before
        spent = {name: usec_after.get(name, 0) - usec_before.get(name, 0) for name in usec_after}
        verify = sum(spent.get(name, 0) for name in keys.VERIFY_COMMANDS) / 1e6
        _wait_fanned_out([activity_id])
        written = len(keys.holding(r, activity_id, followers))
        runs.append(
            {
                "seconds": max(done_at.values()),
                "commit_seconds": committed - started,
                "timelines_written": written,
                "chunks_done_seconds": [round(done_at[p], 3) for p in sample],
                "redis_cpu_seconds": cpu - verify,
                "redis_verify_seconds": verify,
                "redis_script_seconds": spent.get("evalsha", 0) / 1e6,
                "redis_usec_by_command": {k: v for k, v in spent.items() if v},
                "worker_cpu_seconds": workers_cpu,
            }
        )
    seconds = statistics.median(run["seconds"] for run in runs)
    first_chunk = statistics.median(min(run["chunks_done_seconds"]) for run in runs)
    target = BIG_FANOUT_SECONDS * len(followers) / 100_000
    scaled = "" if len(followers) == 100_000 else " (2 s per 100,000, scaled)"

    def median(name: str) -> float:
        return statistics.median(run[name] for run in runs)

    return Row(
        metric=f"wall time, one post → {len(followers):,} followers' timelines, "
        f"{workers} Celery worker processes (median of {len(runs)})",
        socialblue=number(seconds, "s"),
        peer=f"first chunk written after {first_chunk:.2f} s; "
        f"Redis CPU {median('redis_cpu_seconds'):.2f} s in the window "
        f"(of which the timeline scripts {median('redis_script_seconds'):.2f} s; "
        f"the polling's {median('redis_verify_seconds'):.3f} s left out); "
        f"worker processes' CPU {median('worker_cpu_seconds'):.2f} s; "
        f"{min(run['timelines_written'] for run in runs):,} timelines written; "
        "workers, PostgreSQL and Redis share the machine's cores",
        target=f"≤ {target:g} s{scaled}",
        met=seconds <= target,
        values={"runs": runs, "followers": len(followers), "chunk": chunk},
        why=f"in {seconds:.2f} s Redis used {median('redis_cpu_seconds'):.2f} s of CPU and the two worker "
        f"processes {median('worker_cpu_seconds'):.2f} s, so neither Redis nor the workers' work bounds it: "
        f"the first chunk was written after {first_chunk:.2f} s, and the two cores of this machine are "
        "shared by the workers, PostgreSQL, Redis and the bench itself (the load averages above say how "
        "busy it was); the writes' own floor is the row 'Redis floor of one fan-out'",
    )
