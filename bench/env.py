"""Where the bench runs: its own database and Redis db, derived from the environment.

This module is imported before Django is set up, so it uses nothing of Django's.

* Database: ``BENCH_DATABASE_URL``, or ``DATABASE_URL`` with the database renamed to
  ``socialblue_bench`` (created if missing). Never the database ``DATABASE_URL`` names.
* Redis: ``BENCH_REDIS_URL``, or ``REDIS_URL`` with db 8. Never the db ``REDIS_URL`` names:
  the bench flushes its own db.
"""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "socialblue_bench"
BENCH_REDIS_DB = 8
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


class UnsafeTarget(Exception):
    """The bench was about to use a database or Redis db it does not own."""


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _path_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@dataclass(frozen=True)
class Targets:
    database_url: str
    redis_url: str
    database_name: str
    admin_database_url: str  # the server's maintenance database, to create ours


def targets() -> Targets:
    given_db = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    given_redis = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    database_url = os.environ.get("BENCH_DATABASE_URL") or _with_path(given_db, f"/{BENCH_DATABASE}")
    redis_url = os.environ.get("BENCH_REDIS_URL") or _with_path(given_redis, f"/{BENCH_REDIS_DB}")
    name = _path_name(database_url)
    if not urlsplit(database_url).scheme.startswith("postgres"):
        raise UnsafeTarget(f"the bench needs PostgreSQL, not {database_url}")
    if os.environ.get("DATABASE_URL") and name == _path_name(given_db):
        raise UnsafeTarget(f"the bench would use the database {name!r} of DATABASE_URL; it needs its own")
    if os.environ.get("REDIS_URL") and (_path_name(redis_url) or "0") == (_path_name(given_redis) or "0"):
        raise UnsafeTarget("the bench would flush the Redis db of REDIS_URL; it needs its own")
    return Targets(
        database_url=database_url,
        redis_url=redis_url,
        database_name=name,
        admin_database_url=_with_path(database_url, "/postgres"),
    )


def process_environment(targets: Targets, *, fanout_limit: int) -> dict[str, str]:
    """The environment of the bench process and the servers and workers it starts: the bench
    settings, production-like switches (no DEBUG query log, no browsable API, no HTTPS
    redirect on the loopback) and the bench's own database and Redis."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": targets.database_url,
        "REDIS_URL": targets.redis_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "socialblue-bench-only-" + "x" * 40,
        # The loopback server, and the in-process test client that counts queries.
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "FEED_FANOUT_LIMIT": str(fanout_limit),
        # A handful of viewers make thousands of reads each: the bench measures the feed, not
        # the API's rate limit (whose counting stays on, at a rate no viewer reaches).
        "API_RATE_READ": "100000000/m",
    }


def ensure_database(targets: Targets) -> bool:
    """Create the bench database if it is missing; True if it was created."""
    import psycopg

    with psycopg.connect(targets.admin_database_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [targets.database_name]
        ).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{targets.database_name}"')
        return True
