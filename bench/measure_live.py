"""Post → WebSocket event latency with many followers online, and what per-message deflate costs.

Followers of one author hold ``/ws/feed/`` open on the ASGI server (other processes),
authenticated with device tokens. The sockets are spread over several client processes
(``bench.ws_clients``), without compression, so that the clients are not the bottleneck. The
bench posts as the author through ``feed.services.post_create`` (so the fan-out runs on the
real Celery worker, which publishes one frame per audience class, and each server delivers it
to its own sockets through ``feed.stream``) and times, for every follower, the moment its
socket receives the ``feed.activity`` event. Clocks: CLOCK_MONOTONIC, one for every process
of the machine.

Two runs: ``ws_clients`` followers on one server process (the target), and ``ws_clients_big``
on two server processes, half the sockets on each (reported). The CPU time the server
processes spent meanwhile is reported per delivered event: delivering is what a server does
per socket, and it bounds how many sockets one process serves.

The deflate rows deliver the same realistic frames (the live author's own posts as a follower
sees them) to the same sockets through a server with per-message deflate and one without,
and compare the server's CPU per delivered frame and the bytes on the wire.
"""

import resource
import statistics
import time

from bench.graph import Plan, Scale
from bench.procs import Server, asgi_server, cpu_seconds
from bench.report import Row
from bench.ws_clients import clients
from feed import services

P95_TARGET_MS = 300
WAIT_SECONDS = 5
WAIT_SECONDS_BIG = 30
CRASH_MARK = "Traceback"
DEFLATE_SOCKETS = 500


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(wanted, soft)), hard))


def _post(author_id: int, body: str) -> int:
    from feed.models import Activity
    from profiles.models import Profile

    author = Profile.objects.get(pk=author_id)
    post = services.post_create(author=author, body=body, visibility="company")
    return Activity.objects.get(object_type="post", object_id=post.pk).pk


def _summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    if not ordered:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None, "received": 0}
    return {
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
        "max_ms": ordered[-1] * 1000,
        "received": len(ordered),
    }


def _log_marks(servers: list[Server]) -> int:
    return sum(s.log.read_text(errors="replace").count(CRASH_MARK) if s.log.exists() else 0 for s in servers)


def _ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://", 1) + "/ws/feed/"


