"""WebSocket clients for the live measurements, spread over several processes so that the
clients are not what is measured: each process holds its share of ``/ws/feed/`` sockets in
its own event loop and notes when each ``feed.activity`` frame arrives.

Nothing of Django here: the processes are spawned fresh and only speak WebSocket. Times are
``time.monotonic()`` (CLOCK_MONOTONIC, one clock for every process of the machine), so the
bench process compares them with the moment it posted.
"""

import asyncio
import contextlib
import json
import multiprocessing
import random
import re
import resource
import time
from collections import Counter
from collections.abc import Iterator

# Handshakes in flight per client process: each costs the server a few channel-layer
# commands, whose connection pool is bounded.
CONNECT_CONCURRENCY = 10
# A handshake closed with 1013 ("try again later") is tried again, as a client would, this
# many times; the retries are counted and reported.
RETRIES = 5
# The activity id of a ``feed.activity`` frame, read without decoding the whole frame.
ACTIVITY_ID = re.compile(r'^\{"type":"feed\.activity","activity":\{"id":(\d+)')


def _raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))


def _counting_connection():
    """A client connection class that counts the bytes it reads off the network (frames as
    sent, compressed or not)."""
    from websockets.asyncio.client import ClientConnection

    class Counting(ClientConnection):
        received_bytes = 0

        def data_received(self, data: bytes) -> None:
            Counting.received_bytes += len(data)
            super().data_received(data)

    return Counting


async def _serve(conn, targets: list[tuple[str, str]], compression: str | None) -> None:
    import websockets
    from websockets.asyncio.client import connect

    counting = _counting_connection()
    arrivals: dict[int, list[float]] = {}
    closes: Counter = Counter()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    retried = 0

    async def open_one(url: str, token: str):
        nonlocal retried
        for attempt in range(RETRIES + 1):
            async with gate:
                ws = await connect(
                    url,
                    additional_headers={"Authorization": f"Token {token}"},
                    open_timeout=120,
                    ping_interval=None,
                    max_queue=None,
                    compression=compression,
                    create_connection=counting,
                )
                try:
                    hello = json.loads(await ws.recv())
                except websockets.ConnectionClosed:
                    # 1013: the server was briefly short of a service; a client tries again
                    # after a jittered wait (feed/events.py's RECONNECT), and so does this one.
                    if ws.close_code != 1013 or attempt == RETRIES:
                        raise
                    retried += 1
                else:
                    if hello.get("type") != "hello":
                        raise RuntimeError(f"unexpected first event {hello}")
                    return ws
            await asyncio.sleep(random.uniform(0, 2 ** (attempt + 1)))
        raise RuntimeError("unreachable")

    async def listen(ws):
        try:
            async for message in ws:
                now = time.monotonic()
                match = ACTIVITY_ID.match(message)
                if match is not None:
                    arrivals.setdefault(int(match.group(1)), []).append(now)
                elif message.startswith('{"type":"feed.activity"'):
                    arrivals.setdefault(json.loads(message)["activity"]["id"], []).append(now)
        except websockets.ConnectionClosed:
            pass
        closes[ws.close_code] += 1

    sockets = await asyncio.gather(*(open_one(url, token) for url, token in targets))
    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    conn.send(("ready", len(sockets), retried))
    try:
        while True:
            command, *args = await asyncio.to_thread(conn.recv)
            if command == "count":
                conn.send(len(arrivals.get(args[0], ())))
            elif command == "reset_bytes":
                counting.received_bytes = 0
                conn.send(None)
            elif command == "stop":
                break
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        for task in listeners:
            task.cancel()
    conn.send({"arrivals": arrivals, "bytes": counting.received_bytes, "closes": dict(closes)})


def _main(conn, targets: list[tuple[str, str]], compression: str | None) -> None:
    _raise_open_files(len(targets) + 1024)
    try:
        asyncio.run(_serve(conn, targets, compression))
    except Exception as error:
        conn.send(("failed", repr(error)))


class Clients:
    """Client processes holding sockets to ``targets`` (``(ws_url, token)`` pairs)."""

    def __init__(self, processes: list, pipes: list, retried: int = 0):
        self._processes = processes
        self._pipes = pipes
        # Handshakes the server closed with 1013 and the clients tried again.
        self.retried = retried

    def count(self, activity_id: int) -> int:
        """How many sockets have received ``activity_id`` so far."""
        for pipe in self._pipes:
            pipe.send(("count", activity_id))
        return sum(pipe.recv() for pipe in self._pipes)

    def wait_for(self, activity_id: int, expected: int, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        got = self.count(activity_id)
        while got < expected and time.monotonic() < deadline:
            time.sleep(0.02)
            got = self.count(activity_id)
        return got

    def reset_bytes(self) -> None:
        for pipe in self._pipes:
            pipe.send(("reset_bytes",))
        for pipe in self._pipes:
            pipe.recv()

    def finish(self) -> dict:
        """Close every socket; every process's arrivals, bytes read and close codes, merged."""
        for pipe in self._pipes:
            pipe.send(("stop",))
        arrivals: dict[int, list[float]] = {}
        total_bytes, closes = 0, Counter()
        for pipe in self._pipes:
            result = pipe.recv()
            for activity_id, times in result["arrivals"].items():
                arrivals.setdefault(activity_id, []).extend(times)
            total_bytes += result["bytes"]
            closes.update(result["closes"])
        return {"arrivals": arrivals, "bytes": total_bytes, "closes": dict(closes)}


@contextlib.contextmanager
def clients(
    targets: list[tuple[str, str]], *, processes: int = 4, compression: str | None = None
) -> Iterator[Clients]:
    """Spread ``targets`` over ``processes`` spawned client processes, every socket open and
    greeted when this yields. ``compression=None`` (no per-message deflate) unless measuring
    it: a client that decompresses would spend its own CPU, not the server's."""
    context = multiprocessing.get_context("spawn")
    procs, pipes = [], []
    try:
        for n in range(processes):
            share = targets[n::processes]
            if not share:
                continue
            ours, theirs = context.Pipe()
            process = context.Process(target=_main, args=(theirs, share, compression), daemon=True)
            process.start()
            procs.append(process)
            pipes.append(ours)
        retried = 0
        for pipe in pipes:
            answer = pipe.recv()
            if answer[0] != "ready":
                raise RuntimeError(f"a client process failed: {answer[1]}")
            retried += answer[2]
        yield Clients(procs, pipes, retried)
    finally:
        for process in procs:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
