"""Photo tests: real files made by the tests, real storage (a temporary MEDIA_ROOT), real
Redis timelines, Celery tasks called for real in this process unless a test starts a worker.

Most stories run inside the test's transaction; what a commit would trigger (processing,
fan-out, deleting files) runs when a ``committed()`` block ends, as after a real commit.
"""

import pytest
import redis
from django.conf import settings

from socialblue.celery import app as celery_app

# The real server, even while a test points settings.REDIS_URL somewhere else.
REAL_REDIS_URL = settings.REDIS_URL


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _clear_feed_keys() -> None:
    if not REAL_REDIS_URL:
        return
    client = redis.Redis.from_url(REAL_REDIS_URL)
    keys = list(client.scan_iter(match="feed:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(autouse=True)
def _fresh_timelines():
    """Each test starts with no timelines left by another (ids repeat across test runs)."""
    _clear_feed_keys()
    yield
    _clear_feed_keys()


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REAL_REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` — run what the block schedules with ``on_commit`` when it
    ends (and what that schedules in turn), as a commit would."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def upload_tmp(settings, tmp_path):
    """Uploads over a kilobyte are spooled to temporary files in this directory, so a test
    can see that none is left behind."""
    directory = tmp_path / "upload-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return directory


@pytest.fixture
def task_runs():
    """The names of the Celery tasks that started in this process during the test."""
    from celery.signals import task_prerun

    names: list[str] = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
