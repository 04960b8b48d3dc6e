"""Golden tests of the feed page: ``GET /api/v1/feed/`` serves, for every viewer, exactly the
JSON today's renderer makes of the same feed (``render_items`` over ``feed_home_page``, which
the web pages keep using), whatever the page is assembled from: the same items in the same
order, the same keys and values, the same absolute URLs of avatars and photos, the same
``next``. Cold (Redis has lost everything) and warm (the page read again), page by page, and
after every kind of change, so that no page ever shows a stale render. The live
``feed.activity`` a socket receives is the same render of the item as its recipient's audience
class sees it, without the personal ``my_reaction``; and every page is one the OpenAPI schema
promised.

The corpus and the two ways of looking at a feed are in ``tests/feed/golden.py``.
"""

import contextlib
import json

import jsonschema
import pytest
from channels.db import database_sync_to_async as in_db
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from alumni.services import alumnus_offboard
from feed import services as feed_services
from feed.events import validate_server_event
from feed.models import Activity
from feed.rendering import render_activities
from photos import services as photo_services
from photos.models import Photo
from profiles import services as graph
from profiles.models import DeviceToken
from profiles.services import profile_set_avatar, profile_update
from tests.feed.golden import (
    ALL_OF_IT,
    VIEWERS,
    api_page,
    as_served,
    assert_same_json,
    build_corpus,
    forget_every_cached_render,
    items_of,
    post_item,
    todays_page,
)
from tests.feed.stories import FEED
from tests.images import image_bytes, upload
from tests.module_world import committed_for_module
from tests.schema import as_json_schema
from tests.sockets import api, opened

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """The corpus, built once for the module and committed, so that each story reads the same
    company without building it again; a story's own writes are rolled back with its test.
    When the module is done, every table is emptied, as a transactional test leaves it.
    (pytest-django runs the transactional live story after the others.)"""
    media_root = str(tmp_path_factory.mktemp("golden-media"))
    with committed_for_module(django_db_blocker, media_root=media_root, forget=forget_every_cached_render):
        # Committed as it is written: what a commit triggers runs at once.
        yield build_corpus(contextlib.nullcontext)


@pytest.fixture(autouse=True)
def _cold_start(corpus, media_root):
    """Each story starts with nothing cached in Redis (what the story before wrote there
    belongs to rows rolled back since), and stores new files in a scratch MEDIA_ROOT."""
    forget_every_cached_render()


@pytest.fixture(scope="module")
def feed_page_schema(django_db_blocker) -> dict:
    """The ``FeedPage`` answer of the OpenAPI schema, as strict JSON Schema (an object takes
    no field it does not name, unless it says it is open)."""
    with django_db_blocker.unblock():
        document = json.loads(
            OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
        )
    [(media_type, body)] = document["paths"][FEED]["get"]["responses"]["200"]["content"].items()
    assert media_type == "application/json"
    return {**as_json_schema(body["schema"]), "components": as_json_schema(document["components"])}


def assert_feeds_as_today(corpus, *, schema=None) -> dict[str, dict]:
    """Every viewer's whole feed, as the API serves it, is today's render of it; returns the
    pages served, by role."""
    served = {}
    for role in VIEWERS:
        viewer = corpus.person(role)
        served[role] = api_page(viewer, limit=ALL_OF_IT)
        assert_same_json(served[role], todays_page(viewer), who=role)
        if schema is not None:
            jsonschema.validate(served[role], schema)
    return served


def read_every_feed(corpus) -> None:
    """Everyone opens the app: whatever a page is made from is now cached."""
    for role in VIEWERS:
        api_page(corpus.person(role), limit=ALL_OF_IT)


# --- The corpus, as each viewer sees it -----------------------------------------------------


