"""Celery entry points of alumni: thin wrappers around the services, each safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from alumni import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def apply_due_leaves() -> int:
    """Celery beat: offboard the people whose leave date has come."""
    return len(services.leaves_apply_due())
