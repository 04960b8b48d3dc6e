"""Fan-out on write, and keeping timelines true to the database.

Every function here is idempotent: a timeline is a set of activity ids, so writing an id
twice changes nothing, and a task that runs again after a crash finishes the job.
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
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


# --- Live events, one render per audience class ---------------------------------------------
#
# What a follower may see of a new item depends on who they are, not only on the item: the
# photos a post carries are shown to those who may see each photo's album, which can be fewer
# than those who may see the post. A render made once for everyone (as the actor sees it)
# would hand each follower what only some may see. Each live item is therefore rendered once
# per *audience class*: the viewers who see exactly the same of it. Every object type's
# content is its actor's own (a post and the photos it carries, an album's photos), so the
# audience rule tells viewers apart by their status and by their tie to the actor alone:
# employee or alumnus, times connected to the actor (or the actor) or not — at most four
# renders per item, however many followers. A new object type that shows someone else's
# content must widen the class key below.


def audience_classes(activity: Activity, profile_ids: Iterable[int]) -> dict[tuple[str, bool], list[int]]:
    """``profile_ids`` grouped by audience class ``(status, tied to the actor)``, in one query."""
    ids = list(profile_ids)
    if not ids:
        return {}
    tied = Connection.objects.filter(profile_id=OuterRef("pk"), other_id=activity.actor_id)
    rows = (
        Profile.objects.filter(pk__in=ids)
        .annotate(tied=Exists(tied))
        .order_by("pk")
        .values_list("pk", "status", "tied")
    )
    classes: dict[tuple[str, bool], list[int]] = {}
    for pk, status, is_tied in rows:
        classes.setdefault((status, is_tied or pk == activity.actor_id), []).append(pk)
    return classes


class LiveRenders:
    """The live ``feed.activity`` of one activity, rendered once per audience class as one of
    its members sees it, with nothing personal in it (no ``my_reaction``: the fan-out may
    run again after people reacted)."""

    def __init__(self, activity: Activity):
        self.activity = activity
        self._rendered: dict[tuple[str, bool], dict | None] = {}
        self._frames: dict[tuple[str, bool], bytes] = {}

    def _render(self, key: tuple[str, bool], member: Profile | int) -> dict | None:
        if key not in self._rendered:
            if not isinstance(member, Profile):
                member = Profile.objects.filter(pk=member).first()
            rendered = render_activities([self.activity], viewer=member) if member is not None else []
            payload = rendered[0] if rendered else None
            post = payload["object"].get("post") if payload is not None else None
            if post is not None:
                post["my_reaction"] = None
            self._rendered[key] = payload
        return self._rendered[key]

    def of_actor(self) -> dict | None:
        """As the actor's own class sees it (None once the object is gone)."""
        return self._render((self.activity.actor.status, True), self.activity.actor)

    def push(self, profile_ids: Iterable[int]) -> None:
        """Send each online person of ``profile_ids`` the render of their class (none to a
        class that may not see the item: its object is gone or hidden from them): one
        published frame per class, encoded once per class for the whole fan-out."""
        online = presence.online_among(profile_ids)
        for key, members in audience_classes(self.activity, online).items():
            if key not in self._frames:
                payload = self._render(key, members[0])
                if payload is None:
                    continue
                self._frames[key] = live.activity_frame(payload)
            live.publish_activity(members, self.activity.pk, self._frames[key])


def fan_out(activity_id: int, *, dispatch_chunk=None) -> None:
    """Write an activity into its actor's timeline and those of every active follower who may
    see it, and tell the online ones. Chunks after the first go to ``dispatch_chunk`` (a
    sub-task, so several workers share one big fan-out) when given.
    """
    activity = Activity.objects.select_related("actor__user").filter(pk=activity_id).first()
    if activity is None or activity.removed_at is not None:
        return
    renders = LiveRenders(activity)
    if renders.of_actor() is None:  # its object is already gone
        return
    renders.push([activity.actor_id])
    if timelines.enabled():
        timelines.add(activity.pk, [activity.actor_id])
    if is_high_follower(activity.actor):
        # Not written anywhere: followers merge it when they read. Online followers still
        # hear about it at once.
        Activity.objects.filter(pk=activity.pk).update(merged_on_read=True)
        _push_to_online_followers(activity, renders)
    else:
        # Hand every chunk but the first to other workers before writing the first here, so
        # they all start at once.
        first = None
        for chunk in audience_chunks(activity):
            if first is None or dispatch_chunk is None:
                if first is None:
                    first = chunk
                else:
                    fan_out_chunk(activity.pk, chunk, activity=activity, renders=renders)
            else:
                dispatch_chunk(activity.pk, chunk)
        if first is not None:
            fan_out_chunk(activity.pk, first, activity=activity, renders=renders)
    Activity.objects.filter(pk=activity.pk, fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())


def fan_out_chunk(activity_id: int, profile_ids: list[int], *, activity=None, renders=None) -> None:
    """Write one activity into the timelines of one chunk of followers (one pipeline)."""
    activity = activity or Activity.objects.select_related("actor__user").filter(pk=activity_id).first()
    if activity is None or activity.removed_at is not None:
        return
    # The online followers hear of it first; the timelines follow. A removal that overtakes
    # this push is published after it, or (if first) makes every ASGI process drop it.
    (renders or LiveRenders(activity)).push(profile_ids)
    if timelines.enabled():
        timelines.add(activity.pk, profile_ids)
        # Removed while we wrote? Then the removal may have run before our write: take it
        # out again. (Removal marks the row first and cleans timelines after.)
        if Activity.objects.filter(pk=activity.pk, removed_at__isnull=False).exists():
            timelines.remove([activity.pk], profile_ids)
            return


def _push_to_online_followers(activity: Activity, renders: LiveRenders) -> None:
    online = presence.online_now()
    size = settings.FEED_FANOUT_CHUNK
    for start in range(0, len(online), size):
        chunk = online[start : start + size]
        followers = _audience(
            activity, Follow.objects.filter(followee_id=activity.actor_id, follower_id__in=chunk)
        )
        renders.push(followers.values_list("follower_id", flat=True))


def remove_activity(activity_id: int) -> None:
    """Take a removed activity (or one whose audience shrank) out of every timeline, and tell
    the online people who had it."""
    activity = Activity.objects.filter(pk=activity_id).only("pk", "actor_id", "removed_at").first()
    if activity is None:
        return
    targets = [[activity.actor_id], *all_follower_chunks(activity.actor_id)]
    for chunk in targets:
        if timelines.enabled():
            timelines.remove([activity.pk], chunk)
        live.push_removed(chunk, activity.pk, gone=activity.removed_at is not None)


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
