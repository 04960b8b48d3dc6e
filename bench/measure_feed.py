"""Reading the feed: the cost of merging high-follower authors, pages per second through the
real HTTP stack against a trivial endpoint and against django-activity-stream, queries per
page, and rebuilding a lost timeline."""

import http.client
import statistics
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import keys
from bench.graph import Plan, Scale
from bench.report import Row, number
from feed import fanout, pages, timelines
from feed.selectors import feed_page_rows, feed_queryset
from profiles.models import Follow
from profiles.selectors import profile_queryset

MERGE_RATIO_TARGET = 1.3
TRIVIAL_SHARE_TARGET = 0.7
ACTSTREAM_TIMES_TARGET = 2
REBUILD_MS_TARGET = 50

ENDPOINTS = {
    "feed": "/api/v1/feed/?limit=20",
    "trivial": "/api/v1/auth/tokens/",
    "actstream": "/bench/actstream/",
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- Merging high-follower authors on read ----------------------------------------------------


def _slowest_query(captured) -> dict:
    query = max(captured.captured_queries, key=lambda q: float(q["time"]))
    return {"ms": float(query["time"]) * 1000, "sql": query["sql"][:400]}


def _api_page(viewer) -> bytes:
    """The feed page exactly as ``GET /api/v1/feed/`` makes it, without the HTTP around it."""
    return pages.feed_page_json(
        viewer=viewer, cursor=None, limit=20, origin="http://127.0.0.1", next_url=lambda after: str(after)
    )


def _page_costs(company: Plan, iterations: int) -> dict:
    viewers = {
        "merge": profile_queryset().get(pk=company.merge_viewer),
        "plain": profile_queryset().get(pk=company.plain_viewer),
    }
    pages_, queries, slowest = {}, {}, {}
    for name, viewer in viewers.items():
        _api_page(viewer)  # renders what is not kept yet
        with CaptureQueriesContext(connection) as captured:
            _api_page(viewer)
        pages_[name] = feed_page_rows(viewer=viewer, limit=20)
        queries[name] = len(captured)
        slowest[name] = _slowest_query(captured)
    times = {name: [] for name in viewers}
    for _ in range(iterations):
        for name, viewer in viewers.items():
            started = time.perf_counter()
            _api_page(viewer)
            times[name].append(time.perf_counter() - started)
    return {
        "median_ms": {name: statistics.median(values) * 1000 for name, values in times.items()},
        "p95_ms": {name: _percentile(values, 0.95) * 1000 for name, values in times.items()},
        "queries": queries,
        "slowest_query": slowest,
        "sources": {name: page.source for name, page in pages_.items()},
        "items": {name: len(page.rows) for name, page in pages_.items()},
        "items_from_high_follower_authors": sum(row.actor_id in company.big for row in pages_["merge"].rows),
    }


def _merge_row(costs: dict, *, metric: str, experiment: bool = False) -> Row:
    medians, slowest = costs["median_ms"], costs["slowest_query"]
    ratio = medians["merge"] / medians["plain"]
    return Row(
        metric=metric,
        socialblue=number(medians["merge"], "ms") + f" (slowest query {slowest['merge']['ms']:.1f} ms)",
        peer=number(medians["plain"], "ms")
        + f" (no high-follower author; slowest query {slowest['plain']['ms']:.1f} ms)",
        ratio=ratio,
        target=("ref. " if experiment else "") + f"≤ {MERGE_RATIO_TARGET}×",
        met=None if experiment else ratio <= MERGE_RATIO_TARGET,
        values=costs,
        why=f"merging costs {medians['merge'] - medians['plain']:.1f} ms more per page: the authorising "
        f"query's merged-on-read branch (its slowest query {slowest['merge']['ms']:.1f} ms against "
        f"{slowest['plain']['ms']:.1f} ms)",
    )


def merge_cost(company: Plan, scale: Scale) -> Row:
    return _merge_row(
        _page_costs(company, scale.page_iterations),
        metric="feed page (feed.pages.feed_page_json, 20 items, renders kept) merging 5 high-follower "
        "authors vs none",
    )


# --- Rebuilding a lost timeline ---------------------------------------------------------------


def _rebuild_times(viewer_id: int, iterations: int) -> tuple[list[float], dict]:
    timelines.drop(viewer_id)
    with CaptureQueriesContext(connection) as captured:
        fanout.rebuild_timeline(viewer_id)
    times = []
    for _ in range(iterations):
        timelines.drop(viewer_id)
        started = time.perf_counter()
        fanout.rebuild_timeline(viewer_id)
        times.append(time.perf_counter() - started)
    return times, {"queries": len(captured), "slowest_query": _slowest_query(captured)}


def rebuild_cost(r, company: Plan, scale: Scale) -> list[Row]:
    viewer_id = company.rebuild_viewer
    viewer = profile_queryset().get(pk=viewer_id)
    followees = Follow.objects.filter(follower_id=viewer_id).count()
    activities = feed_queryset(viewer, include_merged=False).count()
    times, queries = _rebuild_times(viewer_id, scale.rebuild_iterations)
    size, members = keys.memory_usage(r, viewer_id)
    median_ms = statistics.median(times) * 1000
    ids = list(range(1, settings.FEED_MAX_ITEMS + 2))
    spent = []
    for _ in range(10):
        timelines.drop(viewer_id)
        before = keys.command_usec(r)
        started = time.perf_counter()
        timelines.replace(viewer_id, ids)
        spent.append((time.perf_counter() - started, keys.usec_since(r, before, ["del", "rpush", "expire"])))
    replace = {
        "ms": statistics.median(s for s, _ in spent) * 1000,
        "redis_ms": statistics.median(u for _, u in spent) / 1000,
    }
    fanout.rebuild_timeline(viewer_id)
    return [
        Row(
            metric=f"rebuild a lost timeline (fanout.rebuild_timeline; follows {followees}, "
            f"{activities:,} activities in the feed; median of {len(times)})",
            socialblue=number(median_ms, "ms") + f" (slowest query {queries['slowest_query']['ms']:.1f} ms)",
            peer=f"p95 {_percentile(times, 0.95) * 1000:.1f} ms; {members - 1} ids, {size:,} B",
            target=f"≤ {REBUILD_MS_TARGET} ms",
            met=median_ms <= REBUILD_MS_TARGET,
            values={
                "times_ms": [t * 1000 for t in times],
                "followees": followees,
                "activities": activities,
                **queries,
            },
        ),
        Row(
            metric=f"of which: timelines.replace of {len(ids)} ids (Redis CPU)",
            socialblue=number(replace["ms"], "ms") + f" (Redis {replace['redis_ms']:.2f} ms)",
            values=replace,
        ),
    ]


# --- Through the HTTP stack -------------------------------------------------------------------


def _load(base_url: str, path: str, tokens: list[str], *, seconds: float, threads: int) -> dict:
    """Keep-alive connections in ``threads`` threads, each sending GET ``path`` as the next
    person in ``tokens`` for ``seconds``. Counts completed requests; any non-200 is an error."""
    parts = urlsplit(base_url)
    results = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        latencies, sizes, errors, n = [], [], 0, offset
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            token = tokens[n % len(tokens)]
            n += 1
            began = time.perf_counter()
            conn.request(
                "GET", path, headers={"Authorization": f"Token {token}", "Accept": "application/json"}
            )
            response = conn.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - began)
            sizes.append(len(body))
            if response.status != 200:
                errors += 1
        conn.close()
        with lock:
            results.append((latencies, sizes, errors))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    start.wait()
    began = time.perf_counter()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    latencies = [x for lat, _s, _e in results for x in lat]
    sizes = [x for _l, s, _e in results for x in s]
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "errors": sum(e for _l, _s, e in results),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _percentile(latencies, 0.95) * 1000,
        "bytes": statistics.median(sizes),
    }


