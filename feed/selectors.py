"""Reads of the feed: the home feed (Redis or database), posts, comments, notifications.

The home feed has one definition, :func:`feed_queryset`; the Redis timelines are a cache of
it, and every page read from Redis is filtered by it again, so both paths give the same feed.
"""

import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from feed import registry, timelines
from feed.models import Activity, Comment, Notification, Post, Reach, Reaction
from profiles.audience import visible_filter
from profiles.models import Connection, Follow, Profile
from socialblue.errors import NotFound
from socialblue.fields import ID_MAX

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


# --- The home feed's pages, as plain values -------------------------------------------------
#
# A page of the home feed is chosen and authorised by one query: the audience rule, the
# removed state and the reach over the timeline's ids (and the activities of high-follower
# authors, merged on read, in the same statement), returning plain values: what the viewer
# needs to see beside each activity's cached render (``feed/pages.py``) — its version, its
# actor, whether the viewer is tied to the actor, a post's live counts and the viewer's own
# reaction. No model instance is made.

# Where a row of a page came from: the viewer's timeline, or the merged-on-read activities.
_TIMELINE, _MERGED = 1, 2


class PageRow(NamedTuple):
    id: int
    verb: str
    object_type: str
    object_id: int
    version: int
    created_at: Any  # with the id, tells this activity from one of an earlier database
    actor_id: int
    actor_username: str
    actor_display_name: str
    actor_avatar: str
    actor_status: str
    tied: bool  # the viewer is the actor or one of the actor's connections
    comment_count: int | None  # a post's live counts and the viewer's reaction (None otherwise)
    reaction_count: int | None
    my_reaction: str | None
    branch: int


@dataclass
class RowsPage:
    rows: list[PageRow]
    next_cursor: int | None
    source: str  # "redis" or "database", for tests and metrics


def _page_values(queryset: QuerySet[Activity], viewer: Profile, *, branch: int = _TIMELINE) -> QuerySet:
    is_post = Q(object_type="post")
    post = Post.objects.filter(pk=OuterRef("object_id"))
    reaction = Reaction.objects.filter(post_id=OuterRef("object_id"), person_id=viewer.pk)
    tied = Exists(Connection.objects.filter(profile_id=viewer.pk, other_id=OuterRef("actor_id")))
    return queryset.annotate(
        actor_username=F("actor__user__username"),
        actor_display_name=F("actor__display_name"),
        actor_avatar=F("actor__avatar"),
        actor_status=F("actor__status"),
        tied=ExpressionWrapper(Q(actor_id=viewer.pk) | tied, output_field=BooleanField()),
        comment_count=Case(When(is_post, then=Subquery(post.values("comment_count")))),
        reaction_count=Case(When(is_post, then=Subquery(post.values("reaction_count")))),
        my_reaction=Case(When(is_post, then=Subquery(reaction.values("kind")[:1]))),
        branch=Value(branch),
    ).values_list(*PageRow._fields)


def _rows(values) -> list[PageRow]:
    """The rows of ``values``; an activity whose post is gone (its counts are None: deleted
    while its activity was being removed) is left out."""
    rows = (PageRow._make(row) for row in values)
    return [row for row in rows if row.comment_count is not None or row.object_type != "post"]


def _rows_page(rows: list[PageRow], limit: int, source: str) -> RowsPage:
    rows = rows[:limit]
    return RowsPage(rows, rows[-1].id if rows and len(rows) == limit else None, source)


# Stand-ins for a page's arguments while its statement is compiled (see _PageStatements).
_VIEWER, _FLOOR, _BEFORE = -7_000_001, -7_000_002, -7_000_003
_NO_CURSOR = ID_MAX  # no activity id comes near it; the largest bigint keeps the index usable


