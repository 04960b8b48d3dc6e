"""Fan-out on write, and keeping timelines true to the database.

Every function here is idempotent: a timeline is a set of activity ids, so writing an id
twice changes nothing, and a task that runs again after a crash finishes the job.
"""

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from feed import live, presence, timelines
from feed.models import Activity, Reach
from feed.rendering import render_activities
from feed.selectors import feed_queryset
from profiles.audience import audience_filter, can_see
from profiles.models import Connection, Follow, Profile

logger = logging.getLogger(__name__)


def active_cutoff():
    # A day of slack beyond the timeline's own expiry: anyone whose timeline still exists
    # is inside the window and receives every fan-out.
    return timezone.now() - timedelta(days=settings.FEED_ACTIVE_DAYS + 1)


def is_high_follower(profile: Profile) -> bool:
    """Authors followed by more than FEED_FANOUT_LIMIT people are merged into their followers'
    feeds when read, not written into each timeline."""
    return profile.follower_count > settings.FEED_FANOUT_LIMIT


def _audience(activity: Activity, follows):
    """Of ``follows`` (of the actor), those whose follower the activity reaches and who may
    see it."""
    follows = follows.filter(
        audience_filter(author_id=activity.actor_id, visibility=activity.visibility, viewer_field="follower")
    )
    if activity.reach == Reach.CONNECTIONS:
        follows = follows.filter(
            follower_id__in=Connection.objects.filter(profile_id=activity.actor_id).values("other_id")
        )
    return follows


def audience_chunks(activity: Activity, *, active_only: bool = True) -> Iterator[list[int]]:
    """The followers of the actor who may see the activity, in chunks."""
    follows = _audience(activity, Follow.objects.filter(followee_id=activity.actor_id))
    if active_only:
        follows = follows.filter(follower__last_active_at__gte=active_cutoff())
    return _follower_chunks(follows)


def all_follower_chunks(actor_id: int) -> Iterator[list[int]]:
    return _follower_chunks(Follow.objects.filter(followee_id=actor_id))


def _follower_chunks(follows) -> Iterator[list[int]]:
    """Follower ids of ``follows`` in chunks of FEED_FANOUT_CHUNK, by keyset pagination
    (``follower_id > last``) on the (followee, follower) index: no OFFSET, however many."""
    size = settings.FEED_FANOUT_CHUNK
    last = 0
    while True:
        ids = list(
            follows.filter(follower_id__gt=last)
            .order_by("follower_id")
            .values_list("follower_id", flat=True)[:size]
        )
        if not ids:
            return
        yield ids
        if len(ids) < size:
            return
        last = ids[-1]


def _live_payload(activity: Activity) -> dict | None:
    """The activity as its audience sees it, rendered once for every recipient (as its actor
    sees it; nothing in it is personal when it is new)."""
    rendered = render_activities([activity], viewer=activity.actor)
    if not rendered:
        return None
    post = rendered[0]["object"].get("post")
    if post is not None:
        post["my_reaction"] = None
    return rendered[0]


def fan_out(activity_id: int, *, dispatch_chunk=None) -> None:
    """Write an activity into its actor's timeline and those of every active follower who may
    see it, and tell the online ones. Chunks after the first go to ``dispatch_chunk`` (a
    sub-task, so several workers share one big fan-out) when given.
    """
    activity = Activity.objects.select_related("actor__user").filter(pk=activity_id).first()
    if activity is None or activity.removed_at is not None:
        return
    payload = _live_payload(activity)
    if payload is None:  # its object is already gone
        return
    if timelines.enabled():
        timelines.add(activity.pk, [activity.actor_id])
    live.push_activity([activity.actor_id], payload)
    if is_high_follower(activity.actor):
        # Not written anywhere: followers merge it when they read. Online followers still
        # hear about it at once.
        Activity.objects.filter(pk=activity.pk).update(merged_on_read=True)
        _push_to_online_followers(activity, payload)
    else:
        # Hand every chunk but the first to other workers before writing the first here, so
        # they all start at once.
        first = None
        for chunk in audience_chunks(activity):
            if first is None or dispatch_chunk is None:
                if first is None:
                    first = chunk
                else:
                    fan_out_chunk(activity.pk, chunk, activity=activity, payload=payload)
            else:
                dispatch_chunk(activity.pk, chunk)
        if first is not None:
            fan_out_chunk(activity.pk, first, activity=activity, payload=payload)
    Activity.objects.filter(pk=activity.pk, fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())


def fan_out_chunk(activity_id: int, profile_ids: list[int], *, activity=None, payload=None) -> None:
    """Write one activity into the timelines of one chunk of followers (one pipeline)."""
    activity = activity or Activity.objects.select_related("actor__user").filter(pk=activity_id).first()
    if activity is None or activity.removed_at is not None:
        return
    if timelines.enabled():
        timelines.add(activity.pk, profile_ids)
        # Removed while we wrote? Then the removal may have run before our write: take it
        # out again. (Removal marks the row first and cleans timelines after.)
        if Activity.objects.filter(pk=activity.pk, removed_at__isnull=False).exists():
            timelines.remove([activity.pk], profile_ids)
            return
    live.push_activity(profile_ids, payload if payload is not None else _live_payload(activity))


