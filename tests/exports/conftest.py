"""Exit-kit tests run against the real Redis and PostgreSQL: HR's offboarding and rehire in
these stories publish activities and reset timelines once they commit. Celery tasks run for
real, in this process (``task_always_eager``), and a test that needs what follows a commit
runs it with ``committed``. The shared fixtures are in ``tests/conftest.py``."""

import pytest


@pytest.fixture(autouse=True)
def _exports_state(fresh_timelines, eager_tasks):
    """No timelines from another test; tasks inline (unless a test overrides ``eager_tasks``)."""
