"""What one server process does for open sockets: handshakes accepted per second, memory per
open socket, live events delivered per second; the figures a reconnect storm and a capacity
budget are made of (``docs/capacity.md``).

A deploy drops every socket at once and every client reconnects: the storm lasts ``clients /
(handshakes/s per process × processes)``. Here a fresh server process (uvicorn, the same
configuration as the other rows) takes a burst of ``/ws/feed/`` handshakes from client
processes (``CLIENT_PROCESSES`` of them, each with ``HANDSHAKE_CONCURRENCY`` handshakes in
flight), each with its own device token, each done when the socket says ``hello``. The rate
is counted from the first handshake started to the last ``hello``; the server's CPU
(``/proc``, all its threads) per handshake says what the rate would be with a core of its own
(here the client processes, PostgreSQL and Redis share the machine's cores with it).

The same server then holds the sockets: its resident memory (``VmRSS``) with them open, less
before the burst (after a warm-up of a few sockets), per socket. And it delivers a burst of
live frames (``feed.stream``, as the fan-out publishes them) to all of them: deliveries per
second of wall time and server CPU per delivery.

Floors, each on a fresh process of its own: the same server's answer to a handshake without a
credential (accepted, then closed with 4401 before any consumer runs), and a trivial ASGI
WebSocket app under the same uvicorn configuration (accept, send ``hello``; no
authentication, Django or Redis), whose memory per socket is uvicorn's and the protocol's.

``python -m bench.measure_sockets serve`` runs the trivial app (the bench starts it).

Module level imports nothing of Django: the client processes are spawned fresh and import
this module.
"""

import asyncio
import contextlib
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CLIENT_PROCESSES = 4
HANDSHAKE_CONCURRENCY = 25
SOCKETS_FULL = 5_000
SOCKETS_QUICK = 500
WARM_UP_SOCKETS = 20
LIVE_FRAMES = 20
SETTLE_SECONDS = 2
WAIT_SECONDS = 120
TRIVIAL_HELLO = '{"type":"hello","user":""}'


# --- The trivial floor: accept, say hello, hold ---------------------------------------------


async def trivial_app(scope, receive, send):
    """A WebSocket app with nothing of SocialBlue: accept, send ``hello``, hold until closed."""
    if scope["type"] != "websocket":
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": TRIVIAL_HELLO})
        elif message["type"] == "websocket.disconnect":
            return


def _serve_trivial() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65_536)), hard))
    from tests.live import LiveASGIServer

    server = LiveASGIServer(app=trivial_app)
    print(server.start(), flush=True)
    sys.stdin.read()  # until the bench closes it (or SIGTERM ends the process)
    server.stop()


@contextlib.contextmanager
def trivial_server(timeout: float = 30) -> Iterator:
    """The trivial app in a child process, as :func:`bench.procs.asgi_server` runs SocialBlue's."""
    from bench.procs import LOG_DIR, ROOT, Server, _stop

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "server-trivial-ws.log"
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.measure_sockets", "serve"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + timeout
        line = process.stdout.readline().decode().strip()
        if not line.startswith("http://") or time.monotonic() > deadline:
            raise RuntimeError(f"the trivial WebSocket server did not start ({line!r}); see {log}")
        yield Server(url=line, pid=process.pid, log=log)
    finally:
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
        _stop(process)


# --- Client processes ------------------------------------------------------------------------


async def _clients(conn, url: str, tokens: list[str | None], concurrency: int) -> None:
    import websockets
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(concurrency)
    received = [0]
    done: list[tuple[float, float]] = []
    failures: list[str] = []
    closes: dict[int, int] = {}
    sockets = []

    async def open_one(token: str | None):
        async with gate:
            began = time.monotonic()
            try:
                ws = await connect(
                    url,
                    additional_headers={"Authorization": f"Token {token}"} if token else None,
                    open_timeout=WAIT_SECONDS,
                    ping_interval=None,
                    max_queue=None,
                    compression=None,
                )
            except Exception as error:  # counted, and the first few reported
                failures.append(repr(error))
                return
            try:
                first = await ws.recv()
            except websockets.ConnectionClosed:
                # A handshake without a credential: accepted, then closed with its code.
                closes[ws.close_code] = closes.get(ws.close_code, 0) + 1
                done.append((began, time.monotonic()))
                return
            if json.loads(first).get("type") != "hello":
                failures.append(f"first event {first[:80]}")
                await ws.close()
                return
            done.append((began, time.monotonic()))
            sockets.append(ws)

    async def listen(ws):
        with contextlib.suppress(websockets.ConnectionClosed):
            async for _message in ws:
                received[0] += 1

    await asyncio.to_thread(conn.recv)  # "go": every client process starts at once
    await asyncio.gather(*(open_one(token) for token in tokens))
    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    conn.send(
        {
            "done": done,
            "open": len(sockets),
            "failures": len(failures),
            "failure_examples": failures[:3],
            "closes": closes,
        }
    )
    try:
        while True:
            command = await asyncio.to_thread(conn.recv)
            if command == "count":
                conn.send(received[0])
            elif command == "stop":
                break
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for task in listeners:
            task.cancel()
    conn.send(None)


