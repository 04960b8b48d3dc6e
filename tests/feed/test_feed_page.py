"""The API's feed page: each item rendered once per audience class and cached under its
version; who may see it, the live counts and the viewer's own reaction read on every request,
by one query."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feed import pages, selectors, services
from feed.models import Activity, Post
from profiles import services as graph
from profiles.models import ProfileStatus
from tests.factories import make_person
from tests.feed.stories import FEED, active, activity_of, build_timeline, connect, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def marco_follows_ana(ana, marco):
    active(ana, marco)
    graph.follow(follower=marco, followee=ana)
    build_timeline(marco)


def page(viewer, limit=20) -> bytes:
    return pages.feed_page_json(
        viewer=viewer, cursor=None, limit=limit, origin="https://social.example", next_url=str
    )


def forget_renders(viewer) -> None:
    cache.delete_many([pages.render_key(row, viewer) for row in selectors.feed_page_rows(viewer=viewer).rows])


def page_queries(viewer, limit=20) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(viewer, limit)
    return len(captured)


def test_once_rendered_a_page_costs_one_query_however_many_items(ana, marco, marco_follows_ana, committed):
    with committed():
        for n in range(3):
            post(ana, f"Update {n}")
    page(marco)  # renders the three items and keeps them
    few = page_queries(marco)
    with committed():
        for n in range(12):
            post(ana, f"More {n}")
    page(marco)
    many = page_queries(marco)

    assert (few, many) == (1, 1)


def test_rendering_misses_costs_the_same_few_queries_for_3_items_or_15(
    ana, marco, marco_follows_ana, committed
):
    with committed():
        for n in range(3):
            post(ana, f"Update {n}")
    few = page_queries(marco)
    with committed():
        for n in range(12):
            post(ana, f"More {n}")
    forget_renders(marco)
    many = page_queries(marco)

    assert few == many


def test_the_page_is_served_from_renders_kept_per_version(
    ana, marco, marco_follows_ana, committed, client_for
):
    with committed():
        written = post(ana, "Release day")
    client = client_for(marco)
    client.get(FEED)
    row = selectors.feed_page_rows(viewer=marco).rows[0]
    kept = cache.get(pages.render_key(row, marco))
    assert b"Release day" in kept

    with committed():
        services.post_update(post=written, by=ana, body="Release day, moved to Friday")
    edited = client.get(FEED).json()["results"][0]["object"]["post"]

    assert edited["body"] == "Release day, moved to Friday"
    assert activity_of(written).version == row.version + 1
    assert selectors.feed_page_rows(viewer=marco).rows[0].version == row.version + 1


def test_a_kept_render_holds_no_host_and_each_request_gets_its_own(
    ana, marco, marco_follows_ana, committed, client_for, settings
):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    with committed():
        post(ana, "Release day")
    client = client_for(marco)

    first = client.get(FEED, HTTP_HOST="one.example").json()["results"][0]
    second = client.get(FEED, HTTP_HOST="two.example").json()["results"][0]

    row = selectors.feed_page_rows(viewer=marco).rows[0]
    assert b"example" not in cache.get(pages.render_key(row, marco))
    assert first["actor"]["avatar"] is None or first["actor"]["avatar"].startswith("http://one.example/")
    assert first["object"]["post"]["author"] == first["actor"]
    assert first["id"] == second["id"]


def test_counts_and_my_reaction_are_read_on_every_request_not_from_the_kept_render(
    ana, marco, marco_follows_ana, committed, client_for
):
    with committed():
        written = post(ana, "Release day")
    client = client_for(marco)
    before = client.get(FEED).json()["results"][0]["object"]["post"]
    key = pages.render_key(selectors.feed_page_rows(viewer=marco).rows[0], marco)

    services.reaction_set(post=written, person=marco, kind="like")
    services.comment_create(post=written, author=ana, body="Cake at four")
    after = client.get(FEED).json()["results"][0]["object"]["post"]

    assert (before["my_reaction"], before["reaction_count"], before["comment_count"]) == (None, 0, 0)
    assert (after["my_reaction"], after["reaction_count"], after["comment_count"]) == ("like", 1, 1)
    assert pages.render_key(selectors.feed_page_rows(viewer=marco).rows[0], marco) == key
    assert b'"my_reaction":null' in cache.get(key)


def test_a_post_narrowed_after_its_render_was_kept_is_not_shown(
    ana, marco, priya, marco_follows_ana, committed, client_for
):
    active(priya)
    connect(ana, priya)
    build_timeline(priya)
    with committed():
        written = post(ana, "Release day")
    assert [item["id"] for item in client_for(marco).get(FEED).json()["results"]] == [activity_of(written).pk]

    with committed():
        services.post_update(post=written, by=ana, visibility="connections")

    assert client_for(marco).get(FEED).json()["results"] == []
    assert [item["id"] for item in client_for(priya).get(FEED).json()["results"]] == [activity_of(written).pk]


def test_the_author_renamed_is_shown_by_the_new_name_at_once_and_her_items_are_not_rendered_again(
    ana, marco, marco_follows_ana, committed, client_for
):
    """People are kept apart from the activities they appear in: a new name is one new
    person render, and every kept render of her activities still serves."""
    with committed():
        for n in range(3):
            post(ana, f"Update {n}")
    client = client_for(marco)
    client.get(FEED)
    kept = {
        key: cache.get(key)
        for key in [pages.render_key(row, marco) for row in selectors.feed_page_rows(viewer=marco).rows]
    }

    ana.display_name = "Ana Silva-Costa"
    ana.save(update_fields=["display_name"])
    items = client.get(FEED).json()["results"]

    assert {item["actor"]["display_name"] for item in items} == {"Ana Silva-Costa"}
    assert {item["object"]["post"]["author"]["display_name"] for item in items} == {"Ana Silva-Costa"}
    assert {key: cache.get(key) for key in kept} == kept
    assert all(b"Ana Silva" not in body for body in kept.values())  # the person is not in them


def test_the_compiled_page_statements_choose_what_the_feeds_definition_chooses(ana, marco, priya, committed):
    """The page's SQL is compiled once per shape with stand-in values: for each kind of
    viewer, with and without a cursor, from a timeline's ids or from the database, it must
    choose exactly the rows ``feed_queryset`` (the feed's one definition) chooses."""
    olga = make_person("olga", status=ProfileStatus.ALUMNUS)
    active(ana, marco, priya, olga)
    connect(ana, priya)
    connect(ana, olga)
    for follower in (marco, priya, olga):
        graph.follow(follower=follower, followee=ana)
    with committed():
        for visibility in ("company", "network", "connections") * 3:
            post(ana, f"For {visibility}", visibility=visibility)
    everything = list(Activity.objects.order_by("-id").values_list("pk", flat=True))

    for viewer in (ana, marco, priya, olga):
        defined = list(selectors.feed_queryset(viewer).order_by("-id").values_list("pk", flat=True))
        cursor = defined[len(defined) // 2]
        timeline = selectors._statements.of_timeline(viewer, ids=everything, floor=0, before=None, merged=100)
        assert [row.id for row in selectors._statements.newest(viewer, before=None, limit=100)] == defined
        assert [row.id for row in selectors._statements.newest(viewer, before=cursor, limit=100)] == [
            pk for pk in defined if pk < cursor
        ]
        assert sorted((row.id for row in timeline), reverse=True) == defined
    assert len(selectors.feed_queryset(olga).values_list("pk", flat=True)) == 6  # network + connections


def test_a_render_kept_from_an_earlier_database_is_not_served(
    ana, marco, marco_follows_ana, committed, client_for
):
    """Ids and versions start again when a database is made anew (a restore, a reset) while
    the cache keeps its renders: the activity's creation time tells the two apart."""
    with committed():
        written = post(ana, "Release day")
    client = client_for(marco)
    client.get(FEED)
    # The same id and version, in a database where it was created at another moment.
    Post.objects.filter(pk=written.pk).update(body="Quarterly numbers")
    Activity.objects.filter(pk=activity_of(written).pk).update(created_at=timezone.now() - timedelta(days=3))

    assert client.get(FEED).json()["results"][0]["object"]["post"]["body"] == "Quarterly numbers"
