"""Feed tests run against the real Redis and PostgreSQL. Celery tasks are called for real,
in this process (``task_always_eager``), unless a test starts a real worker; transactions
commit (``transaction=True``) where ``on_commit`` fan-outs must happen as in production.
The fixtures themselves are in ``tests/conftest.py``."""

import pytest


@pytest.fixture(autouse=True)
def _feed_state(fresh_timelines, eager_tasks):
    """Each test starts with no timelines, and its tasks run inline (or, where a test
    overrides ``eager_tasks``, through the broker to a real worker)."""
