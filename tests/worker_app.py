"""SocialBlue's own Celery app, as the tests' workers run it in a subprocess
(``tests/workers.py`` starts them)::

    celery -A tests.worker_app worker -Q <prefix>fanout,<prefix>default ...

It is ``socialblue.celery.app`` with its tasks and settings, and three changes, all taken
from the environment so that the test decides:

* ``TEST_QUEUE_PREFIX``: every queue name gets this prefix (and so do the broker's unacked
  bookkeeping keys), so a test's worker shares no queue with other workers on the same Redis.
* ``TEST_VISIBILITY_TIMEOUT``: seconds after which a message a dead worker had taken is
  handed out again (production waits an hour; the restore scan runs every second here).
* ``TEST_CHUNK_DELAY``: seconds each fan-out chunk waits before it starts, so that a test can
  kill the worker in the middle of a fan-out instead of after it.

The pytest process routes its tasks with :func:`prefixed_routes` so both sides agree.
"""

import os
import time

from celery.signals import task_prerun
from django.conf import settings

from socialblue.celery import app

PREFIX = os.environ.get("TEST_QUEUE_PREFIX", "")
CHUNK_DELAY = float(os.environ.get("TEST_CHUNK_DELAY") or 0)


def prefixed_routes(prefix: str) -> dict:
    """The project's task routes with every queue name prefixed."""
    return {
        name: {**route, "queue": prefix + route["queue"]}
        for name, route in settings.CELERY_TASK_ROUTES.items()
    }


def transport_options(prefix: str, visibility_timeout: int) -> dict:
    return {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": visibility_timeout,
        "unacked_key": f"{prefix}unacked",
        "unacked_index_key": f"{prefix}unacked_index",
        "unacked_mutex_key": f"{prefix}unacked_mutex",
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


if PREFIX:
    app.conf.task_routes = prefixed_routes(PREFIX)
    app.conf.task_default_queue = f"{PREFIX}default"
    app.conf.broker_transport_options = transport_options(
        PREFIX, int(os.environ.get("TEST_VISIBILITY_TIMEOUT") or 3600)
    )


if CHUNK_DELAY:

    @task_prerun.connect(weak=False)
    def _slow_chunks(sender=None, **kwargs):
        if sender is not None and sender.name == "feed.tasks.fan_out_chunk":
            time.sleep(CHUNK_DELAY)
