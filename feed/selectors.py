"""Reads of the feed: the home feed (Redis or database), posts, comments, notifications.

The home feed has one definition, :func:`feed_queryset`; the Redis timelines are a cache of
it, and every page read from Redis is filtered by it again, so both paths give the same feed.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from feed import registry, timelines
from feed.models import Activity, Comment, Notification, Post, Reach, Reaction
from profiles.audience import visible_filter
from profiles.models import Connection, Follow, Profile
from socialblue.errors import NotFound

logger = logging.getLogger(__name__)

# Read a little more than a page from Redis, so that a few hidden items do not cost a
# second round trip.
READ_AHEAD = 10


# --- Posts ----------------------------------------------------------------------------------


def post_queryset(viewer: Profile | None) -> QuerySet[Post]:
    """The one base queryset for posts, with the author and the viewer's own reaction."""
    qs = Post.objects.select_related("author__user")
    if viewer is not None:
        qs = qs.annotate(
            my_reaction_kind=Reaction.objects.filter(post=OuterRef("pk"), person=viewer).values("kind")[:1]
        )
    return qs


def visible_posts(viewer: Profile | None) -> QuerySet[Post]:
    return post_queryset(viewer).filter(visible_filter(viewer))


def access_post(*, viewer: Profile, post_id: int) -> Post:
    """The post, if the viewer may see it; the same 404 whether it is missing or hidden."""
    post = visible_posts(viewer).filter(pk=post_id).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def access_comment(*, viewer: Profile, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("post", "author__user")
        .filter(pk=comment_id, post__in=visible_posts(viewer).values("pk"))
        .first()
    )
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def profile_posts(*, viewer: Profile, author: Profile) -> QuerySet[Post]:
    """One person's posts that the viewer may see, newest first."""
    return visible_posts(viewer).filter(author=author).order_by("-id")


def post_comments(*, post: Post) -> QuerySet[Comment]:
    return Comment.objects.filter(post=post).select_related("author__user").order_by("id")


# --- Activities -----------------------------------------------------------------------------


def feed_queryset(viewer: Profile, *, include_merged: bool = True) -> QuerySet[Activity]:
    """The home feed, as the database defines it: the viewer's own activities and those of
    the people they follow, that the viewer may see, not removed.

    ``include_merged=False`` leaves out the activities merged on read (those of
    high-follower authors): the part a Redis timeline holds.
    """
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    queryset = Activity.objects.filter(removed_at__isnull=True)
    if not include_merged:
        queryset = queryset.filter(merged_on_read=False)
    connections = Connection.objects.filter(profile=viewer).values("other_id")
    return (
        queryset.filter(Q(actor_id=viewer.pk) | Q(actor_id__in=followees))
        .filter(visible_filter(viewer, author_field="actor"))
        .filter(Q(reach=Reach.FOLLOWERS) | Q(actor_id=viewer.pk) | Q(actor_id__in=connections))
    )


@dataclass
class FeedItem:
    activity: Activity
    object: Any


def hydrate(activities: list[Activity], viewer: Profile | None) -> list[FeedItem]:
    """Load each activity's object through its registered type, in one query per type, and
    drop those whose object is gone or hidden from the viewer."""
    by_type: dict[str, list[int]] = {}
    for activity in activities:
        by_type.setdefault(activity.object_type, []).append(activity.object_id)
    loaded: dict[str, dict[int, Any]] = {}
    for type_name, ids in by_type.items():
        object_type = registry.object_type(type_name)
        loaded[type_name] = object_type.load(ids, viewer) if object_type else {}
    return [
        FeedItem(a, loaded[a.object_type][a.object_id])
        for a in activities
        if a.object_id in loaded.get(a.object_type, {})
    ]


def _load_activities(queryset: QuerySet[Activity], ids: list[int]) -> list[Activity]:
    rows = {a.pk: a for a in queryset.filter(pk__in=ids).select_related("actor__user")}
    return [rows[i] for i in ids if i in rows]


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_cursor: int | None
    source: str  # "redis" or "database", for tests and metrics


def _page(items: list[FeedItem], limit: int, source: str) -> FeedPage:
    items = items[:limit]
    return FeedPage(items, items[-1].activity.pk if len(items) == limit else None, source)