def _client_main(conn, url: str, tokens: list[str | None], concurrency: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = len(tokens) + 1024
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))
    try:
        asyncio.run(_clients(conn, url, tokens, concurrency))
    except Exception as error:
        conn.send({"failed": repr(error)})


class Storm:
    """Client processes that open their share of sockets together when :meth:`go` is called."""

    def __init__(self, url: str, tokens: list[str | None], processes: int, concurrency: int):
        context = multiprocessing.get_context("spawn")
        self._procs, self._pipes = [], []
        for n in range(processes):
            share = tokens[n::processes]
            if not share:
                continue
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_client_main, args=(theirs, url, share, concurrency), daemon=True
            )
            process.start()
            self._procs.append(process)
            self._pipes.append(ours)

    def go(self) -> dict:
        """Open every socket; when the last one is done: the times, counts and failures."""
        for pipe in self._pipes:
            pipe.send("go")
        answers = [pipe.recv() for pipe in self._pipes]
        for answer in answers:
            if "failed" in answer:
                raise RuntimeError(f"a client process failed: {answer['failed']}")
        done = [t for answer in answers for t in answer["done"]]
        closes: dict[int, int] = {}
        for answer in answers:
            for code, n in answer["closes"].items():
                closes[code] = closes.get(code, 0) + n
        return {
            "done": done,
            "open": sum(a["open"] for a in answers),
            "failures": sum(a["failures"] for a in answers),
            "failure_examples": [e for a in answers for e in a["failure_examples"]][:3],
            "closes": closes,
        }

    def received(self) -> int:
        for pipe in self._pipes:
            pipe.send("count")
        return sum(pipe.recv() for pipe in self._pipes)

    def stop(self) -> None:
        for pipe in self._pipes:
            with contextlib.suppress(OSError, EOFError):
                pipe.send("stop")
                pipe.recv()
        for process in self._procs:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


@contextlib.contextmanager
def storm(
    url: str,
    tokens: list[str | None],
    *,
    processes: int = CLIENT_PROCESSES,
    concurrency=HANDSHAKE_CONCURRENCY,
) -> Iterator[Storm]:
    clients = Storm(url, tokens, processes, concurrency)
    try:
        yield clients
    finally:
        clients.stop()


# --- Measurements ----------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (``VmRSS``, Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _ws_url(server) -> str:
    return server.url.replace("http://", "ws://", 1) + "/ws/feed/"


def _warm_up(server, tokens: list[str | None]) -> None:
    """A few sockets opened and closed: code loaded, pools and the feed subscription made."""
    with storm(_ws_url(server), tokens, processes=1, concurrency=5) as clients:
        clients.go()
    time.sleep(0.5)


def burst(server, tokens: list[str | None], *, warm_up: list[str | None], hold=None) -> dict:
    """``tokens``' handshakes at once against ``server`` (a fresh process): the rate, server CPU
    per handshake, and memory per open socket; ``hold(clients, result)`` runs while the
    sockets are still open."""
    from bench.procs import cpu_seconds

    _warm_up(server, warm_up)
    with storm(_ws_url(server), tokens) as clients:
        time.sleep(0.5)  # the client processes are up and waiting for "go"
        rss_before = rss_bytes(server.pid)
        cpu_before = cpu_seconds(server.pid)
        result = clients.go()
        cpu = cpu_seconds(server.pid) - cpu_before
        time.sleep(SETTLE_SECONDS)  # presence written after hello, buffers settled
        rss_after = rss_bytes(server.pid)
        done = result["done"]
        if not done:
            raise RuntimeError(f"no handshake completed: {result['failure_examples']}")
        wall = max(end for _began, end in done) - min(began for began, _end in done)
        result.update(
            handshakes=len(done),
            seconds=wall,
            per_second=len(done) / wall,
            server_cpu_ms=cpu * 1000 / len(done),
            per_core_second=len(done) / cpu if cpu else None,
            p50_ms=statistics.median(end - began for began, end in done) * 1000,
            rss_before=rss_before,
            rss_after=rss_after,
            bytes_per_socket=(rss_after - rss_before) / result["open"] if result["open"] else None,
        )
        if hold is not None:
            hold(clients, result)
    del result["done"]
    return result


