"""Celery entry points of the feed: thin wrappers around ``feed.fanout`` and the services.
Each can run twice without harm (late acks: a task may be delivered again after a crash)."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from feed import fanout, services, timelines

RETRYABLE = (timelines.TimelineUnavailable, OperationalError)
RETRY = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**RETRY)
def fan_out(activity_id: int) -> None:
    fanout.fan_out(activity_id, dispatch_chunk=lambda a, ids: fan_out_chunk.delay(a, ids))


@shared_task(**RETRY)
def fan_out_chunk(activity_id: int, profile_ids: list[int]) -> None:
    fanout.fan_out_chunk(activity_id, profile_ids)


@shared_task(**RETRY)
def remove_activity(activity_id: int) -> None:
    fanout.remove_activity(activity_id)


@shared_task(**RETRY)
def refan(activity_id: int) -> None:
    fanout.refan(activity_id)


@shared_task(**RETRY)
def merge_followee(follower_id: int, followee_id: int) -> None:
    fanout.merge_followee(follower_id, followee_id)


@shared_task(**RETRY)
def unmerge_followee(follower_id: int, followee_id: int) -> None:
    fanout.unmerge_followee(follower_id, followee_id)


@shared_task(**RETRY)
def rebuild_timeline(profile_id: int) -> None:
    fanout.rebuild_timeline(profile_id)


@shared_task(**RETRY)
def reset_timeline(profile_id: int) -> None:
    fanout.reset_timeline(profile_id)


@shared_task
def redrive_stalled_fanouts() -> int:
    """Celery beat: fan out again what committed but never finished (a crash between the
    commit and the queue). Fan-out is idempotent, so a slow one re-driven twice is harmless."""
    stalled = fanout.stalled_activities(older_than_seconds=settings.FEED_REDRIVE_SECONDS)
    for activity_id in stalled:
        fan_out.delay(activity_id)
    return len(stalled)


@shared_task
def push_notification(notification_id: int) -> None:
    services.notification_push(notification_id=notification_id)