def _database_page(viewer: Profile, *, cursor: int | None, limit: int) -> FeedPage:
    queryset = feed_queryset(viewer).select_related("actor__user").order_by("-id")
    items: list[FeedItem] = []
    before = cursor
    while len(items) < limit:
        page = queryset.filter(id__lt=before) if before else queryset
        activities = list(page[: limit - len(items) + READ_AHEAD])
        if not activities:
            break
        items += hydrate(activities, viewer)
        before = activities[-1].pk
    return _page(items, limit, "database")


def _request_rebuild(viewer: Profile) -> None:
    from feed import tasks

    if timelines.claim_rebuild(viewer.pk):
        if timelines.exists(viewer.pk):
            # Rebuilt by another reader between our read and our claim: once is enough.
            timelines.release_rebuild(viewer.pk)
            return
        tasks.rebuild_timeline.delay(viewer.pk)


def _redis_page(viewer: Profile, *, cursor: int | None, limit: int) -> FeedPage | None:
    """None when the viewer has no timeline (a rebuild is then requested)."""
    queryset = feed_queryset(viewer)
    # High-follower authors are not fanned out: their activities are merged here, for their
    # followers and for themselves (a rebuilt timeline holds no merged activity, their own
    # included, so their own must come from here too).
    merged_on_read = (
        Activity.objects.filter(merged_on_read=True)
        .filter(
            Q(actor_id__in=Follow.objects.filter(follower=viewer).values("followee_id"))
            | Q(actor_id=viewer.pk)
        )
        .order_by("-id")
    )
    items: list[FeedItem] = []
    before = cursor
    while len(items) < limit:
        want = limit - len(items) + READ_AHEAD
        result = timelines.read(viewer.pk, before=before, count=want)
        if result is None:
            if before == cursor:
                _request_rebuild(viewer)
                return None
            result = ([], before or 1)  # dropped while we read: the database has the rest
        ids, floor = result
        merged = merged_on_read.filter(id__gt=floor)
        if before:
            merged = merged.filter(id__lt=before)
        ids = sorted(set(ids) | set(merged.values_list("pk", flat=True)[:want]), reverse=True)[:want]
        if not ids:
            if floor:
                # The timeline is complete above its floor only; older items come from the
                # database.
                rest = _database_page(
                    viewer, cursor=min(before or floor + 1, floor + 1), limit=limit - len(items)
                )
                items += rest.items
            break
        items += hydrate(_load_activities(queryset, ids), viewer)
        before = ids[-1]
    return _page(items, limit, "redis")


def feed_home_page(*, viewer: Profile, cursor: int | None = None, limit: int = 20) -> FeedPage:
    """One page of the home feed, newest first, older than ``cursor`` (an activity id).

    Read from the viewer's Redis timeline when there is one; a missing timeline is answered
    from the database at once and rebuilt in the background (once: a lock); Redis down or
    the embedded default: the database.
    """
    if timelines.enabled():
        try:
            page = _redis_page(viewer, cursor=cursor, limit=limit)
            if page is not None:
                return page
        except timelines.TimelineUnavailable:
            logger.warning("timelines unavailable; feed of %s read from the database", viewer.pk)
    return _database_page(viewer, cursor=cursor, limit=limit)


def feed_since(*, viewer: Profile, after: int, limit: int = 100) -> list[FeedItem]:
    """What entered the viewer's feed after activity ``after``, oldest first (for a socket
    that reconnects and resumes)."""
    activities = list(
        feed_queryset(viewer).filter(id__gt=after).select_related("actor__user").order_by("id")[:limit]
    )
    return hydrate(activities, viewer)


# --- Notifications --------------------------------------------------------------------------


def notification_queryset() -> QuerySet[Notification]:
    return Notification.objects.select_related("actor__user", "post", "comment")


def notifications_of(*, viewer: Profile) -> QuerySet[Notification]:
    """A person's visible notifications, newest first: those about posts the viewer may no
    longer see are left out. The one definition the list, the unread count (``me/``, the web
    badge) and the live push all use, so the badge never counts what the list hides."""
    hidden_post = Q(post__isnull=False) & ~Exists(visible_posts(viewer).filter(pk=OuterRef("post_id")))
    return notification_queryset().filter(recipient=viewer).exclude(hidden_post).order_by("-id")


def unread_count(*, viewer: Profile) -> int:
    return notifications_of(viewer=viewer).filter(read=False).count()


def visible_notification(*, notification_id: int) -> Notification | None:
    """The notification, if its recipient's list shows it now (for the live push)."""
    recipient = Profile.objects.filter(notifications__pk=notification_id).first()
    if recipient is None:
        return None
    return notifications_of(viewer=recipient).filter(pk=notification_id).first()