def _frame(company) -> tuple[bytes, int]:
    """A realistic live frame (the newest feed item of the company, as a follower gets it)."""
    from feed import live
    from feed.models import Activity
    from feed.rendering import render_activities
    from profiles.models import Profile

    viewer = Profile.objects.get(pk=company.live_crowd_followers[0])
    activity = Activity.objects.filter(object_type="post").order_by("-id").first()
    rendered = render_activities([activity], viewer=viewer)[0]
    return live.activity_frame(rendered), len(live.activity_frame(rendered))


def live_burst(server, clients: Storm, profile_ids: list[int], company) -> dict:
    """``LIVE_FRAMES`` frames published at once for every open socket: deliveries per second
    (publish to the last arrival) and server CPU per delivery."""
    from bench.procs import cpu_seconds
    from feed import live

    frame, size = _frame(company)
    expected = len(profile_ids) * LIVE_FRAMES
    before = clients.received()
    cpu_before = cpu_seconds(server.pid)
    began = time.monotonic()
    for n in range(LIVE_FRAMES):
        # Ids far above the company's: no removal the process remembers applies to them.
        live.publish_activity(profile_ids, 10**15 + n, frame)
    deadline = began + WAIT_SECONDS
    got = clients.received() - before
    while got < expected and time.monotonic() < deadline:
        time.sleep(0.02)
        got = clients.received() - before
    wall = time.monotonic() - began
    cpu = cpu_seconds(server.pid) - cpu_before
    return {
        "delivered": got,
        "expected": expected,
        "seconds": wall,
        "per_second": got / wall,
        "server_cpu_ms": cpu * 1000 / got if got else None,
        "per_core_second": got / cpu if cpu else None,
        "frame_bytes": size,
    }


def _kb(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1024:,.1f} KB"


