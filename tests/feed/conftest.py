"""Feed tests run against the real Redis and PostgreSQL. Celery tasks are called for real,
in this process (``task_always_eager``), unless a test starts a real worker; transactions
commit (``transaction=True``) so that ``on_commit`` fan-outs happen as in production."""

import pytest
import redis
from django.conf import settings

from socialblue.celery import app as celery_app

# The real server, even while a test points settings.REDIS_URL somewhere unreachable.
REAL_REDIS_URL = settings.REDIS_URL


def _clear_feed_keys() -> None:
    client = redis.Redis.from_url(REAL_REDIS_URL)
    keys = list(client.scan_iter(match="feed:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(autouse=True)
def _fresh_timelines():
    """Each test starts with no timelines, no presence and no rebuild locks."""
    _clear_feed_keys()
    yield
    _clear_feed_keys()


@pytest.fixture(autouse=True)
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REAL_REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` — run what the block schedules with ``on_commit`` when it
    ends, as a commit would (for tests inside a rolled-back test transaction)."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def tasks_run():
    """The names of the Celery tasks that ran in this process during the test, in order."""
    from celery.signals import task_prerun

    names: list[str] = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)
