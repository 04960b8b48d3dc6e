"""The API's home feed page: what every viewer of an item sees is rendered once and cached;
what depends on the viewer is checked on every read.

A page is made in three steps:

1. **Authorise** (``feed.selectors.feed_page_rows``): one query chooses the page's activities
   by the audience rule and returns, as plain values, what is personal or live beside each:
   its version, its actor, whether the viewer is tied to the actor, a post's counts and the
   viewer's own reaction.
2. **Fetch the renders**: each activity's JSON as the members of one *audience class* see it
   (employee or alumnus, tied to the actor or not: the only things that change what a viewer
   sees of an activity, such as which of a post's photos they may see by their album's
   audience; see ``feed.fanout``), kept in the cache as bytes under a key made of the
   activity's id and version, the class and the actor's fingerprint. A render is never
   patched: an edit, a visibility change, a photo ready, captioned or gone, an album renamed
   raise the activity's version (``feed.services.activities_changed``), a new name or avatar
   changes the actor's fingerprint, and the next read misses and renders again. Misses are
   rendered in bulk by the one renderer the web pages and the socket use
   (``feed.rendering``), as the viewer sees them, and written back.
3. **Assemble** with orjson: the renders, the live counts and the viewer's reaction put in,
   and every URL given the request's origin. Renders hold a mark where the origin goes
   (:data:`ORIGIN`), never a request's host.

Object types that show someone else's live data (``registry.ObjectType.cached`` False) are
rendered on every read.
"""

import contextlib
import hashlib
import logging
from collections.abc import Callable

import orjson
import redis
from django.conf import settings
from django.core.cache import cache

from feed import registry
from feed.models import Activity
from feed.rendering import render_activities
from feed.selectors import PageRow, feed_page_rows
from profiles.models import Profile

logger = logging.getLogger(__name__)

# Raised whenever what a renderer returns changes shape: every render cached before is then
# left unused (and expires).
RENDER_SCHEMA = 1
# Where the origin (``https://host``) goes in a cached render's URLs. PostgreSQL cannot store a
# NUL and requests carrying one are refused, so no stored text starts with it.
ORIGIN = "\x00"
_ORIGIN_IN_JSON = b'"\\u0000'


class _OriginMark:
    """What the renderers get as their ``request``: the absolute URLs they build start with
    :data:`ORIGIN` instead of one request's scheme and host."""

    def build_absolute_uri(self, location: str = "/") -> str:
        return ORIGIN + location


def _fingerprint(row: PageRow) -> str:
    """The actor as the render shows them, and the activity's creation time: ids and versions
    start again in a new database, and a render kept from an old one must not match."""
    person = (row.actor_username, row.actor_display_name, row.actor_avatar or "", row.actor_status)
    return hashlib.blake2b("\x1f".join((*person, str(row.created_at))).encode(), digest_size=8).hexdigest()


def render_key(row: PageRow, viewer: Profile) -> str:
    """The cache key of an activity's render for the viewer's audience class."""
    return (
        f"feed:render:{RENDER_SCHEMA}:{row.id}:{row.version}:"
        f"{viewer.status}:{int(row.tied)}:{_fingerprint(row)}"
    )


def _cacheable(row: PageRow) -> bool:
    object_type = registry.object_type(row.object_type)
    return object_type is not None and object_type.cached


def _render(rows: list[PageRow], viewer: Profile) -> dict[int, bytes]:
    """Render activities as the viewer sees them, without anything personal in them; those
    whose object is gone are left out."""
    activities = Activity.objects.filter(pk__in=[row.id for row in rows]).select_related("actor__user")
    rendered = {}
    for item in render_activities(activities, viewer=viewer, request=_OriginMark()):
        post = item["object"].get("post")
        if post is not None:
            post["my_reaction"] = None
        rendered[item["id"]] = orjson.dumps(item)
    return rendered


def renders(rows: list[PageRow], viewer: Profile) -> dict[int, bytes]:
    """The render of each activity of ``rows`` for the viewer's class: from the cache, or
    rendered now (in one pass) and written back."""
    keys = {row.id: render_key(row, viewer) for row in rows if _cacheable(row)}
    try:
        found = cache.get_many(list(keys.values())) if keys else {}
    except redis.RedisError:
        # The cache is away (Redis restarting): every render is a miss, and the feed is still
        # served, as the timelines fall back to the database.
        logger.warning("render cache unavailable; feed of %s rendered in full", viewer.pk)
        found, keys = {}, {}
    result = {row_id: found[key] for row_id, key in keys.items() if key in found}
    missing = [row for row in rows if row.id not in result]
    if missing:
        fresh = _render(missing, viewer)
        result.update(fresh)
        kept = {keys[row_id]: body for row_id, body in fresh.items() if row_id in keys}
        if kept:
            with contextlib.suppress(redis.RedisError):
                cache.set_many(kept, settings.FEED_RENDER_CACHE_SECONDS)
    return result


def _personal(item: dict, row: PageRow) -> dict:
    post = item["object"].get("post")
    if post is not None:
        post["comment_count"] = row.comment_count
        post["reaction_count"] = row.reaction_count
        post["my_reaction"] = row.my_reaction
    return item


def feed_page_json(
    *,
    viewer: Profile,
    cursor: int | None,
    limit: int,
    origin: str,
    next_url: Callable[[int], str],
) -> bytes:
    """``{"results": [...], "next": url or null}`` of the home feed, as the API serves it:
    ``origin`` (``https://host``) starts every URL, ``next_url(cursor)`` links the next page."""
    page = feed_page_rows(viewer=viewer, cursor=cursor, limit=limit)
    bodies = renders(page.rows, viewer)
    results = [_personal(orjson.loads(bodies[row.id]), row) for row in page.rows if row.id in bodies]
    body = orjson.dumps(
        {"results": results, "next": next_url(page.next_cursor) if page.next_cursor else None}
    )
    return body.replace(_ORIGIN_IN_JSON, b'"' + origin.encode())
