"""Celery entry points of alumni: thin wrappers around the services, each safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from alumni import export_services, services


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=export_services.EXPORT_TIME_LIMIT_SECONDS,
    time_limit=export_services.EXPORT_TIME_LIMIT_SECONDS + 30,
)
def build_export(export_id: int) -> None:
    """Build one person's exit kit. The database being away is retried with backoff; any other
    fault ends the export ``failed`` with a reason (the service's doing)."""
    export_services.export_build(export_id)


@shared_task
def expire_exports() -> int:
    """Celery beat: delete the files of expired archives."""
    return export_services.exports_expire()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def apply_due_leaves() -> int:
    """Celery beat: offboard the people whose leave date has come."""
    return len(services.leaves_apply_due())