def _client_processes(sockets: int) -> int:
    return max(4, min(8, sockets // 1_250))


def live_latency(
    tokens: dict[int, str], author_id: int, posts: int, *, servers: list[Server], target: bool
) -> Row:
    """``posts`` posts by ``author_id``, each timed to every one of ``tokens``' sockets, spread
    evenly over ``servers``."""
    raise_open_files(len(tokens) + 1024)
    targets = [(_ws_url(servers[n % len(servers)]), token) for n, token in enumerate(tokens.values())]
    expected = len(targets)
    marks_before = _log_marks(servers)
    began = time.monotonic()
    started: dict[int, float] = {}
    per_post = []
    with clients(targets, processes=_client_processes(expected)) as sockets:
        connect_seconds = time.monotonic() - began
        retried = sockets.retried
        time.sleep(1)  # presence is written just after each socket says hello
        # One untimed post first: the worker's first fan-out of an author loads code and
        # caches that every later one finds ready.
        sockets.wait_for(_post(author_id, "Warm-up"), expected, WAIT_SECONDS_BIG)
        cpu_before = sum(cpu_seconds(s.pid) for s in servers)
        for n in range(posts):
            at = time.monotonic()
            activity_id = _post(author_id, f"Live {n}")
            started[activity_id] = at
            got = sockets.wait_for(
                activity_id, expected, WAIT_SECONDS_BIG if len(servers) > 1 else WAIT_SECONDS
            )
            per_post.append({"got": got, "seconds": time.monotonic() - at})
            time.sleep(0.5)
        server_cpu = sum(cpu_seconds(s.pid) for s in servers) - cpu_before
        result = sockets.finish()
    latencies = [t - started[a] for a, times in result["arrivals"].items() if a in started for t in times]
    for post_stats, activity_id in zip(per_post, started, strict=True):
        times = [t - started[activity_id] for t in result["arrivals"].get(activity_id, ())]
        post_stats.update(
            first_ms=min(times, default=0) * 1000, last_ms=max(times, default=0) * 1000, got=len(times)
        )
    summary = _summary(latencies)
    if not summary["received"]:
        raise RuntimeError("no live event arrived")
    missed = expected * posts - len(latencies)
    errors = _log_marks(servers) - marks_before
    per_event_ms = server_cpu * 1000 / summary["received"]
    where = "one server process" if len(servers) == 1 else f"{len(servers)} server processes"
    first = statistics.median(p["first_ms"] for p in per_post)
    spread = statistics.median(p["last_ms"] - p["first_ms"] for p in per_post)
    why = (
        f"of each post's latency, the first socket heard of it after a median {first:.0f} ms (the post's "
        f"commit, the Celery worker taking the task, the fan-out's queries and the render per audience "
        f"class) and the last {spread:.0f} ms after the first (delivery: {per_event_ms:.3f} ms of server "
        f"CPU per socket); {missed:,} missed"
    )
    return Row(
        metric=f"post → WebSocket feed.activity latency, {expected:,} followers online on {where} "
        f"({posts} posts after one untimed, Celery worker, one published frame per audience class; "
        f"clients in {_client_processes(expected)} processes, no compression)",
        socialblue=f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms",
        peer=f"max {summary['max_ms']:.0f} ms; missed {missed:,} of {expected * posts:,}; "
        f"server errors logged: {errors}; handshakes closed with 1013 and tried again: {retried}; "
        f"server CPU {per_event_ms:.3f} ms per event delivered",
        target=f"p95 ≤ {P95_TARGET_MS} ms, none missed" if target else "reported",
        met=(summary["p95_ms"] <= P95_TARGET_MS and missed == 0) if target else None,
        why=why,
        values={
            **summary,
            "missed": missed,
            "server_errors_logged": errors,
            "server_cpu_ms_per_event": per_event_ms,
            "server_processes": len(servers),
            "closes": result["closes"],
            "per_post": per_post,
            "connect_seconds": connect_seconds,
            "handshakes_retried": retried,
        },
    )


def _realistic_frames(company: Plan, viewer_id: int) -> list[tuple[int, bytes]]:
    """The live author's own posts as one follower's socket gets them."""
    from feed import live
    from feed.models import Activity
    from feed.rendering import render_activities
    from profiles.models import Profile

    viewer = Profile.objects.get(pk=viewer_id)
    activities = list(Activity.objects.filter(actor_id=company.live_author).order_by("-id")[:20])
    return [(a["id"], live.activity_frame(a)) for a in render_activities(activities, viewer=viewer)]


def deflate_cost(tokens: dict[int, str], company: Plan, *, env: dict[str, str]) -> list[Row]:
    """The same frames to the same sockets, through a server with per-message deflate and
    through one without: the server's CPU per delivered frame, and bytes on the wire."""
    from feed import live

    chosen = dict(list(tokens.items())[:DEFLATE_SOCKETS])
    ids = list(chosen)
    frames = _realistic_frames(company, ids[0])
    if not frames:
        raise RuntimeError("the live author has no posts to send")
    measured = {}
    for deflate in (False, True):
        with asgi_server(
            {**env, "BENCH_WS_DEFLATE": "1" if deflate else "0"}, name="server-deflate"
        ) as server:
            targets = [(_ws_url(server), token) for token in chosen.values()]
            with clients(targets, processes=4, compression="deflate" if deflate else None) as sockets:
                time.sleep(1)
                sockets.reset_bytes()
                cpu_before = cpu_seconds(server.pid)
                for activity_id, frame in frames:
                    live.publish_activity(ids, activity_id, frame)
                    if sockets.wait_for(activity_id, len(ids), WAIT_SECONDS) < len(ids):
                        raise RuntimeError(f"frame {activity_id} did not reach every socket")
                cpu = cpu_seconds(server.pid) - cpu_before
                result = sockets.finish()
        delivered = len(frames) * len(ids)
        measured[deflate] = {
            "cpu_ms_per_frame": cpu * 1000 / delivered,
            "wire_bytes_per_frame": result["bytes"] / delivered,
        }
    raw = statistics.mean(len(frame) for _id, frame in frames)
    off, on = measured[False], measured[True]
    return [
        Row(
            metric=f"per-message deflate on live frames: server CPU and bytes per delivered frame "
            f"({len(frames)} feed items of {raw:,.0f} B on average, {len(ids)} sockets)",
            socialblue=f"off (chosen): {off['cpu_ms_per_frame']:.3f} ms CPU, "
            f"{off['wire_bytes_per_frame']:,.0f} B on the wire",
            peer=f"on: {on['cpu_ms_per_frame']:.3f} ms CPU, {on['wire_bytes_per_frame']:,.0f} B on the wire",
            ratio=on["cpu_ms_per_frame"] / off["cpu_ms_per_frame"] if off["cpu_ms_per_frame"] else None,
            values={"off": off, "on": on, "raw_frame_bytes": raw, "sockets": len(ids)},
        )
    ]


def live_rows(
    tokens: dict[int, str], company: Plan, scale: Scale, *, server: Server, env: dict[str, str]
) -> list:
    """Every live row: the target on one server, the crowd on two, and the deflate choice."""
    from bench import setup as bench_setup

    rows = [live_latency(tokens, company.live_author, scale.ws_posts, servers=[server], target=True)]
    crowd_tokens = bench_setup.tokens_for(company.live_crowd_followers, "bench-live-crowd")
    with asgi_server(env, name="server-2") as second:
        rows.append(
            live_latency(
                crowd_tokens,
                company.live_crowd_author,
                scale.ws_posts,
                servers=[server, second],
                target=False,
            )
        )
    rows += deflate_cost(tokens, company, env=env)
    return rows
