"""Fan-out writes on a Redis Cluster: the same 100,000 timelines written through
``feed.timelines`` (the fan-out's own write: one-key scripts, a pipeline per chunk of
``FEED_FANOUT_CHUNK``, grouped per primary) into a cluster of one primary and into a cluster
of three, by two writer processes as two fan-out workers would.

Each cluster is the bench's own, started from the machine's ``redis-server`` on free loopback
ports (``tests.private_redis_cluster``) and stopped when measured. Its timelines are built at
the cap by ``timelines.replace`` once and copied to every key with ``DUMP``/``RESTORE``
(a cluster has no cross-slot ``COPY``). Redis CPU is read per primary (``INFO cpu``, main
thread) around the writes alone.

On this 2-core machine the primaries and the writers share the cores: three primaries cannot
run three times as fast here. The per-primary figure (entries written per second of one
primary's CPU) is what a cluster multiplies by its primaries when each has a core.
"""

import multiprocessing
import statistics
import time
from collections.abc import Sequence

from django.conf import settings
from django.test import override_settings

from bench.graph import Scale
from bench.report import Row, number
from feed import timelines
from tests.private_redis_cluster import PrivateRedisCluster

WRITERS = 2
ROUNDS = 3
FIRST_ID = 10**8  # ids near those of a long-lived company
TEMPLATE_ID = 9_000_000_000  # the timeline copied to every key


def _node_cpu(cluster: PrivateRedisCluster) -> dict[int, float]:
    cpu = {}
    for port in cluster.ports:
        node = cluster.node(port)
        try:
            info = node.info("cpu")
        finally:
            node.close()
        cpu[port] = float(info["used_cpu_user_main_thread"]) + float(info["used_cpu_sys_main_thread"])
    return cpu


def _fill(people: Sequence[int]) -> None:
    """Every timeline of ``people`` at the cap, copied from one built by the product."""
    cap = settings.FEED_MAX_ITEMS
    timelines.replace(TEMPLATE_ID, [FIRST_ID + 2 * n for n in range(cap)])
    c = timelines.client()
    payload = c.dump(timelines.key(TEMPLATE_ID))
    ttl_ms = settings.FEED_ACTIVE_DAYS * 24 * 3600 * 1000
    for start in range(0, len(people), 5_000):
        with c.pipeline(transaction=False) as pipe:
            for person in people[start : start + 5_000]:
                key = timelines.key(person)
                node = c.get_node_from_key(key)
                pipe.execute_command("RESTORE", key, ttl_ms, payload, "REPLACE", target_nodes=node)
            pipe.execute()


def _newest(person: int) -> int | None:
    held = timelines.read(person, before=None, count=1)
    return held[0][0] if held and held[0] else None


def _write(args) -> float:
    """One writer process: the activity into its share of the chunks; its own wall time."""
    url, activity_id, chunks = args
    with override_settings(TIMELINE_REDIS_URL=url, TIMELINE_REDIS_CLUSTER="1"):
        started = time.perf_counter()
        for chunk in chunks:
            timelines.add(activity_id, chunk)
        return time.perf_counter() - started


def _measure(primaries: int, people: list[int]) -> dict:
    cluster = PrivateRedisCluster(primaries=primaries)
    cluster.start()
    try:
        with override_settings(TIMELINE_REDIS_URL=cluster.url, TIMELINE_REDIS_CLUSTER="1"):
            _fill(people)
            size = settings.FEED_FANOUT_CHUNK
            chunks = [people[i : i + size] for i in range(0, len(people), size)]
            shares = [chunks[w::WRITERS] for w in range(WRITERS)]
            runs = []
            # Forked writers: each makes its own connections (redis-py's pools are per process).
            with multiprocessing.get_context("fork").Pool(WRITERS) as pool:
                for n in range(ROUNDS):
                    activity_id = FIRST_ID + 2 * settings.FEED_MAX_ITEMS + 2 * n + 1
                    before = _node_cpu(cluster)
                    started = time.perf_counter()
                    pool.map(_write, [(cluster.url, activity_id, share) for share in shares])
                    wall = time.perf_counter() - started
                    after = _node_cpu(cluster)
                    runs.append({"seconds": wall, "cpu": {p: after[p] - before[p] for p in cluster.ports}})
            newest = FIRST_ID + 2 * settings.FEED_MAX_ITEMS + 2 * (ROUNDS - 1) + 1
            sample = people[:: max(1, len(people) // 1000)]
            held = sum(1 for person in sample if _newest(person) == newest)
    finally:
        cluster.stop()
    seconds = statistics.median(run["seconds"] for run in runs)
    per_primary_cpu = statistics.median(max(run["cpu"].values()) for run in runs)
    busiest_share = len(people) / primaries
    return {
        "primaries": primaries,
        "timelines": len(people),
        "seconds": seconds,
        "runs": runs,
        "busiest_primary_cpu_seconds": per_primary_cpu,
        "entries_per_s_per_primary": busiest_share / per_primary_cpu if per_primary_cpu else 0.0,
        "sampled_timelines_holding_the_last": held,
        "sampled": len(sample),
    }


def cluster_rows(scale: Scale) -> list[Row]:
    people = list(range(1, scale.star_followers + 1))
    one = _measure(1, people)
    three = _measure(3, people)
    n = len(people)
    implied = three["entries_per_s_per_primary"] * 3
    return [
        Row(
            metric=f"fan-out writes into {n:,} timelines at the cap on a Redis Cluster (timelines.add, "
            f"chunks of {settings.FEED_FANOUT_CHUNK:,}, {WRITERS} writer processes; median of {ROUNDS}): "
            "3 primaries vs 1",
            socialblue=number(three["seconds"], "s") + " with 3 primaries",
            peer=number(one["seconds"], "s") + " with 1 primary; the primaries and the writers share this "
            "machine's 2 cores",
            ratio=three["seconds"] / one["seconds"],
            values={"one": one, "three": three},
        ),
        Row(
            metric="fan-out entries per second of one primary's CPU, on a Redis Cluster (the busiest primary "
            "of each run)",
            socialblue=number(three["entries_per_s_per_primary"], "entries/s per primary") + " (3 primaries)",
            peer=number(one["entries_per_s_per_primary"], "entries/s") + " (1 primary); with a core each, "
            f"3 primaries would write {number(implied, 'entries/s')}, 100,000 timelines in "
            f"{100_000 / implied:.2f} s of Redis time",
            ratio=three["entries_per_s_per_primary"] / one["entries_per_s_per_primary"],
        ),
    ]
