"""What tests that run a real Celery worker subprocess share (tests/feed, tests/photos).

The worker runs ``tests.feed.celery_worker`` (the project's app with private queue names);
these helpers give the test process the same queue names, send tasks through the broker
instead of inline, and tell the worker where the test database is.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from socialblue.celery import app as celery_app
from tests.feed.celery_worker import prefixed_routes

BROKER_KEYS = ("media", "fanout", "default", "unacked", "unacked_index", "unacked_mutex")


@contextmanager
def tasks_through_broker() -> Iterator[None]:
    """Tasks go through the broker to a worker, not inline."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def _use_routes(routes) -> None:
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # built from the routes once, then cached


@contextmanager
def private_queues(redis_client, label: str) -> Iterator[str]:
    """Queues of this test run only, empty at the start and deleted at the end; yields the
    prefix to hand to the worker as TEST_QUEUE_PREFIX."""
    prefix = f"{label}{os.getpid()}."
    names = [f"{prefix}{name}" for name in BROKER_KEYS]
    redis_client.delete(*names)
    previous = celery_app.conf.task_routes
    _use_routes(prefixed_routes(prefix))
    try:
        yield prefix
    finally:
        _use_routes(previous)
        bindings = list(redis_client.scan_iter(match=f"_kombu.binding*.{prefix}*", count=1000))
        redis_client.delete(*names, *bindings)


def database_url() -> str:
    """The test database, as DATABASE_URL for the worker."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """A real ``celery worker`` subprocess (prefork pool) on a test's private queues."""

    def __init__(self, process: subprocess.Popen, log_path: Path, nodename: str):
        self.process, self.log_path, self.nodename = process, log_path, nodename

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes, as a crashed machine would."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def start_worker(
    *,
    queue_prefix: str,
    queues: tuple[str, ...],
    name: str,
    log_dir: Path,
    env: dict[str, str] | None = None,
    loglevel: str = "WARNING",
) -> Worker:
    """Start ``tests.feed.celery_worker`` on ``queues`` (names without the prefix), reading
    the test database and Redis; the caller kills it (``Worker.kill``)."""
    from django.conf import settings

    nodename = f"{queue_prefix}{name}@test"
    log_path = log_dir / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "tests.feed.celery_worker",
                "worker",
                "-Q",
                ",".join(queue_prefix + queue for queue in queues),
                "--pool=prefork",
                "--concurrency=2",
                "-n",
                nodename,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--loglevel={loglevel}",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "REDIS_URL": settings.REDIS_URL,
                "TEST_QUEUE_PREFIX": queue_prefix,
                **(env or {}),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool's children die with it
        )
    return Worker(process, log_path, nodename)


def wait_for(condition: Callable[[], object], *, what: Callable[[], str], seconds: float = 60, every=0.1):
    """Poll ``condition`` until it holds; ``what()`` explains a time-out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what()}")
        time.sleep(every)
