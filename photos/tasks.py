"""Celery entry points of photos (the ``media`` queue)."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import OperationalError

from photos import pipeline, services
from photos.models import Photo


@shared_task(
    autoretry_for=(OperationalError, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    soft_time_limit=settings.PHOTO_TIME_LIMIT_SECONDS,
    time_limit=settings.PHOTO_TIME_LIMIT_SECONDS + 30,
)
def process_photo(photo_id: int) -> None:
    """Clean and render one uploaded photo. A file that cannot be made into a photo fails with
    a reason, once; the database or storage being away is retried with backoff."""
    photo = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING).first()
    if photo is None or not photo.incoming:
        return
    with default_storage.open(photo.incoming, "rb") as f:
        data = f.read()
    try:
        rendered = pipeline.render(data)
    except pipeline.BadImage as exc:
        services.photo_failed(photo=photo, reason=str(exc))
        return
    except SoftTimeLimitExceeded:
        services.photo_failed(photo=photo, reason="Processing took too long.")
        return
    services.photo_processed(photo=photo, rendered=rendered)
