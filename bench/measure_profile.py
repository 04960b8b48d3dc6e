"""Where the time of an API request goes: pyinstrument's profile of the feed page and of the
trivial authenticated endpoint, in process through Django's test client (every middleware,
authentication, the view and the renderer; no HTTP server, no ASGI thread hop), written as
text to ``bench/profile-feed.txt`` and ``bench/profile-trivial.txt``.

Each file starts with the commit it profiles (``+`` when the tree had uncommitted changes),
the time per request measured without the profiler, the database queries of one request,
the functions that spent the most time themselves, and then pyinstrument's call tree.
"""

import statistics
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pyinstrument import Profiler

from bench.measure_feed import ENDPOINTS
from bench.report import Row, number

HERE = Path(__file__).resolve().parent
PROFILED = ("feed", "trivial")
TOP_FRAMES = 15


def _commit() -> str:
    """The commit of the tree being profiled, ``+`` when it has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if dirty else "")


def _self_times(root) -> dict[tuple[str, str], float]:
    """Seconds each function spent itself (not in what it called), summed over the tree."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    stack = [root]
    while stack:
        frame = stack.pop()
        real = [child for child in frame.children if not child.is_synthetic]
        own = frame.time - sum(child.time for child in real)
        if own > 0 and not frame.is_synthetic:
            totals[(frame.function, f"{frame.file_path_short}:{frame.line_no}")] += own
        stack.extend(real)
    return totals


def profile_endpoint(tokens: list[str], name: str, *, requests: int, directory: Path = HERE) -> dict:
    """GET ``ENDPOINTS[name]`` ``requests`` times as the people of ``tokens`` in turn: timed
    without the profiler, then again under pyinstrument; writes ``profile-<name>.txt``."""
    path = ENDPOINTS[name]
    client = Client(headers={"Accept": "application/json"})

    def get(n: int):
        response = client.get(path, headers={"Authorization": f"Token {tokens[n % len(tokens)]}"})
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return response

    for n in range(len(tokens)):  # the first request of each person may record last-active times
        get(n)
    with CaptureQueriesContext(connection) as captured:
        get(0)
    queries = [q["sql"] for q in captured.captured_queries]
    times = []
    for n in range(requests):
        began = time.perf_counter()
        get(n)
        times.append(time.perf_counter() - began)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for n in range(requests):
        get(n)
    profiler.stop()
    session = profiler.last_session
    ms_per_request = statistics.median(times) * 1000
    top = sorted(_self_times(session.root_frame()).items(), key=lambda item: -item[1])[:TOP_FRAMES]
    top_rows = [
        {"function": function, "where": where, "ms_per_request": seconds * 1000 / requests}
        for (function, where), seconds in top
    ]
    lines = [
        f"Profile of GET {path} ({name}) at commit {_commit()}: {requests} requests in process "
        f"through Django's test client, {len(tokens)} people in turn, token authentication.",
        f"Median {ms_per_request:.2f} ms per request without the profiler "
        f"({session.duration * 1000 / requests:.2f} ms under it); {len(queries)} database queries "
        "per request:",
        *[f"  {sql[:160]}" for sql in queries],
        "",
        f"Functions by their own time (ms per request, top {TOP_FRAMES}):",
        *[f"  {row['ms_per_request']:7.3f}  {row['function']}  {row['where']}" for row in top_rows],
        "",
        profiler.output_text(unicode=True, color=False),
    ]
    out = directory / f"profile-{name}.txt"
    out.write_text("\n".join(lines))
    return {
        "path": path,
        "requests": requests,
        "ms_per_request": ms_per_request,
        "queries": len(queries),
        "top": top_rows,
        "file": out.name,
    }


def profile_rows(tokens: list[str], *, requests: int = 200, directory: Path = HERE) -> list[Row]:
    """The feed page and the trivial endpoint profiled; one row with their time per request."""
    results = {
        name: profile_endpoint(tokens, name, requests=requests, directory=directory) for name in PROFILED
    }
    feed, trivial = results["feed"], results["trivial"]
    return [
        Row(
            metric="time per request in process (Django test client: every middleware, token "
            "authentication, view, renderer; profiles in bench/profile-feed.txt and profile-trivial.txt)",
            socialblue=number(feed["ms_per_request"], "ms") + f" feed ({feed['queries']} queries)",
            peer=number(trivial["ms_per_request"], "ms") + f" trivial ({trivial['queries']} queries)",
            ratio=feed["ms_per_request"] / trivial["ms_per_request"],
            values=results,
        )
    ]