def socket_rows(company, scale, *, env: dict[str, str]) -> list:
    """Handshakes/s, memory per socket and live events/s of one server process, with floors."""
    from bench import setup as bench_setup
    from bench.procs import asgi_server
    from bench.report import Row, number

    people = company.live_crowd_followers[: SOCKETS_QUICK if scale.name == "quick" else SOCKETS_FULL]
    tokens_by_person = bench_setup.tokens_for(people, "bench-sockets")
    tokens = list(tokens_by_person.values())
    warm = tokens[:WARM_UP_SOCKETS]
    live_result: dict = {}

    def deliver(clients, _result):
        live_result.update(live_burst(server, clients, list(tokens_by_person), company))

    with asgi_server(env, name="server-sockets") as server:
        ours = burst(server, tokens, warm_up=warm, hold=deliver)
    with asgi_server(env, name="server-sockets-anonymous") as server:
        anonymous = burst(server, [None] * len(tokens), warm_up=[None] * WARM_UP_SOCKETS)
    with trivial_server() as server:
        trivial = burst(server, [None] * len(tokens), warm_up=[None] * WARM_UP_SOCKETS)
    if ours["open"] < 0.9 * len(tokens):
        raise RuntimeError(
            f"{ours['open']:,} of {len(tokens):,} sockets opened; closed: {ours['closes']}; "
            f"{ours['failure_examples']}"
        )
    n = len(tokens)
    how = (
        f"{n:,} sockets, each with its own device token, opened at once from {CLIENT_PROCESSES} client "
        f"processes ({HANDSHAKE_CONCURRENCY} handshakes in flight each) on a fresh server process"
    )
    rows = [
        Row(
            metric=f"WebSocket handshakes accepted per second by one server process (/ws/feed/, token "
            f"authentication, until hello; {how})",
            socialblue=f"{number(ours['per_second'], '/s')} (server CPU {ours['server_cpu_ms']:.2f} ms per "
            f"handshake = {number(ours['per_core_second'], '/s')} at one full core; "
            f"p50 {ours['p50_ms']:.0f} ms; refused or failed: {len(tokens) - ours['open']:,})",
            peer=f"no credential, closed with 4401: {number(anonymous['per_second'], '/s')} "
            f"({anonymous['server_cpu_ms']:.2f} ms CPU = {number(anonymous['per_core_second'], '/s')} at a "
            f"core); trivial ASGI app (accept, hello): {number(trivial['per_second'], '/s')} "
            f"({trivial['server_cpu_ms']:.2f} ms CPU = {number(trivial['per_core_second'], '/s')} at a core)",
            ratio=ours["per_second"] / trivial["per_second"],
            values={"socialblue": ours, "anonymous": anonymous, "trivial": trivial},
        ),
        Row(
            metric=f"memory per open socket of one server process (VmRSS with the sockets open less "
            f"before the burst, / sockets; {n:,} /ws/feed/ sockets, no compression)",
            socialblue=_kb(ours["bytes_per_socket"]),
            peer=f"trivial ASGI app: {_kb(trivial['bytes_per_socket'])}; server RSS "
            f"{ours['rss_before'] / 2**20:,.0f} MB before, {ours['rss_after'] / 2**20:,.0f} MB after",
            ratio=(ours["bytes_per_socket"] / trivial["bytes_per_socket"])
            if trivial["bytes_per_socket"]
            else None,
            values={
                "socialblue_bytes": ours["bytes_per_socket"],
                "trivial_bytes": trivial["bytes_per_socket"],
            },
        ),
        Row(
            metric=f"live events delivered per second by one server process ({LIVE_FRAMES} feed.activity "
            f"frames of {live_result['frame_bytes']:,} B published at once through feed.stream to each of "
            f"{n:,} open sockets; clients in {CLIENT_PROCESSES} processes on the same cores)",
            socialblue=f"{number(live_result['per_second'], 'events/s')} (server CPU "
            f"{live_result['server_cpu_ms']:.3f} ms per event = "
            f"{number(live_result['per_core_second'], 'events/s')} at one full core)",
            peer=f"delivered {live_result['delivered']:,} of {live_result['expected']:,} in "
            f"{live_result['seconds']:.2f} s",
            values=live_result,
        ),
    ]
    return rows


# The tables a capacity budget grows with, and what one row of each stands for.
STORAGE_TABLES = {
    "feed_activity": "feed item",
    "feed_post": "post",
    "profiles_follow": "follow",
    "profiles_profile": "profile",
    "auth_user": "user",
    "profiles_devicetoken": "device token",
}


def storage_rows() -> list:
    """PostgreSQL bytes per row of the tables a company grows: ``pg_total_relation_size``
    (heap, indexes, TOAST) over the row count, after ``VACUUM ANALYZE``, in the bench's
    database as the run built it."""
    from django.db import connection

    from bench.report import Row

    measured = {}
    with connection.cursor() as cursor:
        for table in STORAGE_TABLES:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
            cursor.execute(f'SELECT pg_total_relation_size(%s), (SELECT count(*) FROM "{table}")', [table])
            size, count = cursor.fetchone()
            measured[table] = {"bytes": size, "rows": count, "per_row": size / count if count else None}
    parts = [
        f"{what} {m['per_row']:,.0f} B" if m["per_row"] is not None else f"{what} (no rows)"
        for table, what in STORAGE_TABLES.items()
        for m in [measured[table]]
    ]
    total = sum(m["bytes"] for m in measured.values())
    return [
        Row(
            metric="PostgreSQL bytes per row, indexes and TOAST included (pg_total_relation_size / count(*) "
            "after VACUUM ANALYZE, the bench's company)",
            socialblue="; ".join(parts),
            peer="; ".join(
                f"{table} {m['rows']:,} rows, {m['bytes'] / 2**20:,.1f} MB" for table, m in measured.items()
            )
            + f"; {total / 2**20:,.0f} MB in all",
            values=measured,
        )
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        _serve_trivial()
    else:
        print("usage: python -m bench.measure_sockets serve", file=sys.stderr)
        sys.exit(2)
