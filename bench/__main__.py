"""``python -m bench [--quick] [--seed N] [--only feed|photos]``: measure, print the table, write it.

It builds the company, measures, prints the table and writes ``bench/results.md`` and
``bench/results.json``.

``--only photos`` measures the photo pipeline alone (:mod:`bench.measure_photos`: no database,
no Redis, no company, about a minute and a half); ``--only feed`` everything but the photos.
A run of one part prints its table and writes it under ``var/bench/only-<part>/``, leaving the
full table in ``bench/`` as the last full run wrote it.

Where it runs (see :mod:`bench.env`): its own PostgreSQL database (``socialblue_bench``,
created and migrated if missing, emptied and refilled on every run) and its own Redis db
(``REDIS_URL``'s server, db 8, flushed before and after every run; ``--keep-redis`` keeps it
after). ``zset-max-listpack-entries`` is a
server-wide Redis setting: the bench sets it while it runs and puts back the value it found.

What it starts: an ASGI server (uvicorn) and a Celery worker (``-Q fanout -c 2``), each in a
child process, stopped when the bench ends.

The order of the run is chosen so measurements do not disturb each other: in-process Redis
and database measurements first, then HTTP against the server, then the big fan-out and the
live latency with the worker running; the photo pipeline last, once the server and the
worker are stopped, each of its figures in a child process of its own. The table lists the
rows in the order of the brief.
"""

import argparse
import importlib.util
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("feed", "photos")


