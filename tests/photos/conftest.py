"""Photo tests: real files made by the tests, real storage (a temporary MEDIA_ROOT), real
Redis timelines, Celery tasks called for real in this process unless a test starts a worker.

Most stories run inside the test's transaction; what a commit would trigger (processing,
fan-out, deleting files) runs when a ``committed()`` block ends, as after a real commit.
The shared fixtures are in ``tests/conftest.py``.
"""

import pytest


@pytest.fixture(autouse=True)
def _photo_state(media_root, fresh_timelines, eager_tasks):
    """A temporary MEDIA_ROOT, no timelines from another test, tasks inline (unless a test
    overrides ``eager_tasks``)."""


@pytest.fixture
def upload_tmp(settings, tmp_path):
    """Uploads over a kilobyte are spooled to temporary files in this directory, so a test
    can see that none is left behind."""
    directory = tmp_path / "upload-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return directory


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
