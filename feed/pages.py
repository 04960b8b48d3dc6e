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
   activity's id, version and creation time and the class. People are kept apart: the
   actor's render (wherever it appears: the actor, a post's author, an album's owner) is a
   mark in the activity's render, and the person is kept under their id and what the render
   shows of them (name, avatar, status), so a new name changes one key, not every activity
   of theirs. A render is never patched: an edit, a visibility change, a photo ready,
   captioned or gone, an album renamed raise the activity's version
   (``feed.services.activities_changed``), and the next read misses and renders again.
   Misses are rendered in bulk by the one renderer the web pages and the socket use
   (``feed.rendering``), as the viewer sees them, and written back; activities and people
   are read from the cache together, in one round trip.
3. **Assemble** with orjson: the renders, the live counts and the viewer's reaction put in,
   and every URL given the request's origin. Renders hold a mark where the origin goes
   (:data:`ORIGIN`), never a request's host.

Object types that show someone else's live data (``registry.ObjectType.cached`` False) are
rendered on every read.
"""

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable

import orjson
import redis
from django.conf import settings
from django.core.cache import cache

from feed import registry
from feed.models import Activity
from feed.rendering import render_activities
from feed.selectors import PageRow, feed_page_rows
from profiles.models import Profile
from profiles.serializers import PersonSerializer

logger = logging.getLogger(__name__)

# Raised whenever what a renderer returns changes shape: every render cached before is then
# left unused (and expires).
RENDER_SCHEMA = 1
# Where the origin (``https://host``) goes in a cached render's URLs. PostgreSQL cannot store a
# NUL and requests carrying one are refused, so no stored text starts with it.
ORIGIN = "\x00"
_ORIGIN_IN_JSON = b'"\\u0000'
# Where the actor's person render goes in a kept activity render (people are kept apart).
ACTOR = ORIGIN + "actor"
_ACTOR_IN_JSON = b'"\\u0000actor"'


class _OriginMark:
    """What the renderers get as their ``request``: the absolute URLs they build start with
    :data:`ORIGIN` instead of one request's scheme and host."""

    def build_absolute_uri(self, location: str = "/") -> str:
        return ORIGIN + location


def _digest(*parts) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()


def render_key(row: PageRow, viewer: Profile) -> str:
    """The cache key of an activity's render for the viewer's audience class. The creation
    time is in it because ids and versions start again in a new database: a render kept from
    an old one must not match."""
    return (
        f"feed:render:{RENDER_SCHEMA}:{row.id}:{row.version}:{_digest(row.created_at)}:"
        f"{viewer.status}:{int(row.tied)}"
    )


def person_key(row: PageRow) -> str:
    """The cache key of the render of the activity's actor, as they are now: their name,
    avatar and status are in it, so a new name is a new key."""
    person = (row.actor_username, row.actor_display_name, row.actor_avatar or "", row.actor_status)
    return f"feed:person:{RENDER_SCHEMA}:{row.actor_id}:{_digest(*person)}"


def _cacheable(row: PageRow) -> bool:
    object_type = registry.object_type(row.object_type)
    return object_type is not None and object_type.cached


def _without_actor(node, actor: dict):
    """``node`` with the actor's person render, wherever it appears (the activity's actor, a
    post's author, an album's owner), replaced by :data:`ACTOR`."""
    if isinstance(node, dict):
        return ACTOR if node == actor else {key: _without_actor(value, actor) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_actor(value, actor) for value in node]
    return node


def _render(rows: list[PageRow], viewer: Profile) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Render activities as the viewer sees them, without anything personal in them and with
    their actor apart; those whose object is gone are left out. Returns the activities'
    renders by id and their actors' by profile id."""
    activities = Activity.objects.filter(pk__in=[row.id for row in rows]).select_related("actor__user")
    actors = {activity.pk: activity.actor_id for activity in activities}
    items, people = {}, {}
    for item in render_activities(activities, viewer=viewer, request=_OriginMark()):
        post = item["object"].get("post")
        if post is not None:
            post["my_reaction"] = None
        people[actors[item["id"]]] = orjson.dumps(item["actor"])
        items[item["id"]] = orjson.dumps(_without_actor(item, item["actor"]))
    return items, people


def _render_people(profile_ids: Iterable[int]) -> dict[int, bytes]:
    profiles = Profile.objects.select_related("user").filter(pk__in=list(profile_ids))
    context = {"request": _OriginMark()}
    return {profile.pk: orjson.dumps(PersonSerializer(profile, context=context).data) for profile in profiles}


def _cached(keys: list[str]) -> dict[str, bytes]:
    try:
        return cache.get_many(keys) if keys else {}
    except redis.RedisError:
        # The cache is away (Redis restarting): every render is a miss, and the feed is still
        # served, as the timelines fall back to the database.
        logger.warning("render cache unavailable; the feed is rendered in full")
        return {}


def renders(rows: list[PageRow], viewer: Profile) -> dict[int, bytes]:
    """The render of each activity of ``rows`` for the viewer's class, its actor in place:
    activities and people from the cache (one read), or rendered now (in one pass) and
    written back."""
    keys = {row.id: render_key(row, viewer) for row in rows if _cacheable(row)}
    people_keys = {row.actor_id: person_key(row) for row in rows}
    found = _cached([*keys.values(), *people_keys.values()])
    items = {row_id: found[key] for row_id, key in keys.items() if key in found}
    people = {actor: found[key] for actor, key in people_keys.items() if key in found}
    kept: dict[str, bytes] = {}
    missing = [row for row in rows if row.id not in items]
    if missing:
        fresh_items, fresh_people = _render(missing, viewer)
        items.update(fresh_items)
        kept.update({keys[row_id]: body for row_id, body in fresh_items.items() if row_id in keys})
        fresh_people = {actor: body for actor, body in fresh_people.items() if actor not in people}
        people.update(fresh_people)
        kept.update({people_keys[actor]: body for actor, body in fresh_people.items()})
    unknown = {actor for actor in people_keys if actor not in people}
    if unknown:
        fresh_people = _render_people(unknown)
        people.update(fresh_people)
        kept.update({people_keys[actor]: body for actor, body in fresh_people.items()})
    if kept:
        with contextlib.suppress(redis.RedisError):
            cache.set_many(kept, settings.FEED_RENDER_CACHE_SECONDS)
    return {
        row.id: items[row.id].replace(_ACTOR_IN_JSON, people[row.actor_id])
        for row in rows
        if row.id in items and row.actor_id in people
    }


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
