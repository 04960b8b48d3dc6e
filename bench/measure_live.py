"""Post → WebSocket event latency with many followers online.

``ws_clients`` followers of one author hold ``/ws/feed/`` open on the ASGI server (another
process), authenticated with device tokens. The bench posts as the author through
``feed.services.post_create`` (so the fan-out runs on the real Celery worker and the event
travels through the Redis channel layer) and times, for every follower, the moment its socket
receives the ``feed.activity`` event. Clocks: the post and the receptions are timed in this
one process.

The CPU time the server process spent meanwhile is reported per delivered event: the
delivering side (one ``BZPOPMIN`` per message in ``channels_redis``, the consumer, the JSON
frame) runs in one process per server, so it bounds how fast a thousand sockets hear of a post.
Sockets the server dropped (its log's ``redis.exceptions.TimeoutError``) are counted too.
"""

import asyncio
import contextlib
import json
import resource
import statistics
import time
from pathlib import Path

import websockets.asyncio.client
from asgiref.sync import sync_to_async

from bench.graph import Plan, Scale
from bench.procs import Server, cpu_seconds
from bench.report import Row
from feed import services
from feed.models import Activity
from profiles.models import Profile

P95_TARGET_MS = 500
CONNECT_CONCURRENCY = 50
WAIT_SECONDS = 5
CRASH_MARK = "redis.exceptions.TimeoutError"


def raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(wanted, soft)), hard))


def _post(author_id: int, body: str) -> int:
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


async def _run(ws_url: str, tokens: dict[int, str], author_id: int, posts: int, *, server_pid: int) -> dict:
    received: dict[int, list[float]] = {}
    arrived: dict[int, asyncio.Event] = {}
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    expected = len(tokens)

    async def connect(token: str):
        async with gate:
            ws = await websockets.asyncio.client.connect(
                ws_url,
                additional_headers={"Authorization": f"Token {token}"},
                open_timeout=60,
                ping_interval=None,
                max_queue=None,
            )
            hello = json.loads(await ws.recv())
            if hello.get("type") != "hello":
                raise RuntimeError(f"unexpected first event {hello}")
            return ws

    async def listen(ws):
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in ws:
                now = time.perf_counter()
                event = json.loads(message)
                if event.get("type") == "feed.activity":
                    activity_id = event["activity"]["id"]
                    times = received.setdefault(activity_id, [])
                    times.append(now)
                    if len(times) == expected and activity_id in arrived:
                        arrived[activity_id].set()

    async def wait_for(activity_id: int, started: float) -> list[float]:
        arrived[activity_id] = event = asyncio.Event()
        if len(received.get(activity_id, [])) < expected:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), WAIT_SECONDS)
        return [t - started for t in received.get(activity_id, [])]

    began = time.perf_counter()
    sockets = await asyncio.gather(*(connect(t) for t in tokens.values()))
    connect_seconds = time.perf_counter() - began
    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    latencies: list[float] = []
    per_post = []
    try:
        await asyncio.sleep(1)  # presence is written just after each socket says hello
        cpu_before = cpu_seconds(server_pid)
        for n in range(posts):
            started = time.perf_counter()
            activity_id = await sync_to_async(_post, thread_sensitive=False)(author_id, f"Live {n}")
            times = await wait_for(activity_id, started)
            latencies += times
            per_post.append(
                {
                    "got": len(times),
                    "first_ms": min(times, default=0) * 1000,
                    "last_ms": max(times, default=0) * 1000,
                }
            )
            await asyncio.sleep(0.5)
        server_cpu = cpu_seconds(server_pid) - cpu_before
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {
        "latencies": latencies,
        "missed": expected * posts - len(latencies),
        "per_post": per_post,
        "connect_seconds": connect_seconds,
        "server_cpu_seconds": server_cpu,
    }


def _crashes(server_log: Path) -> int:
    return server_log.read_text(errors="replace").count(CRASH_MARK) if server_log.exists() else 0


def live_latency(tokens: dict[int, str], company: Plan, scale: Scale, *, server: Server) -> Row:
    raise_open_files(len(tokens) * 2 + 1024)
    ws_url = server.url.replace("http://", "ws://", 1) + "/ws/feed/"
    crashes_before = _crashes(server.log)
    result = asyncio.run(_run(ws_url, tokens, company.live_author, scale.ws_posts, server_pid=server.pid))
    crashes = _crashes(server.log) - crashes_before
    summary = _summary(result["latencies"])
    if not summary["received"]:
        raise RuntimeError("no live event arrived")
    n = len(tokens)
    per_event_ms = result["server_cpu_seconds"] * 1000 / summary["received"]
    return Row(
        metric=f"post → WebSocket feed.activity latency, {n:,} followers online "
        f"({scale.ws_posts} posts, Celery worker, Redis channel layer)",
        socialblue=f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms",
        peer=f"max {summary['max_ms']:.0f} ms; missed {result['missed']} of {n * scale.ws_posts:,}; "
        f"sockets dropped by the server: {crashes}; server CPU {per_event_ms:.1f} ms per event delivered",
        target=f"p95 ≤ {P95_TARGET_MS} ms, none missed",
        met=summary["p95_ms"] <= P95_TARGET_MS and result["missed"] == 0,
        values={
            **summary,
            "missed": result["missed"],
            "server_socket_crashes": crashes,
            "server_cpu_ms_per_event": per_event_ms,
            "per_post": result["per_post"],
            "connect_seconds": result["connect_seconds"],
        },
    )
