"""Small verbs the feed stories are told with: people become active, connect, post; and the
ways a test looks at a feed (through the API, through each read path, inside Redis).

Writes go through the services, exactly as the API does; the API itself is used in the
tests wherever a person would act.
"""

from django.utils import timezone

from feed import selectors, services, timelines
from feed.models import Activity, Post
from profiles import services as graph
from profiles.models import Profile

FEED = "/api/v1/feed/"


def active(*people: Profile) -> None:
    """These people used SocialBlue just now (the fan-out skips people inactive for longer
    than FEED_ACTIVE_DAYS)."""
    now = timezone.now()
    Profile.objects.filter(pk__in=[p.pk for p in people]).update(last_active_at=now)
    for person in people:
        person.last_active_at = now


def connect(a: Profile, b: Profile) -> None:
    """``a`` asks ``b`` to connect and ``b`` accepts (they then follow each other)."""
    request, _created = graph.connection_request_send(sender=a, receiver=b)
    graph.connection_request_accept(request=request, by=b)


def post(author: Profile, body: str = "A status update", visibility: str | None = None) -> Post:
    return services.post_create(author=author, body=body, visibility=visibility)


def activity_of(post: Post) -> Activity:
    return Activity.objects.get(object_type="post", object_id=post.pk, verb=services.POST_VERB)


def timeline_score(redis_client, person: Profile, activity_id: int) -> int | None:
    """The activity's id if the person's Redis timeline shows it to them (None: not there,
    or no timeline)."""
    held = timelines.read(person.pk, before=None, count=100_000)
    return activity_id if held is not None and activity_id in held[0] else None


def has_timeline(redis_client, person: Profile) -> bool:
    return bool(redis_client.exists(f"{timelines.KEY_PREFIX}{person.pk}"))


def feed_activity_ids(client, **params) -> list[int]:
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def feed_post_ids(client, **params) -> list[int]:
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    return [item["object"]["id"] for item in response.json()["results"] if item["object"]["type"] == "post"]


def whole_feed_through_api(client, limit: int = 20) -> list[int]:
    """Every activity id of the feed, page after page, following ``next``."""
    ids: list[int] = []
    url, params = FEED, {"limit": limit}
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["results"]]
        url, params = body["next"], None
    return ids


def build_timeline(viewer: Profile) -> None:
    """Read the feed once, as a person opening the app does: a missing timeline is then
    rebuilt (inline, with eager tasks)."""
    selectors.feed_home_page(viewer=viewer)
    assert timelines.exists(viewer.pk), "the first read should have rebuilt the timeline"


def pages(read, viewer: Profile, *, limit: int) -> list[int]:
    """Every activity id of a feed read page by page with ``read(viewer, cursor=, limit=)``."""
    ids: list[int] = []
    cursor = None
    for _ in range(1000):
        page = read(viewer, cursor=cursor, limit=limit)
        ids += [item.activity.pk for item in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor
    raise AssertionError("the feed never ended")


def database_feed(viewer: Profile, *, limit: int = 20) -> list[int]:
    return pages(selectors._database_page, viewer, limit=limit)


def redis_feed(viewer: Profile, *, limit: int = 20) -> list[int]:
    """The whole feed read from the viewer's Redis timeline; every page must come from Redis."""

    def read(viewer, *, cursor, limit):
        page = selectors._redis_page(viewer, cursor=cursor, limit=limit)
        assert page is not None, f"{viewer} has no timeline"
        assert page.source == "redis"
        return page

    return pages(read, viewer, limit=limit)
