"""A real Celery worker for a test: the one way the suite starts one.

Ask for the ``celery_worker`` fixture (registered in ``tests/conftest.py``) and call it::

    def test_something(celery_worker):
        with tasks_through_broker():
            ...                                   # tasks wait in this test's own queues
            worker = celery_worker(queues=("fanout", "default"), FEED_FANOUT_CHUNK=50)
            wait_for(lambda: ..., what=lambda: f"...; worker log:\n{worker.log()[-3000:]}")

The worker is a ``celery worker`` subprocess (prefork pool) running ``tests.worker_app``, the
project's app with queue names of this test only (``worker_queues``, their prefix); it reads
the test database, the test Redis and the test's ``MEDIA_ROOT``, and is killed when the test
ends. Whether tasks go to it is the test's choice: they run inline unless sent with
:func:`tasks_through_broker` (or a module overrides ``eager_tasks``), since a story often sets
the scene with inline tasks first.

Test modules import this module before ``pytest_plugins`` registers it, too late for pytest to
rewrite its asserts; it has none: PYTEST_DONT_REWRITE.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from socialblue.celery import app as celery_app
from tests.worker_app import prefixed_routes

QUEUES = ("default", "fanout", "media")
BROKER_KEYS = (*QUEUES, "unacked", "unacked_index", "unacked_mutex")


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


def redis_env() -> dict[str, str]:
    """The Redis variables of this process's settings, for a child process (a worker, an ASGI
    server) that must use the same servers: the split URLs too, where a test points them
    somewhere of its own."""
    from django.conf import settings

    env = {"REDIS_URL": settings.REDIS_URL}
    if settings.REDIS_URL:
        env |= {
            "TIMELINE_REDIS_URL": settings.TIMELINE_REDIS_URL,
            "TIMELINE_REDIS_CLUSTER": settings.TIMELINE_REDIS_CLUSTER,
            "CHANNEL_REDIS_URL": settings.CHANNEL_REDIS_URL,
            "CACHE_REDIS_URL": settings.CACHE_REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        }
    return env


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


def _start_worker(
    *,
    queue_prefix: str,
    queues: tuple[str, ...],
    name: str,
    log_dir: Path,
    env: dict[str, str] | None = None,
    loglevel: str = "WARNING",
) -> Worker:
    """Start ``tests.worker_app`` on ``queues`` (names without the prefix), reading the test
    database, Redis and ``MEDIA_ROOT``; the caller kills it (``Worker.kill``). Tests use the
    ``celery_worker`` fixture, which does that for them."""
    from django.conf import settings

    nodename = f"{queue_prefix}{name}@test"
    log_path = log_dir / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "tests.worker_app",
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
                **redis_env(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "TEST_QUEUE_PREFIX": queue_prefix,
                **(env or {}),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool's children die with it
        )
    return Worker(process, log_path, nodename)


@pytest.fixture
def worker_queues(redis_client) -> Iterator[str]:
    """This test's own queues, empty at the start and deleted at the end: their name prefix
    (``f"{worker_queues}fanout"`` is the fan-out queue's key in Redis)."""
    with private_queues(redis_client, "test") as prefix:
        yield prefix


@pytest.fixture
def celery_worker(worker_queues, tmp_path) -> Iterator[Callable[..., Worker]]:
    """``celery_worker(name="worker", queues=QUEUES, loglevel="WARNING", **env)`` starts a real
    worker on this test's queues, with ``env`` added to its environment (settings such as
    ``FEED_FANOUT_CHUNK=50``, or ``TEST_CHUNK_DELAY``: see ``tests/worker_app.py``); its log
    is ``tmp_path / f"{name}.log"``. Every worker it started is killed when the test ends."""
    started: list[Worker] = []

    def start(
        name: str = "worker", *, queues: tuple[str, ...] = QUEUES, loglevel: str = "WARNING", **env
    ) -> Worker:
        worker = _start_worker(
            queue_prefix=worker_queues,
            queues=queues,
            name=name,
            log_dir=tmp_path,
            env={key: str(value) for key, value in env.items()},
            loglevel=loglevel,
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def wait_for(condition: Callable[[], object], *, what: Callable[[], str], seconds: float = 60, every=0.1):
    """Poll ``condition`` until it holds; ``what()`` explains a time-out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what()}")
        time.sleep(every)