def _push_to_online_followers(activity: Activity, payload: dict | None) -> None:
    online = presence.online_now()
    size = settings.FEED_FANOUT_CHUNK
    for start in range(0, len(online), size):
        chunk = online[start : start + size]
        followers = _audience(
            activity, Follow.objects.filter(followee_id=activity.actor_id, follower_id__in=chunk)
        )
        live.push_activity(followers.values_list("follower_id", flat=True), payload)


def remove_activity(activity_id: int) -> None:
    """Take a removed activity (or one whose audience shrank) out of every timeline, and tell
    the online people who had it."""
    activity = Activity.objects.filter(pk=activity_id).only("pk", "actor_id").first()
    if activity is None:
        return
    targets = [[activity.actor_id], *all_follower_chunks(activity.actor_id)]
    for chunk in targets:
        if timelines.enabled():
            timelines.remove([activity.pk], chunk)
        live.push_removed(chunk, activity.pk)


def refan(activity_id: int) -> None:
    """After a visibility change: out of the timelines of followers who may no longer see it,
    into those of followers who now may."""
    activity = Activity.objects.select_related("actor").filter(pk=activity_id).first()
    if activity is None or activity.removed_at is not None:
        return
    for chunk in all_follower_chunks(activity.actor_id):
        allowed = set(
            Profile.objects.filter(pk__in=chunk)
            .filter(audience_filter(author_id=activity.actor_id, visibility=activity.visibility))
            .values_list("pk", flat=True)
        )
        lost = [pk for pk in chunk if pk not in allowed]
        if timelines.enabled():
            timelines.remove([activity.pk], lost)
        live.push_removed(lost, activity.pk)
    if timelines.enabled() and not can_see(
        activity.actor, author_id=activity.actor_id, visibility=activity.visibility
    ):
        timelines.remove([activity.pk], [activity.actor_id])
    fan_out(activity.pk)


def merge_followee(follower_id: int, followee_id: int) -> None:
    """After a follow (or a new connection): the followee's recent activities that the
    follower may see enter the follower's timeline."""
    if not timelines.enabled():
        return
    follower = Profile.objects.filter(pk=follower_id).first()
    if follower is None:
        return
    limit = settings.FEED_FOLLOW_MERGE
    ids = list(
        feed_queryset(follower)
        .filter(actor_id=followee_id)
        .order_by("-id")
        .values_list("pk", flat=True)[: limit + 1]
    )
    # Only the recent ones are merged; if there are older ones, the timeline is complete
    # only above the oldest merged id, and the database serves what lies below.
    complete_above = ids[limit - 1] - 1 if len(ids) > limit else 0
    timelines.add_many(follower_id, ids[:limit], complete_above=complete_above)


def unmerge_followee(follower_id: int, followee_id: int) -> None:
    """After an unfollow: the followee's activities leave the follower's timeline."""
    if not timelines.enabled():
        return
    ids = list(
        Activity.objects.filter(actor_id=followee_id)
        .order_by("-id")
        .values_list("pk", flat=True)[: settings.FEED_MAX_ITEMS]
    )
    timelines.remove(ids, [follower_id])


def rebuild_timeline(profile_id: int) -> None:
    """Build a person's timeline from the database (the same query that serves the feed
    without Redis). The caller holds the rebuild lock."""
    profile = Profile.objects.filter(pk=profile_id).first()
    try:
        if profile is None:
            return
        queryset = feed_queryset(profile, include_merged=False)
        ids = list(queryset.order_by("-id").values_list("pk", flat=True)[: settings.FEED_MAX_ITEMS + 1])
        timelines.replace(profile_id, ids)
        # Activities fanned out while we read found no timeline and skipped it: catch up.
        newest = ids[0] if ids else 0
        missed = list(queryset.filter(id__gt=newest).values_list("pk", flat=True))
        timelines.add_many(profile_id, missed)
    finally:
        timelines.release_rebuild(profile_id)


def reset_timeline(profile_id: int) -> None:
    """Build a person's timeline again from the database, whatever it holds now: after their
    audience changed (they left the company or came back), the items they may no longer see
    go and those they now may see come in."""
    if not timelines.enabled():
        return
    timelines.drop(profile_id)
    if timelines.claim_rebuild(profile_id):
        rebuild_timeline(profile_id)


def stalled_activities(older_than_seconds: int = 60) -> list[int]:
    """Activities committed but never fanned out (the process died between the commit and the
    queue, or every retry failed)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Activity.objects.filter(Q(fanned_out_at__isnull=True), removed_at__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
