"""Celery entry points of the exit kit: thin wrappers around the services, each safe to run
twice.

The tasks were registered as ``alumni.tasks.*`` while the exit kit lived in the alumni app.
Those names are kept as aliases, so a build queued before a deploy, or a beat schedule
written before it, still finds a task to run."""

from celery import shared_task
from django.db import OperationalError

from exports import services

BUILD_OPTIONS = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": services.EXPORT_TIME_LIMIT_SECONDS,
    "time_limit": services.EXPORT_TIME_LIMIT_SECONDS + 30,
}


@shared_task(**BUILD_OPTIONS)
def build_export(export_id: int) -> None:
    """Build one person's exit kit. The database being away is retried with backoff; any other
    fault ends the export ``failed`` with a reason (the service's doing)."""
    services.export_build(export_id=export_id)


@shared_task
def expire_exports() -> int:
    """Celery beat: delete the files of expired archives."""
    return services.exports_expire()


# The names of before the move (see the module docstring): the same work, the same options.


@shared_task(name="alumni.tasks.build_export", **BUILD_OPTIONS)
def build_export_queued_as_alumni(export_id: int) -> None:
    services.export_build(export_id=export_id)


@shared_task(name="alumni.tasks.expire_exports")
def expire_exports_scheduled_as_alumni() -> int:
    return services.exports_expire()