def test_the_corpus_holds_every_kind_of_item(corpus):
    """The golden tests compare pages that hold something of everything."""
    ana_sees = api_page(corpus.person("author"), limit=ALL_OF_IT)
    verbs = {item["verb"] for item in ana_sees["results"]}
    assert {"posted", "added_photos", "connected", "left_company", "rejoined_company"} <= verbs
    posts = {i["object"]["id"]: i["object"]["post"] for i in items_of(ana_sees, "posted")}
    assert corpus.posts["deleted"].pk not in posts
    assert posts[corpus.posts["edited"].pk]["edited_at"] is not None
    mentions = posts[corpus.posts["mentions and links"].pk]
    assert mentions["mentions"] == ["priya", "marco"]
    assert 'href="https://example.com/notes?a=1&amp;b=2"' in mentions["body_html"]
    assert "&lt;b&gt;" in mentions["body_html"]
    hers = [item for item in ana_sees["results"] if item["actor"]["username"] == "ana"]
    assert all(item["actor"]["avatar"].startswith("http://testserver/media/") for item in hers)
    assert {item["object"]["album"]["visibility"] for item in items_of(ana_sees, "added_photos")} == {
        "company",
        "network",
        "connections",
    }
    # The album narrowed after the post: alumni see the network post with one photo fewer.
    network_post = corpus.posts["network, photos"]
    seen_by = {
        role: post_item(api_page(corpus.person(role), limit=ALL_OF_IT), network_post) for role in VIEWERS
    }
    assert {role: len(item["object"]["post"]["photos"]) for role, item in seen_by.items()} == {
        "author": 2,
        "employee connection": 2,
        "employee stranger": 2,
        "alumnus connection": 1,
        "alumnus stranger": 1,
    }
    photo = seen_by["author"]["object"]["post"]["photos"][0]
    assert photo["urls"]["thumb"].startswith("http://testserver/")
    # Each viewer's own reaction.
    mine = {role: item["object"]["post"]["my_reaction"] for role, item in seen_by.items()}
    assert mine == {role: "like" if role == "employee stranger" else None for role in VIEWERS}


def test_every_viewer_is_served_todays_render_of_their_feed_cold_and_warm(corpus, feed_page_schema):
    forget_every_cached_render()
    cold = assert_feeds_as_today(corpus, schema=feed_page_schema)

    warm = assert_feeds_as_today(corpus, schema=feed_page_schema)

    assert warm == cold
    assert all(page["next"] is None and page["results"] for page in cold.values())


def walk_as_today(viewer, *, limit: int, schema=None) -> list[dict]:
    """Read the viewer's feed through the API page after page, following ``next``: each page
    is today's render of the page after the same cursor, and ``next`` names the cursor as
    today. Returns the pages served."""
    pages, url, params, cursor = [], FEED, {"limit": limit}, None
    while url:
        page = api_page(viewer, url, **params)
        if schema is not None:
            jsonschema.validate(page, schema)
        assert_same_json(
            page, todays_page(viewer, cursor=cursor, limit=limit), who=f"{viewer} after {cursor}"
        )
        if page["next"] is not None:
            cursor = page["results"][-1]["id"]
            assert page["next"] == f"http://testserver{FEED}?cursor={cursor}&limit={limit}"
        pages.append(page)
        url, params = page["next"], {}
    return pages


def test_a_feed_read_page_by_page_is_todays_render_of_the_whole_feed(corpus, feed_page_schema):
    for role in VIEWERS:
        viewer = corpus.person(role)

        pages = walk_as_today(viewer, limit=3, schema=feed_page_schema)

        whole = todays_page(viewer)["results"]
        assert_same_json([item for page in pages for item in page["results"]], whole, who=role)
        assert len(pages) > 1, role


def test_pages_read_again_from_a_warm_cache_are_todays_render_page_by_page(corpus):
    for role in ("employee connection", "alumnus stranger"):
        viewer = corpus.person(role)
        cold = walk_as_today(viewer, limit=4)

        warm = walk_as_today(viewer, limit=4)

        assert warm == cold
        assert len(cold) > 1, role


# --- After each change, the next page is today's render again -------------------------------