class _PageStatements:
    """The page queries, compiled to SQL once per shape and run with each page's arguments.

    Building and compiling the page's queryset (the audience rule, the feed's definition,
    five subqueries, a union) costs the ORM about ten milliseconds of CPU per request, several
    times what PostgreSQL takes to run it. The query's text depends only on its shape: the
    viewer's status (which visibilities they see from anyone), the kind of page and its
    limit; the rest (the viewer, the timeline's ids, the floor, the cursor) are parameters.
    So each shape is built once through the same querysets as everywhere else
    (:func:`feed_queryset`, ``profiles.audience``), with stand-in values, and its SQL kept;
    a page runs it with its own values in their place. No rule is written a second time.
    """

    def __init__(self):
        self._compiled: dict[tuple, tuple[str, tuple, Any]] = {}

    @staticmethod
    def _stand_in(status: str) -> Profile:
        return Profile(user_id=_VIEWER, status=status)

    def _compile(self, shape: tuple, build) -> tuple[str, tuple, Any]:
        compiled = self._compiled.get(shape)
        if compiled is None:
            ids = []  # the timeline's ids: one array parameter, found by identity
            sql, params = build(ids).query.sql_with_params()
            compiled = self._compiled[shape] = (sql, params, ids)
        return compiled

    def _run(self, compiled, *, viewer: Profile, ids=(), floor: int = 0, before: int = _NO_CURSOR):
        sql, params, ids_mark = compiled
        values = {_VIEWER: viewer.pk, _FLOOR: floor, _BEFORE: before}
        bound = [list(ids) if p is ids_mark else values.get(p, p) if type(p) is int else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            names = [column.name for column in cursor.description]
            order = [names.index(field) for field in PageRow._fields]
            return _rows(tuple(row[i] for i in order) for row in cursor.fetchall())

    def newest(self, viewer: Profile, *, before: int | None, limit: int) -> list[PageRow]:
        """The feed's newest ``limit`` rows older than ``before``, from the database."""

        def build(_ids):
            stand_in = self._stand_in(viewer.status)
            queryset = feed_queryset(stand_in).filter(id__lt=_BEFORE)
            return _page_values(queryset, stand_in).order_by("-id")[:limit]

        compiled = self._compile(("newest", viewer.status, limit), build)
        return self._run(compiled, viewer=viewer, before=before or _NO_CURSOR)

    def of_timeline(
        self, viewer: Profile, *, ids: list[int], floor: int, before: int | None, merged: int
    ) -> list[PageRow]:
        """The rows of the timeline's ``ids`` that the viewer may see, and of the up to
        ``merged`` newest activities merged on read between ``floor`` and ``before``."""

        def build(ids_mark):
            stand_in = self._stand_in(viewer.status)
            queryset = feed_queryset(stand_in)
            # ``= ANY(array)``: an index lookup per id, whatever the array's length.
            listed = queryset.filter(
                RawSQL('"feed_activity"."id" = ANY(%s::bigint[])', [ids_mark], output_field=BooleanField())
            )
            newer = queryset.filter(merged_on_read=True, id__gt=_FLOOR, id__lt=_BEFORE)
            return _page_values(listed, stand_in).union(
                _page_values(newer, stand_in, branch=_MERGED).order_by("-id")[:merged], all=True
            )

        compiled = self._compile(("timeline", viewer.status, merged), build)
        return self._run(compiled, viewer=viewer, ids=ids, floor=floor, before=before or _NO_CURSOR)


_statements = _PageStatements()


def _database_rows(viewer: Profile, *, cursor: int | None, limit: int) -> RowsPage:
    return _rows_page(_statements.newest(viewer, before=cursor, limit=limit), limit, "database")


def _redis_rows(viewer: Profile, *, cursor: int | None, limit: int) -> RowsPage | None:
    """None when the viewer has no timeline (a rebuild is then requested)."""
    rows: list[PageRow] = []
    before = cursor
    # Up to this many merged-on-read activities are read per round, whatever the round needs:
    # one statement for every round of every page of this size.
    merged = limit + READ_AHEAD
    while len(rows) < limit:
        want = limit - len(rows) + READ_AHEAD
        result = timelines.read(viewer.pk, before=before, count=want)
        if result is None:
            if before == cursor:
                _request_rebuild(viewer)
                return None
            result = ([], before or 1)  # dropped while we read: the database has the rest
        ids, floor = result
        # High-follower authors are not fanned out: their activities are merged here, for
        # their followers and for themselves (a rebuilt timeline holds no merged activity,
        # their own included, so their own must come from here too).
        found = _statements.of_timeline(viewer, ids=ids, floor=floor, before=before, merged=merged)
        # Every id at or above ``bound`` was seen by both sources: the timeline's ids and the
        # merged ones (each complete above the floor once it returned fewer than asked for).
        from_merged = [row.id for row in found if row.branch == _MERGED]
        bound = max(
            min(ids) if len(ids) == want else floor + 1,
            min(from_merged) if len(from_merged) == merged else floor + 1,
        )
        rows += sorted({row.id: row for row in found if row.id >= bound}.values(), key=lambda r: -r.id)
        if bound <= floor + 1:
            if floor and len(rows) < limit:
                # The timeline is complete above its floor only; older items come from the
                # database.
                rest = _database_rows(
                    viewer, cursor=min(before or floor + 1, floor + 1), limit=limit - len(rows)
                )
                rows += rest.rows
            break
        before = bound
    return _rows_page(rows, limit, "redis")


def _request_rebuild(viewer: Profile) -> None:
    from feed import tasks

    if timelines.claim_rebuild(viewer.pk):
        if timelines.exists(viewer.pk):
            # Rebuilt by another reader between our read and our claim: once is enough.
            timelines.release_rebuild(viewer.pk)
            return
        tasks.rebuild_timeline.delay(viewer.pk)


def feed_page_rows(*, viewer: Profile, cursor: int | None = None, limit: int = 20) -> RowsPage:
    """One page of the home feed as plain values, newest first, older than ``cursor`` (an
    activity id).

    Read from the viewer's Redis timeline when there is one; a missing timeline is answered
    from the database at once and rebuilt in the background (once: a lock); Redis down or
    the embedded default: the database.
    """
    if timelines.enabled():
        try:
            page = _redis_rows(viewer, cursor=cursor, limit=limit)
            if page is not None:
                return page
        except timelines.TimelineUnavailable:
            logger.warning("timelines unavailable; feed of %s read from the database", viewer.pk)
    return _database_rows(viewer, cursor=cursor, limit=limit)


def _with_items(page: RowsPage, viewer: Profile) -> FeedPage:
    """The page's activities with their objects (for the web pages)."""
    ids = [row.id for row in page.rows]
    return FeedPage(hydrate(_load_activities(Activity.objects, ids), viewer), page.next_cursor, page.source)


def _database_page(viewer: Profile, *, cursor: int | None, limit: int) -> FeedPage:
    return _with_items(_database_rows(viewer, cursor=cursor, limit=limit), viewer)


def _redis_page(viewer: Profile, *, cursor: int | None, limit: int) -> FeedPage | None:
    page = _redis_rows(viewer, cursor=cursor, limit=limit)
    return None if page is None else _with_items(page, viewer)


def feed_home_page(*, viewer: Profile, cursor: int | None = None, limit: int = 20) -> FeedPage:
    """One page of the home feed with its activities and their objects (the same page as
    :func:`feed_page_rows`)."""
    return _with_items(feed_page_rows(viewer=viewer, cursor=cursor, limit=limit), viewer)


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
