"""What tests that run a real Celery worker subprocess share (tests/feed, tests/photos).

The worker runs ``tests.feed.celery_worker`` (the project's app with private queue names);
these helpers give the test process the same queue names, send tasks through the broker
instead of inline, and tell the worker where the test database is.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

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