def _log(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller company and shorter runs")
    parser.add_argument("--seed", type=int, default=1, help="the same seed builds the same company")
    parser.add_argument(
        "--keep-redis",
        action="store_true",
        help="leave the bench's Redis db filled after the run, to inspect it",
    )
    parser.add_argument(
        "--only",
        choices=PARTS,
        help="measure one part: the feed, or the photo pipeline (which needs no database or Redis)",
    )
    args = parser.parse_args(argv)
    parts = (args.only,) if args.only else PARTS
    missing = "feed" in parts and [
        name for name in ("actstream", "websockets", "pytest") if importlib.util.find_spec(name) is None
    ]
    if missing:
        print(
            f"The bench needs {', '.join(missing)}: install the bench extras "
            "(.venv/bin/pip install django-activity-stream websockets pytest, as in pyproject's "
            "[project.optional-dependencies] bench).",
            file=sys.stderr,
        )
        return 2
    started = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    os.environ["BENCH_LOAD_AT_START"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())

    from bench import env

    targets = env.targets()
    # The limit is set again once the company is planned; the worker of the big fan-out
    # gets its own, above its follower count.
    os.environ.update(env.process_environment(targets, fanout_limit=10_000))
    if "feed" not in parts:
        return run_photos(args, started=started, started_at=started_at)
    created = env.ensure_database(targets)
    import django

    django.setup()
    return run(args, targets, created=created, started=started, started_at=started_at, parts=parts)


def _measure_photos(args, log) -> tuple[list, dict]:
    from bench import measure_photos

    return measure_photos.measure(quick=args.quick, seed=args.seed, log=log)


def _photo_notes(photos_meta: dict) -> list[str]:
    if not photos_meta:
        return []
    return [
        f"Photos: {photos_meta['pillow']}; test images made by bench/measure_photos.py from the seed; "
        "each photo figure from a child process of its own.",
    ]


def _write(rows: list, meta: dict, only: str | None) -> tuple:
    from bench import procs, report

    print()
    print(report.markdown(rows, meta))
    if only is None:
        return report.write(rows, meta)
    directory = procs.LOG_DIR / f"only-{only}"
    directory.mkdir(parents=True, exist_ok=True)
    return report.write(rows, meta, directory=directory)


def run_photos(args, *, started: float, started_at: str) -> int:
    """``--only photos``: the photo rows alone, without the database, Redis or the company."""
    from bench import report

    log = lambda message: _log(message, started)  # noqa: E731
    log(f"photos only ({'quick' if args.quick else 'full'})")
    failed = False
    try:
        rows, photos_meta = _measure_photos(args, log)
    except Exception as error:  # reported in the table, with the traceback on stderr
        traceback.print_exc()
        rows = [report.Row(metric="photos", socialblue=f"failed: {error}"[:200], met=False)]
        photos_meta, failed = {}, True
    meta = {
        "started": started_at,
        "seconds": time.monotonic() - started,
        "scale": "quick" if args.quick else "full",
        "seed": args.seed,
        "machine": report.machine(),
        "load_average_at_start": os.environ.get("BENCH_LOAD_AT_START", ""),
        "load_average_at_end": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        "redis_version": "(not used)",
        "postgres_version": "(not used)",
        "company": "none, photos only (python -m bench --only photos)",
        "photos": photos_meta,
        "notes": [*_photo_notes(photos_meta), "ratio = SocialBlue / floor."],
    }
    md, js = _write(rows, meta, args.only)
    log(f"wrote {md.relative_to(ROOT)} and {js.relative_to(ROOT)}")
    return 1 if failed else 0


def run(args, targets, *, created: bool, started: float, started_at: str, parts=PARTS) -> int:
    from django.conf import settings
    from django.db import connection

    from bench import env, graph, keys, measure_fanout, measure_feed, measure_live, procs, report
    from bench import setup as bench_setup
    from bench.measure_layouts import layout_rows

    scale = graph.QUICK if args.quick else graph.FULL
    log = lambda message: _log(message, started)  # noqa: E731
    log(
        f"{scale.name} scale; database {targets.database_name} ({'created' if created else 'exists'}), "
        f"Redis {targets.redis_url}"
    )
    bench_setup.migrate()
    r = keys.client(targets.redis_url)
    r.flushdb()
    original_listpack = keys.listpack_entries(r)
    keys.set_listpack_entries(r, 1024)
    try:
        company = bench_setup.build_company(scale, args.seed)
        log(
            f"company: {len(company.people):,} people, {len(company.follows):,} follows, "
            f"{len(company.post_authors):,} posts; FEED_FANOUT_LIMIT {company.fanout_limit:,}"
        )
        built = bench_setup.build_timelines(company, r)
        log(f"timelines: {built['cloned'] + 1:,} at the cap, {built['rebuilt']} rebuilt from the database")
        viewer_tokens = bench_setup.tokens_for(company.http_viewers, "bench-http")
        live_tokens = bench_setup.tokens_for(company.live_followers, "bench-live")
        log(f"tokens: {len(viewer_tokens) + len(live_tokens):,}")

        rows: dict[str, list] = {}

        def measure(name: str, what: str, fn) -> object:
            """Run one measurement; a failure becomes a failed row, and the run goes on."""
            try:
                result = fn()
            except Exception as error:  # reported in the table, with the traceback on stderr
                traceback.print_exc()
                rows[name] = [report.Row(metric=what, socialblue=f"failed: {error}"[:200], met=False)]
                return None
            log(f"measured: {what}")
            if isinstance(result, list):
                rows[name] = result
            return result

        storage = measure(
            "throughput", "fan-out throughput", lambda: measure_fanout.throughput(r, company, scale)
        )
        if storage is not None:
            rows["throughput"], storage = storage
            rows["memory"] = measure_fanout.memory_rows(storage)
        else:
            rows["memory"] = []
        measure("rebuild", "rebuild", lambda: measure_feed.rebuild_cost(r, company, scale))
        measure("merge", "merge cost", lambda: [measure_feed.merge_cost(company, scale)])
        measure("layouts", "timeline layouts", lambda: layout_rows(r, scale))

        server_env = env.process_environment(targets, fanout_limit=company.fanout_limit)
        worker_env = env.process_environment(targets, fanout_limit=10 * len(company.star_followers))
        with procs.asgi_server(server_env) as server:
            url = server.url
            log(f"server on {url}")
            http = measure(
                "http",
                "HTTP pages",
                lambda: measure_feed.http_throughput(url, list(viewer_tokens.values()), scale),
            )
            if http is not None:
                rows["http"] = http[0]
            from bench import measure_profile

            measure(
                "profile",
                "feed and trivial endpoint profiles",
                lambda: measure_profile.profile_rows(list(viewer_tokens.values())),
            )
            with procs.celery_worker(worker_env, concurrency=2):
                measure_fanout.warm_up_worker(company)
                log("worker ready")
                measure(
                    "big", "big fan-out", lambda: [measure_fanout.big_fanout(r, company, scale, workers=2)]
                )
                measure(
                    "live",
                    "live latency",
                    lambda: measure_live.live_rows(
                        live_tokens, company, scale, server=server, env=server_env
                    ),
                )
        # The timelines on Redis Clusters of the bench's own (1 and 3 primaries), once the
        # server and the worker are stopped.
        from bench.measure_cluster import cluster_rows

        measure("cluster", "Redis Cluster fan-out", lambda: cluster_rows(scale))
        from bench import measure_sockets

        measure(
            "sockets",
            "sockets per server process",
            lambda: measure_sockets.socket_rows(company, scale, env=server_env),
        )
        measure("storage", "PostgreSQL bytes per row", measure_sockets.storage_rows)
        photos_meta: dict = {}
        if "photos" in parts:

            def photos() -> list:
                photo_rows, meta = _measure_photos(args, log)
                photos_meta.update(meta)
                return photo_rows

            measure("photos", "photo pipeline", photos)
    finally:
        keys.set_listpack_entries(r, original_listpack)
        if not args.keep_redis:
            r.flushdb()  # about 0.6 GB of timelines at full scale

    order = ["throughput", "big", "merge", "http", "live", "memory", "rebuild", "experiment", "photos"]
    order.insert(order.index("http") + 1, "profile")
    order.insert(order.index("rebuild") + 1, "layouts")
    order.insert(order.index("big") + 1, "cluster")
    order.insert(order.index("live") + 1, "sockets")
    order.insert(order.index("rebuild") + 1, "storage")
    ordered = [row for name in order for row in rows.get(name) or []]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres_version = cursor.fetchone()[0]
    meta = {
        "started": started_at,
        "seconds": time.monotonic() - started,
        "scale": scale.name,
        "seed": args.seed,
        "machine": report.machine(),
        # Other work on the machine skews every figure: the load averages say how busy it was.
        "load_average_at_start": os.environ.get("BENCH_LOAD_AT_START", ""),
        "load_average_at_end": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
        "redis_version": r.info("server")["redis_version"],
        "postgres_version": postgres_version,
        "company": (
            f"{len(company.people):,} people ({len(company.graph):,} in the follow graph), "
            f"{len(company.follows):,} follows, {len(company.post_authors):,} posts; "
            f"FEED_MAX_ITEMS {settings.FEED_MAX_ITEMS}, FEED_FANOUT_CHUNK {settings.FEED_FANOUT_CHUNK}, "
            f"FEED_FANOUT_LIMIT {company.fanout_limit:,} (raised for the big fan-out)"
        ),
        "notes": [
            "Timelines are Redis lists (feed/timelines.py); the layout rows compare layouts by raw commands.",
            "ratio = SocialBlue / floor or peer (for Redis CPU and replace: SocialBlue / raw or skiplist).",
            *_photo_notes(photos_meta),
        ],
    }
    if photos_meta:
        meta["photos"] = photos_meta
    md, js = _write(ordered, meta, args.only)
    log(f"wrote {md.relative_to(procs.ROOT)} and {js.relative_to(procs.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
