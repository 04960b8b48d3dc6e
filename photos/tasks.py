"""Celery entry points of photos (the ``media`` queue): thin wrappers around the services."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from photos import services


@shared_task(
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=settings.PHOTO_TIME_LIMIT_SECONDS,
    time_limit=settings.PHOTO_TIME_LIMIT_SECONDS + 30,
)
def process_photo(photo_id: int) -> None:
    """Clean and render one uploaded photo; the database or storage being away is retried
    with backoff, a bad file fails once (``services.photo_process``)."""
    services.photo_process(photo_id=photo_id)


@shared_task
def redrive_stalled_photos() -> int:
    """Celery beat: queue again the processing of photos that have waited too long.
    Processing is idempotent, so a slow one queued twice is harmless."""
    stalled = services.photos_stalled()
    for photo_id in stalled:
        process_photo.delay(photo_id)
    return len(stalled)