def queries_per_page(token: str) -> dict[str, dict]:
    """Each endpoint once in process (the same middleware and views), counting queries."""
    client = Client(headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    counts = {}
    for name, path in ENDPOINTS.items():
        client.get(path)  # the first request may record last-active times
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        counts[name] = {"queries": len(captured), "bytes": len(response.content)}
    return counts


def _connections_kept_since(started) -> int:
    """Connections to this database, other than ours, opened before ``started`` and still
    there: the server's pooled ones (without a pool every request opens and closes its own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_start < %s",
            [started],
        )
        return cursor.fetchone()[0]


def http_throughput(base_url: str, tokens: list[str], scale: Scale) -> tuple[list[Row], dict]:
    counts = queries_per_page(tokens[0])
    totals = {name: {"requests": 0, "seconds": 0.0, "runs": []} for name in ENDPOINTS}
    for path in ENDPOINTS.values():  # warm every viewer's path once
        _load(base_url, path, tokens, seconds=1.0, threads=scale.http_threads)
    measured_from = timezone.now()
    order = list(ENDPOINTS)
    for passes in (order, order[::-1]):
        for name in passes:
            result = _load(
                base_url, ENDPOINTS[name], tokens, seconds=scale.http_seconds / 2, threads=scale.http_threads
            )
            if result["errors"]:
                raise RuntimeError(f"{ENDPOINTS[name]}: {result['errors']} requests failed")
            totals[name]["requests"] += result["requests"]
            totals[name]["seconds"] += result["seconds"]
            totals[name]["runs"].append(result)
    rps = {name: t["requests"] / t["seconds"] for name, t in totals.items()}
    p50 = {name: statistics.median(r["p50_ms"] for r in t["runs"]) for name, t in totals.items()}
    size = {name: counts[name]["bytes"] for name in ENDPOINTS}
    # Persistent connections on every side: the clients keep theirs alive, and the server (one
    # uvicorn process serving SocialBlue and the django-activity-stream peer alike) takes its
    # database connections from the pool (DATABASE_POOL_MAX_SIZE) rather than opening one per
    # request.
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    server_db = f"a database pool of {pool['max_size']}" if pool else "no database pool"
    kept = _connections_kept_since(measured_from)
    details = {
        "rps": rps,
        "p50_ms": p50,
        "queries": counts,
        "runs": totals,
        "threads": scale.http_threads,
        "database_pool": pool,
        "server_connections_kept": kept,
    }
    vs_trivial = rps["feed"] / rps["trivial"]
    vs_actstream = rps["feed"] / rps["actstream"]
    viewers = (
        f"{len(tokens)} viewers, {scale.http_threads} keep-alive clients, uvicorn with {server_db} "
        "for every endpoint"
    )
    ms = {name: 1000 / value for name, value in rps.items()}
    why_trivial = (
        f"a feed request takes {ms['feed']:.1f} ms of the server against the trivial endpoint's "
        f"{ms['trivial']:.1f} ms: the feed's own work (the timeline read, the authorising query, the "
        f"render cache, assembling {size['feed']:,} bytes) is the {ms['feed'] - ms['trivial']:.1f} ms between"
    )
    trivial_vs_actstream = rps["trivial"] / rps["actstream"]
    why_actstream = (
        f"even the trivial endpoint (authentication and a list of one person's tokens, no feed) serves only "
        f"{trivial_vs_actstream:.2f}× django-activity-stream in this run: what every request of this server "
        f"pays (uvicorn, Django's ASGI handler, authentication, the rate limit; {ms['trivial']:.1f} ms for "
        f"the trivial request) is most of the peer's {ms['actstream']:.1f} ms, so no endpoint of this stack "
        f"reaches {ACTSTREAM_TIMES_TARGET}× the peer here"
        if trivial_vs_actstream < ACTSTREAM_TIMES_TARGET
        else f"the trivial endpoint (no feed at all) is {trivial_vs_actstream:.2f}× the peer in this run, so "
        f"{ACTSTREAM_TIMES_TARGET}× the peer leaves a feed request "
        f"{ms['actstream'] / ACTSTREAM_TIMES_TARGET - ms['trivial']:.1f} ms on top of the trivial request's "
        f"{ms['trivial']:.1f} ms; the feed's own work (timeline read, authorising query, render cache, "
        f"{size['feed']:,} bytes) takes {ms['feed'] - ms['trivial']:.1f} ms"
    )
    rows = [
        Row(
            metric=f"feed page over HTTP (GET /api/v1/feed/, 20 items from kept renders, one authorising "
            f"query; {viewers}) vs a trivial "
            "authenticated DRF endpoint (GET /api/v1/auth/tokens/)",
            socialblue=number(rps["feed"], "req/s") + f" (p50 {p50['feed']:.1f} ms, {size['feed']:,} B)",
            peer=number(rps["trivial"], "req/s") + f" (p50 {p50['trivial']:.1f} ms)",
            ratio=vs_trivial,
            target=f"≥ {TRIVIAL_SHARE_TARGET} of trivial",
            met=vs_trivial >= TRIVIAL_SHARE_TARGET,
            values=details,
            why=why_trivial,
        ),
        Row(
            metric="feed page over HTTP vs django-activity-stream user_stream (same people, follows and "
            "posts; 20 actions as JSON)",
            socialblue=number(rps["feed"], "req/s"),
            peer=number(rps["actstream"], "req/s")
            + f" (p50 {p50['actstream']:.1f} ms, {size['actstream']:,} B)",
            ratio=vs_actstream,
            target=f"≥ {ACTSTREAM_TIMES_TARGET}× actstream",
            met=vs_actstream >= ACTSTREAM_TIMES_TARGET,
            why=why_actstream,
        ),
        Row(
            metric="database queries per request (all included: authentication with the viewer, page)",
            socialblue=f"{counts['feed']['queries']} (feed)",
            peer=f"{counts['trivial']['queries']} (trivial); {counts['actstream']['queries']} (actstream); "
            f"server's database connections kept through the runs: {kept}",
        ),
    ]
    return rows, details
