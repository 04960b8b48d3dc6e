"""Feed tests run against the real Redis and PostgreSQL. Celery tasks are called for real,
in this process (``task_always_eager``), unless a test starts a real worker; transactions
commit (``transaction=True``) so that ``on_commit`` fan-outs happen as in production."""

import pytest
import redis
from django.conf import settings

from socialblue.celery import app as celery_app


def _clear_feed_keys() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
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
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.close()