def test_an_edited_post_is_served_with_its_new_text(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("mentions and links")

    with committed():
        feed_services.post_update(
            post=post, by=corpus.person("author"), body="Welcome @tomas, see https://a.example"
        )

    served = assert_feeds_as_today(corpus)
    edited = post_item(served["alumnus stranger"], post)["object"]["post"]
    assert edited["body"] == "Welcome @tomas, see https://a.example"
    assert edited["mentions"] == ["tomas"]
    assert 'href="https://a.example"' in edited["body_html"]
    assert edited["edited_at"] is not None


def test_a_post_narrowed_to_connections_leaves_the_feeds_of_the_others(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("mentions and links")

    with committed():
        feed_services.post_update(post=post, by=corpus.person("author"), visibility="connections")

    served = assert_feeds_as_today(corpus)
    assert {role: post_item(served[role], post) is not None for role in VIEWERS} == {
        "author": True,
        "employee connection": True,
        "employee stranger": False,
        "alumnus connection": True,
        "alumnus stranger": False,
    }
    assert post_item(served["author"], post)["object"]["post"]["visibility"] == "connections"


def test_a_company_post_widened_to_the_network_reaches_alumni(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("company")
    assert post_item(api_page(corpus.person("alumnus stranger"), limit=ALL_OF_IT), post) is None

    with committed():
        feed_services.post_update(post=post, by=corpus.person("author"), visibility="network")

    served = assert_feeds_as_today(corpus)
    widened = post_item(served["alumnus stranger"], post)["object"]["post"]
    assert widened["visibility"] == "network"
    assert post_item(served["employee stranger"], post)["object"]["post"]["visibility"] == "network"


def test_a_new_comment_and_reaction_are_counted_for_everyone(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("network, photos")
    before = post_item(api_page(corpus.person("alumnus stranger"), limit=ALL_OF_IT), post)["object"]["post"]

    with committed():
        feed_services.comment_create(post=post, author=corpus.person("alumnus stranger"), body="Nice lake")
        feed_services.reaction_set(post=post, person=corpus.person("employee connection"))

    served = assert_feeds_as_today(corpus)
    for role in VIEWERS:
        counted = post_item(served[role], post)["object"]["post"]
        assert (counted["comment_count"], counted["reaction_count"]) == (
            before["comment_count"] + 1,
            before["reaction_count"] + 1,
        ), role


def test_my_reaction_is_mine_alone(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("company")

    with committed():
        feed_services.reaction_set(post=post, person=corpus.person("employee stranger"))

    served = assert_feeds_as_today(corpus)
    assert post_item(served["employee stranger"], post)["object"]["post"]["my_reaction"] == "like"
    assert post_item(served["employee connection"], post)["object"]["post"]["my_reaction"] is None
    assert post_item(served["author"], post)["object"]["post"]["my_reaction"] is None


def test_a_deleted_post_leaves_every_feed(corpus, committed):
    read_every_feed(corpus)
    post = corpus.post("mentions and links")

    with committed():
        feed_services.post_delete(post=post, by=corpus.person("author"))

    served = assert_feeds_as_today(corpus)
    assert all(post_item(served[role], post) is None for role in VIEWERS)


def test_a_new_caption_and_alt_text_reach_the_posts_and_the_added_photos_item(corpus, committed):
    read_every_feed(corpus)
    photo = Photo.objects.get(pk=corpus.photos["offsite 1"].pk)

    with committed():
        photo_services.photo_update(
            photo=photo, by=corpus.person("author"), caption="The lake, at six", alt_text="Mist over water"
        )

    served = assert_feeds_as_today(corpus)
    page = served["alumnus connection"]
    shown = [
        p
        for item in page["results"]
        for p in item["object"].get("post", {}).get("photos", []) + item["object"].get("photos", [])
        if p["id"] == photo.pk
    ]
    assert len(shown) == 3  # two posts carry it; it is the offsite album's first photo
    assert all((p["caption"], p["alt_text"]) == ("The lake, at six", "Mist over water") for p in shown)


def test_an_album_kept_for_colleagues_takes_its_photos_from_alumni(corpus, committed):
    read_every_feed(corpus)
    album = corpus.albums["offsite"]
    olu_before = api_page(corpus.person("alumnus connection"), limit=ALL_OF_IT)

    with committed():
        photo_services.album_update(album=album, by=corpus.person("author"), visibility="company")

    served = assert_feeds_as_today(corpus)
    offsite_photos = {corpus.photos["offsite 1"].pk, corpus.photos["offsite 2"].pk}
    for role in ("alumnus connection", "alumnus stranger"):
        page = served[role]
        carried = {p["id"] for i in items_of(page, "posted") for p in i["object"]["post"]["photos"]}
        assert not carried & offsite_photos, role
        assert all(i["object"]["album"]["id"] != album.pk for i in items_of(page, "added_photos")), role
    connections_post = corpus.posts["connections, photos"]
    before = post_item(olu_before, connections_post)["object"]["post"]["photos"]
    after = post_item(served["alumnus connection"], connections_post)["object"]["post"]["photos"]
    assert [p["id"] for p in before] == [corpus.photos["family"].pk, corpus.photos["offsite 1"].pk]
    assert [p["id"] for p in after] == [corpus.photos["family"].pk]
    # Colleagues still see them.
    employee = served["employee stranger"]
    assert any(i["object"]["album"]["id"] == album.pk for i in items_of(employee, "added_photos"))


def test_a_renamed_album_is_renamed_in_its_added_photos_item(corpus, committed):
    read_every_feed(corpus)
    album = corpus.albums["offsite"]

    with committed():
        photo_services.album_update(album=album, by=corpus.person("author"), title="Offsite 2025, Sintra")

    served = assert_feeds_as_today(corpus)
    for role in VIEWERS:
        [item] = [i for i in items_of(served[role], "added_photos") if i["object"]["album"]["id"] == album.pk]
        assert item["object"]["album"]["title"] == "Offsite 2025, Sintra", role


def test_a_new_name_and_avatar_show_on_every_item_of_the_author(corpus, committed):
    read_every_feed(corpus)
    ana = corpus.person("author")
    old_avatar = api_page(ana, limit=ALL_OF_IT)["results"][0]["actor"]["avatar"]

    with committed():
        profile_update(profile=ana, display_name="Ana Silva-Costa")
        profile_set_avatar(profile=ana, upload=upload(image_bytes(size=(64, 64), color=(5, 5, 5))))

    served = assert_feeds_as_today(corpus)
    new_avatar = corpus.person("author").avatar.url
    for role in VIEWERS:
        hers = [i for i in served[role]["results"] if i["actor"]["username"] == "ana"]
        assert hers, role
        for item in hers:
            assert item["actor"]["display_name"] == "Ana Silva-Costa", role
            assert item["actor"]["avatar"] == f"http://testserver{new_avatar}" != old_avatar, role
            if item["verb"] == "posted":
                assert item["object"]["post"]["author"]["display_name"] == "Ana Silva-Costa"
                assert item["object"]["post"]["author"]["avatar"] == item["actor"]["avatar"]
            if item["verb"] == "added_photos":
                assert item["object"]["album"]["owner"]["display_name"] == "Ana Silva-Costa"


def test_an_author_who_left_is_shown_as_an_alumnus(corpus, committed):
    read_every_feed(corpus)
    ana = corpus.person("author")

    with committed():
        alumnus_offboard(profile=ana, leave_date=timezone.localdate(), personal_email="ana@home.example")

    served = assert_feeds_as_today(corpus)
    page = served["employee connection"]
    hers = [i for i in page["results"] if i["actor"]["username"] == "ana"]
    assert hers and all(i["actor"]["status"] == "alumnus" for i in hers)
    assert all(i["object"]["post"]["author"]["status"] == "alumnus" for i in hers if i["verb"] == "posted")
    assert any(i["verb"] == "left_company" for i in hers)
    # She no longer sees company content, not even her own.
    assert all(i["object"]["post"]["visibility"] != "company" for i in items_of(served["author"], "posted"))


def test_a_follower_who_unfollows_sees_none_of_her_items(corpus, committed):
    read_every_feed(corpus)
    priya, ana = corpus.person("employee stranger"), corpus.person("author")

    with committed():
        graph.unfollow(follower=priya, followee=ana)

    served = assert_feeds_as_today(corpus)
    assert all(i["actor"]["username"] != "ana" for i in served["employee stranger"]["results"])
    assert any(i["actor"]["username"] == "lena" for i in served["employee stranger"]["results"])


def test_after_redis_lost_everything_the_pages_are_todays_render_again(corpus, committed):
    read_every_feed(corpus)
    with committed():
        feed_services.post_update(post=corpus.post("edited"), by=corpus.person("author"), body="Third time")

    forget_every_cached_render()

    served = assert_feeds_as_today(corpus)
    edited = post_item(served["employee stranger"], corpus.posts["edited"])["object"]["post"]
    assert edited["body"] == "Third time"


# --- The live item is the same render, without what is personal -----------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_live_item_is_todays_render_for_each_audience_class(live_asgi, corpus):
    """Marco (a colleague and connection), Priya (a colleague who follows), Olu (an alumnus
    and connection) and Tomás (an alumnus who follows) each receive Ana's new post as today's
    renderer renders it for them (a live render is made without a request: its URLs are
    paths), with ``my_reaction`` null."""
    photo_ids = [corpus.photos["offsite 1"].pk, corpus.photos["offsite 2"].pk]
    tokens = await in_db(_tokens)(corpus, ["author", *LISTENERS])

    async with (
        opened(live_asgi, tokens["employee connection"]) as marco,
        opened(live_asgi, tokens["employee stranger"]) as priya,
        opened(live_asgi, tokens["alumnus connection"]) as olu,
        opened(live_asgi, tokens["alumnus stranger"]) as tomas,
    ):
        status, created = await api(
            live_asgi,
            tokens["author"],
            "POST",
            "posts/",
            {"body": "Offsite pictures, thanks @marco", "visibility": "network", "photos": photo_ids},
        )
        assert status == 201, created
        sockets = dict(zip(LISTENERS, (marco, priya, olu, tomas), strict=True))
        received = {role: await next_feed_activity(socket) for role, socket in sockets.items()}

    expected = await in_db(_todays_live_renders)(corpus, created["id"])
    for role, event in received.items():
        validate_server_event(event)
        assert event["type"] == "feed.activity", role
        assert_same_json(event["activity"], expected[role], who=role)
        post = event["activity"]["object"]["post"]
        assert post["my_reaction"] is None, role
        assert [p["id"] for p in post["photos"]] == photo_ids, role
        assert event["activity"]["actor"]["avatar"].startswith("/media/"), role


async def next_feed_activity(socket) -> dict:
    """The next ``feed.activity`` the socket receives (a mention's notification may come
    first); every event is checked against its schema on the way."""
    for _ in range(5):
        event = await socket.receive()
        if event["type"] == "feed.activity":
            return event
    raise AssertionError("no feed.activity arrived")


# One of each audience class of Ana's items: employee or alumnus, connected or not.
LISTENERS = ("employee connection", "employee stranger", "alumnus connection", "alumnus stranger")


def _tokens(corpus, roles) -> dict[str, str]:
    return {
        role: DeviceToken.objects.create(user=corpus.person(role).user, device="phone")[1] for role in roles
    }


def _todays_live_renders(corpus, post_id: int) -> dict[str, dict]:
    """Today's render of the post's activity as each listener sees it, without a request
    and with nothing personal (``feed.fanout.LiveRenders``)."""
    activity = Activity.objects.select_related("actor__user").get(object_type="post", object_id=post_id)
    renders = {}
    for role in LISTENERS:
        [rendered] = render_activities([activity], viewer=corpus.person(role))
        rendered["object"]["post"]["my_reaction"] = None
        renders[role] = as_served(rendered)
    return renders
