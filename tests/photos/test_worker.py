"""Photos are processed by a real Celery worker on the ``media`` queue: a subprocess
(``celery worker --pool=prefork``) reading the pytest test database, the real Redis broker
and the same MEDIA_ROOT, on queues of its own (``tests/workers.py``).
An upload waits in the queue until a worker takes it; a good photo ends ``ready`` with its
files written, a file gone bad ends ``failed`` once, and the feed hears about the batch.
"""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from feed.models import Activity
from photos.models import Photo
from socialblue.celery import app as celery_app
from tests import workers
from tests.photos import files
from tests.photos.stories import create_album, post_images
from tests.workers import Worker, tasks_through_broker

# The worker reads what the test wrote through its own connections: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60
# The worker's own setting, unlike the test process's, to show it is the one applied.
WORKER_TIME_LIMIT = 45


@pytest.fixture
def eager_tasks():
    """Tasks go through the broker to the worker here, not inline."""
    with tasks_through_broker():
        yield


@pytest.fixture
def media_worker(celery_worker, media_root):
    """``media_worker()`` starts a real worker on this test's queues and MEDIA_ROOT."""

    def start() -> Worker:
        return celery_worker("media", loglevel="INFO", PHOTO_TIME_LIMIT_SECONDS=WORKER_TIME_LIMIT)

    return start


def processing_log(worker, event: str) -> int:
    """How many ``process_photo`` tasks the worker logged as ``received`` or ``succeeded``."""
    return sum(
        "photos.tasks.process_photo[" in line and f"] {event}" in line for line in worker.log().splitlines()
    )


def wait_for(condition, *, what, seconds: float = WAIT_SECONDS) -> None:
    workers.wait_for(condition, what=what, seconds=seconds)


def test_a_worker_processes_queued_uploads_good_to_ready_and_bad_to_failed_once(
    ana, client_for, media_worker, worker_queues, redis_client
):
    client = client_for(ana)
    album = create_album(client, "Team offsite")
    response = post_images(client, album["id"], files.camera_jpeg(), files.noisy(size=(600, 400)))
    assert response.status_code == 202, response.content
    good, bad = (Photo.objects.get(pk=p["id"]) for p in response.json())
    # Committed and queued on the media queue, waiting for a worker.
    assert redis_client.llen(f"{worker_queues}media") == 2
    # Meanwhile the second upload goes bad on disk.
    with default_storage.open(bad.incoming, "wb") as f:
        f.write(files.truncated(files.noisy(size=(600, 400)), keep=0.3))

    worker = media_worker()
    wait_for(
        lambda: not Photo.objects.filter(status=Photo.Status.PROCESSING).exists(),
        what=lambda: f"both photos to be processed; worker log:\n{worker.log()[-3000:]}",
    )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "ready"
    assert (good.width, good.height) == (200, 400)  # upright
    for name in (good.original, good.medium, good.thumb):
        assert default_storage.exists(name), name
    assert default_storage.listdir("photos/incoming")[1] == []  # both uploads as received
    assert bad.status == "failed"
    assert "could not be decoded" in bad.error
    # Each photo was taken from the queue once: no retry for the bad file. (The worker logs
    # "succeeded" just after the task's last write: wait for the log to catch up.)
    wait_for(
        lambda: processing_log(worker, "succeeded") == 2,
        what=lambda: f"both tasks to be logged; worker log:\n{worker.log()[-3000:]}",
        seconds=10,
    )
    assert processing_log(worker, "received") == 2, worker.log()
    assert "retry" not in worker.log().lower()
    # The batch's one ready photo is told to the feed, through the worker's fan-out queue.
    wait_for(
        lambda: Activity.objects.filter(verb="added_photos", fanned_out_at__isnull=False).exists(),
        what=lambda: f"the added_photos fan-out; worker log:\n{worker.log()[-3000:]}",
        seconds=20,
    )


def test_the_worker_applies_the_time_limit_of_its_setting(media_worker):
    worker = media_worker()
    replies = None

    def registered():
        nonlocal replies
        replies = celery_app.control.inspect(destination=[worker.nodename], timeout=1).registered(
            "soft_time_limit"
        )
        return bool(replies)

    wait_for(
        registered, what=lambda: f"the worker to answer; worker log:\n{worker.log()[-3000:]}", seconds=30
    )
    [process_photo] = [t for t in replies[worker.nodename] if t.startswith("photos.tasks.process_photo")]
    assert f"soft_time_limit={WORKER_TIME_LIMIT}" in process_photo
