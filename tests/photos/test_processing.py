"""Processing in the background (the ``media`` queue) is bounded: a file that passed the
upload checks but cannot be made into a photo fails once, with a reason, and is not retried;
its upload as received is removed. A time limit per image comes from the setting.
"""

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from feed.models import Activity
from photos import tasks
from photos.models import Photo
from tests.photos import files
from tests.photos.conftest import stored_files
from tests.photos.stories import create_album, photo_url, post_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload_gone_bad(ana, client_for, django_capture_on_commit_callbacks, committed, task_runs):
    """Ana's upload passes every check; before its processing starts, the stored file goes
    bad (a disk fault, a partial copy). Then processing runs. Returns the photo's id and the
    name its upload had been stored under."""
    client = client_for(ana)
    album = create_album(client)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = post_images(client, album["id"], files.noisy(size=(600, 400)))
    assert response.status_code == 202, response.content
    photo = Photo.objects.get()
    with default_storage.open(photo.incoming, "wb") as f:
        f.write(files.truncated(files.noisy(size=(600, 400)), keep=0.3))
    with committed():
        for callback in pending:
            callback()
    return photo.pk, photo.incoming


def test_a_file_that_only_fails_while_processing_ends_failed_once_with_a_reason(
    upload_gone_bad, ana, client_for, task_runs, media_root
):
    photo_id, incoming = upload_gone_bad
    shown = client_for(ana).get(photo_url(photo_id)).json()
    assert shown["status"] == "failed"
    assert "could not be decoded" in shown["error"]
    assert shown["urls"] is None
    assert task_runs.count("photos.tasks.process_photo") == 1  # no retry loop for a bad file
    assert not default_storage.exists(incoming)
    assert stored_files(media_root) == []
    # Nothing to tell the feed: no photo of the upload is ready.
    assert not Activity.objects.filter(verb="added_photos").exists()


def test_a_failed_photo_delivered_again_stays_failed_as_it_was(upload_gone_bad, committed):
    photo_id, _incoming = upload_gone_bad
    before = Photo.objects.get(pk=photo_id)

    # Acks are late: after a crash the same task may be delivered a second time.
    with committed():
        tasks.process_photo.delay(photo_id)

    after = Photo.objects.get(pk=photo_id)
    assert (after.status, after.error, after.updated_at) == (before.status, before.error, before.updated_at)


def test_each_image_is_processed_under_the_time_limit_of_the_setting():
    assert tasks.process_photo.soft_time_limit == settings.PHOTO_TIME_LIMIT_SECONDS
    # The hard limit leaves the soft one time to mark the photo failed.
    assert tasks.process_photo.time_limit > tasks.process_photo.soft_time_limit


def test_a_photo_whose_processing_was_never_queued_is_queued_again_by_the_beat(
    ana, client_for, django_capture_on_commit_callbacks
):
    """The upload was stored, but the broker was away when it committed: its processing task
    never left. The periodic re-drive finds it waiting and queues it again."""
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(ana)
    album = create_album(client)
    with django_capture_on_commit_callbacks(execute=False):  # the queueing is lost
        response = post_images(client, album["id"], files.noisy(size=(600, 400)))
    assert response.status_code == 202, response.content
    photo = Photo.objects.get()
    assert tasks.redrive_stalled_photos() == 0  # just uploaded: not stalled yet

    Photo.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(minutes=15))
    assert tasks.redrive_stalled_photos() == 1

    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY
    assert tasks.redrive_stalled_photos() == 0
