"""The home feed: fan-out into Redis timelines, reading them back, and every way a timeline
can go stale or go missing — the database stays the truth and Redis is a cache of it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from feed import fanout, selectors, services, tasks, timelines
from feed.models import Activity, Post
from profiles import services as graph
from profiles.models import Profile, ProfileStatus
from tests.factories import make_person
from tests.feed.stories import (
    FEED,
    active,
    activity_of,
    build_timeline,
    connect,
    database_feed,
    feed_activity_ids,
    feed_post_ids,
    has_timeline,
    post,
    redis_feed,
    timeline_score,
    whole_feed_through_api,
)

pytestmark = pytest.mark.django_db

REBUILD = "feed.tasks.rebuild_timeline"


@pytest.fixture
def followers_of_ana(ana, marco, priya, hana):
    """Marco and Priya follow Ana; Hana does not. Everyone is active and has opened the app
    (their timelines are built)."""
    active(ana, marco, priya, hana)
    graph.follow(follower=marco, followee=ana)
    graph.follow(follower=priya, followee=ana)
    for person in (ana, marco, priya, hana):
        build_timeline(person)
    return [marco, priya]


# --- Fan-out and reading ---------------------------------------------------------------------


def test_a_post_is_written_into_the_timelines_of_its_author_and_followers(
    ana, marco, priya, hana, followers_of_ana, committed, redis_client
):
    with committed():
        written = post(ana, "Release day")

    activity = activity_of(written)
    for person in (ana, marco, priya):
        assert timeline_score(redis_client, person, activity.pk) == activity.pk
    assert timeline_score(redis_client, hana, activity.pk) is None
    activity.refresh_from_db()
    assert activity.fanned_out_at is not None


def test_fan_out_twice_changes_nothing(ana, priya, followers_of_ana, committed, redis_client):
    with committed():
        activity = activity_of(post(ana, "Release day"))
    before = redis_client.lrange(timelines.key(priya.pk), 0, -1)
    assert str(activity.pk).encode() in before

    fanout.fan_out(activity.pk)

    assert redis_client.lrange(timelines.key(priya.pk), 0, -1) == before


def test_feed_is_newest_first_and_read_from_the_timeline(
    ana, marco, priya, followers_of_ana, committed, client_for
):
    with committed():
        written = [post(ana, "one"), post(marco, "two"), post(ana, "three")]

    # Priya follows Ana, not Marco.
    assert feed_post_ids(client_for(priya)) == [written[2].pk, written[0].pk]
    assert selectors.feed_home_page(viewer=priya).source == "redis"


def test_feed_item_shows_the_post_as_the_viewer_sees_it(ana, priya, followers_of_ana, committed, client_for):
    with committed():
        written = post(ana, "Release day <b>!</b>")
    client_for(priya).put(f"/api/v1/posts/{written.pk}/reaction/", {"kind": "like"}, format="json")

    item = client_for(priya).get(FEED).json()["results"][0]

    assert item["id"] == activity_of(written).pk
    assert item["verb"] == "posted"
    assert item["actor"]["username"] == "ana"
    assert item["object"]["type"] == "post"
    assert item["object"]["id"] == written.pk
    assert item["object"]["post"]["body"] == "Release day <b>!</b>"
    assert item["object"]["post"]["my_reaction"] == "like"
    assert item["object"]["post"]["reaction_count"] == 1
    assert item["created_at"].endswith("Z")


def test_cursor_pages_stay_stable_while_new_items_arrive(ana, priya, followers_of_ana, committed, client_for):
    with committed():
        older = [activity_of(post(ana, f"post {n}")).pk for n in range(5)]
    reader = client_for(priya)

    first = reader.get(FEED, {"limit": 2}).json()
    with committed():
        newest = activity_of(post(ana, "breaking news")).pk
    second = reader.get(first["next"]).json()
    third = reader.get(second["next"]).json()

    seen = [item["id"] for page in (first, second, third) for item in page["results"]]
    assert seen == sorted(older, reverse=True)
    assert third["next"] is None
    assert feed_activity_ids(reader, limit=2) == [newest, older[-1]]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x", "1.5"])
def test_limit_out_of_bounds_is_refused(ana, client_for, limit):
    response = client_for(ana).get(FEED, {"limit": limit})

    assert response.status_code == 400
    assert "limit" in response.json()


@pytest.mark.parametrize("cursor", ["x", "-5", "1e3"])
def test_cursor_that_is_not_an_id_is_refused(ana, client_for, cursor):
    response = client_for(ana).get(FEED, {"cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_at_its_bounds_is_accepted(ana, client_for, limit):
    assert client_for(ana).get(FEED, {"limit": limit}).status_code == 200


# --- Deletes, visibility changes, the graph --------------------------------------------------


def test_deleted_post_leaves_every_timeline_and_feed(
    ana, marco, priya, followers_of_ana, committed, client_for, redis_client
):
    with committed():
        kept, deleted = post(ana, "kept"), post(ana, "deleted")
    activity = activity_of(deleted)

    with committed():
        assert client_for(ana).delete(f"/api/v1/posts/{deleted.pk}/").status_code == 204

    for person in (ana, marco, priya):
        assert timeline_score(redis_client, person, activity.pk) is None
        assert feed_post_ids(client_for(person)) == [kept.pk]


def test_late_fan_out_never_brings_back_a_deleted_post(
    ana, priya, followers_of_ana, committed, client_for, redis_client
):
    with committed():
        written = post(ana, "regretted")
    activity = activity_of(written)
    with committed():
        client_for(ana).delete(f"/api/v1/posts/{written.pk}/")

    # A fan-out and a chunk that were queued before the delete run only now.
    fanout.fan_out(activity.pk)
    fanout.fan_out_chunk(activity.pk, [priya.pk])

    assert timeline_score(redis_client, priya, activity.pk) is None
    assert feed_post_ids(client_for(priya)) == []


def test_narrowing_a_post_to_connections_takes_it_from_everyone_else(
    ana, marco, priya, committed, client_for, redis_client
):
    active(ana, marco, priya)
    connect(ana, marco)
    graph.follow(follower=priya, followee=ana)
    for person in (ana, marco, priya):
        build_timeline(person)
    with committed():
        written = post(ana, "Reorg news", "company")
    activity = activity_of(written)
    assert timeline_score(redis_client, priya, activity.pk) is not None

    with committed():
        response = client_for(ana).patch(
            f"/api/v1/posts/{written.pk}/", {"visibility": "connections"}, format="json"
        )

    assert response.status_code == 200
    assert timeline_score(redis_client, priya, activity.pk) is None
    assert written.pk not in feed_post_ids(client_for(priya))
    assert timeline_score(redis_client, marco, activity.pk) is not None
    assert written.pk in feed_post_ids(client_for(marco))
    assert written.pk in feed_post_ids(client_for(ana))


def test_widening_a_post_to_the_company_brings_it_to_every_follower(
    ana, marco, priya, committed, client_for, redis_client
):
    active(ana, marco, priya)
    connect(ana, marco)
    graph.follow(follower=priya, followee=ana)
    for person in (ana, marco, priya):
        build_timeline(person)
    with committed():
        written = post(ana, "Draft for my connections", "connections")
    activity = activity_of(written)
    assert timeline_score(redis_client, priya, activity.pk) is None

    with committed():
        client_for(ana).patch(f"/api/v1/posts/{written.pk}/", {"visibility": "company"}, format="json")

    assert timeline_score(redis_client, priya, activity.pk) is not None
    assert written.pk in feed_post_ids(client_for(priya))


def test_unfollowing_takes_the_followees_items_out(
    ana, priya, followers_of_ana, committed, client_for, redis_client
):
    with committed():
        activities = [activity_of(post(ana, f"post {n}")).pk for n in range(3)]

    with committed():
        assert client_for(priya).delete("/api/v1/profiles/ana/follow/").status_code == 204

    assert all(timeline_score(redis_client, priya, a) is None for a in activities)
    assert feed_post_ids(client_for(priya)) == []
    assert selectors.feed_home_page(viewer=priya).source == "redis"


def test_following_merges_the_followees_recent_items(ana, priya, committed, client_for, redis_client):
    active(ana, priya)
    written = [post(ana, f"post {n}") for n in range(3)]
    build_timeline(priya)

    with committed():
        assert client_for(priya).post("/api/v1/profiles/ana/follow/").status_code == 201

    for item in written:
        assert timeline_score(redis_client, priya, activity_of(item).pk) is not None
    assert feed_post_ids(client_for(priya)) == [p.pk for p in reversed(written)]
    assert selectors.feed_home_page(viewer=priya).source == "redis"


def test_following_merges_only_recent_items_and_older_ones_come_from_the_database(
    ana, priya, committed, client_for, redis_client, settings
):
    settings.FEED_FOLLOW_MERGE = 2
    active(ana, priya)
    activities = [activity_of(post(ana, f"post {n}")).pk for n in range(5)]
    build_timeline(priya)

    with committed():
        client_for(priya).post("/api/v1/profiles/ana/follow/")

    in_timeline = [a for a in activities if timeline_score(redis_client, priya, a) is not None]
    assert in_timeline == activities[-2:]
    assert whole_feed_through_api(client_for(priya), limit=2) == list(reversed(activities))
    assert redis_feed(priya, limit=2) == database_feed(priya, limit=2) == list(reversed(activities))


def test_connections_only_posts_appear_once_connected(ana, priya, committed, client_for, redis_client):
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    build_timeline(priya)
    with committed():
        written = post(ana, "Only for my connections", "connections")
    assert written.pk not in feed_post_ids(client_for(priya))

    with committed():
        request_id = (
            client_for(priya)
            .post("/api/v1/connections/requests/", {"username": "ana"}, format="json")
            .json()["id"]
        )
        assert client_for(ana).post(f"/api/v1/connections/requests/{request_id}/accept/").status_code == 200

    assert timeline_score(redis_client, priya, activity_of(written).pk) is not None
    assert written.pk in feed_post_ids(client_for(priya))


def test_removing_a_connection_takes_connections_only_posts_out(
    ana, priya, committed, client_for, redis_client
):
    active(ana, priya)
    with committed():
        connect(ana, priya)
    build_timeline(priya)
    with committed():
        written = post(ana, "Only for my connections", "connections")
    assert written.pk in feed_post_ids(client_for(priya))

    with committed():
        assert client_for(ana).delete("/api/v1/connections/priya/").status_code == 204
    with committed():
        client_for(priya).post("/api/v1/profiles/ana/follow/")  # she still follows Ana's public news

    assert timeline_score(redis_client, priya, activity_of(written).pk) is None
    assert written.pk not in feed_post_ids(client_for(priya))
    assert written.pk not in [a for a in database_feed(priya)]


def test_alumnus_never_sees_company_posts_in_the_feed(ana, olu, committed, client_for, redis_client):
    active(ana, olu)
    graph.follow(follower=olu, followee=ana)
    build_timeline(olu)

    with committed():
        company, network = post(ana, "inside", "company"), post(ana, "outside", "network")

    assert timeline_score(redis_client, olu, activity_of(company).pk) is None
    assert feed_post_ids(client_for(olu)) == [network.pk]


def test_alumnus_never_sees_company_posts_not_even_their_own_from_before(
    marco, committed, client_for, redis_client
):
    eve = make_person("eve", display_name="Eve Early")
    active(eve, marco)
    graph.follow(follower=marco, followee=eve)
    build_timeline(eve)
    with committed():
        company, network = post(eve, "inside", "company"), post(eve, "outside", "network")
    assert feed_post_ids(client_for(eve)) == [network.pk, company.pk]

    # Eve leaves the company (her status is read fresh on every request).
    Profile.objects.filter(pk=eve.pk).update(status=ProfileStatus.ALUMNUS)

    assert feed_post_ids(client_for(eve)) == [network.pk]  # her timeline still holds both
    eve.refresh_from_db()
    assert activity_of(company).pk not in database_feed(eve)
    assert client_for(eve).get(f"/api/v1/posts/{company.pk}/").status_code == 404
    assert feed_post_ids(client_for(marco)) == [network.pk, company.pk]


def test_page_is_refilled_when_items_are_hidden_after_entering_the_timeline(
    ana, priya, followers_of_ana, committed, client_for
):
    with committed():
        written = [post(ana, f"post {n}") for n in range(6)]
    # Three posts narrowed to connections behind the timelines' back (the clean-up has
    # not run yet): they are still in Priya's timeline, but she may no longer see them.
    Post.objects.filter(pk__in=[p.pk for p in written[3:]]).update(visibility="connections")
    Activity.objects.filter(object_id__in=[p.pk for p in written[3:]]).update(visibility="connections")

    page = client_for(priya).get(FEED, {"limit": 3}).json()

    assert [i["object"]["id"] for i in page["results"]] == [p.pk for p in reversed(written[:3])]


# --- High-follower authors -------------------------------------------------------------------


def test_high_follower_author_is_merged_on_read_not_written(
    ana, marco, priya, hana, committed, client_for, redis_client, settings
):
    settings.FEED_FANOUT_LIMIT = 2
    active(ana, marco, priya, hana)
    for person in (marco, priya, hana):
        graph.follow(follower=person, followee=ana)  # three followers: more than the limit
    graph.follow(follower=priya, followee=marco)
    for person in (marco, priya, hana):
        build_timeline(person)

    with committed():
        first = post(ana, "All-hands at 10")
        between = post(marco, "Team lunch")
        last = post(ana, "All-hands moved to 11")

    for person in (marco, priya, hana):
        assert timeline_score(redis_client, person, activity_of(first).pk) is None
        assert timeline_score(redis_client, person, activity_of(last).pk) is None
        assert selectors.feed_home_page(viewer=person).source == "redis"
    assert timeline_score(redis_client, priya, activity_of(between).pk) is not None
    assert feed_post_ids(client_for(priya)) == [last.pk, between.pk, first.pk]
    assert feed_post_ids(client_for(hana)) == [last.pk, first.pk]
    assert redis_feed(priya, limit=1) == database_feed(priya, limit=1)


@pytest.fixture
def popular_ana(ana, marco, priya, hana, settings):
    """Ana with three followers, over a FEED_FANOUT_LIMIT of 2, and her timeline built."""
    settings.FEED_FANOUT_LIMIT = 2
    active(ana, marco, priya, hana)
    for person in (marco, priya, hana):
        graph.follow(follower=person, followee=ana)
    build_timeline(ana)
    return ana


def test_high_follower_author_still_sees_their_own_post_in_their_timeline(
    popular_ana, committed, redis_client
):
    ana = popular_ana
    with committed():
        written = post(ana, "All-hands at 10")

    assert timeline_score(redis_client, ana, activity_of(written).pk) is not None


def test_high_follower_author_still_sees_their_own_post_after_their_timeline_is_rebuilt(
    popular_ana, committed, client_for
):
    ana = popular_ana
    with committed():
        written = post(ana, "All-hands at 10")

    fanout.rebuild_timeline(ana.pk)  # Redis lost it, say: built again from the database

    assert selectors.feed_home_page(viewer=ana).source == "redis"
    assert feed_post_ids(client_for(ana)) == [written.pk]
    assert redis_feed(ana, limit=1) == database_feed(ana, limit=1)


# --- Inactive followers ----------------------------------------------------------------------


def test_inactive_follower_is_skipped_then_gets_the_item_on_return(
    ana, marco, priya, committed, client_for, redis_client, settings
):
    active(ana, marco)
    graph.follow(follower=marco, followee=ana)
    graph.follow(follower=priya, followee=ana)
    build_timeline(marco)
    # Priya has not opened SocialBlue for two months: her timeline expired long ago.
    Profile.objects.filter(pk=priya.pk).update(
        last_active_at=timezone.now() - timedelta(days=settings.FEED_ACTIVE_DAYS * 2)
    )

    with committed():
        written = post(ana, "Release day")

    assert timeline_score(redis_client, marco, activity_of(written).pk) is not None
    assert not has_timeline(redis_client, priya)

    # She comes back: the first page is answered from the database at once ...
    assert feed_post_ids(client_for(priya)) == [written.pk]
    # ... and her timeline has been rebuilt with it.
    assert timeline_score(redis_client, priya, activity_of(written).pk) is not None
    assert selectors.feed_home_page(viewer=priya).source == "redis"
    priya.refresh_from_db()
    assert priya.last_active_at > timezone.now() - timedelta(minutes=1)


def test_follower_who_never_came_back_is_not_written_to(ana, priya, committed, redis_client):
    active(ana)
    Profile.objects.filter(pk=priya.pk).update(last_active_at=None)
    graph.follow(follower=priya, followee=ana)

    with committed():
        post(ana, "Release day")

    assert not has_timeline(redis_client, priya)


# --- Lost timelines and Redis outages --------------------------------------------------------


def clear_feed_keys(redis_client) -> None:
    keys = list(redis_client.scan_iter(match="feed:*", count=1000))
    if keys:
        redis_client.delete(*keys)


def test_lost_timelines_are_answered_from_the_database_at_once_with_the_same_items(
    ana, priya, followers_of_ana, committed, client_for, redis_client, task_runs
):
    with committed():
        for n in range(4):
            post(ana, f"post {n}")
    before = feed_activity_ids(client_for(priya))

    clear_feed_keys(redis_client)  # what FLUSHALL does to the feed

    page = selectors.feed_home_page(viewer=priya)
    assert page.source == "database"
    assert [i.activity.pk for i in page.items] == before
    assert task_runs.count(REBUILD) == 1
    assert feed_activity_ids(client_for(priya)) == before
    assert selectors.feed_home_page(viewer=priya).source == "redis"
    assert task_runs.count(REBUILD) == 1


def test_a_rebuild_in_progress_is_not_started_again(
    ana, priya, followers_of_ana, committed, redis_client, task_runs
):
    with committed():
        written = post(ana, "post")
    timelines.drop(priya.pk)
    assert timelines.claim_rebuild(priya.pk)  # someone else is rebuilding it

    first = selectors.feed_home_page(viewer=priya)
    second = selectors.feed_home_page(viewer=priya)

    assert first.source == second.source == "database"
    assert [i.object.pk for i in second.items] == [written.pk]
    assert REBUILD not in task_runs
    assert not has_timeline(redis_client, priya)

    timelines.release_rebuild(priya.pk)  # that rebuild died; the lock is gone
    assert selectors.feed_home_page(viewer=priya).source == "database"
    assert task_runs.count(REBUILD) == 1
    assert selectors.feed_home_page(viewer=priya).source == "redis"


def test_redis_unreachable_feed_is_served_from_the_database(
    ana, priya, followers_of_ana, committed, client_for, settings
):
    with committed():
        written = [post(ana, f"post {n}") for n in range(3)]
    expected = feed_post_ids(client_for(priya))

    # Nothing listens there: the timelines' Redis, and the live feed's, are away.
    settings.TIMELINE_REDIS_URL = settings.CHANNEL_REDIS_URL = "redis://127.0.0.1:1/0"

    response = client_for(priya).get(FEED)
    assert response.status_code == 200
    assert (
        [i["object"]["id"] for i in response.json()["results"]]
        == expected
        == [p.pk for p in reversed(written)]
    )
    assert selectors.feed_home_page(viewer=priya).source == "database"


def test_a_post_written_while_redis_is_unreachable_is_stored_and_reaches_feeds_later(
    ana, priya, followers_of_ana, committed, client_for, settings, redis_client
):
    good_urls = settings.TIMELINE_REDIS_URL, settings.CHANNEL_REDIS_URL
    settings.TIMELINE_REDIS_URL = settings.CHANNEL_REDIS_URL = "redis://127.0.0.1:1/0"
    with committed():
        response = client_for(ana).post("/api/v1/posts/", {"body": "during the outage"}, format="json")
    assert response.status_code == 201
    assert feed_post_ids(client_for(priya)) == [response.json()["id"]]  # from the database

    settings.TIMELINE_REDIS_URL, settings.CHANNEL_REDIS_URL = good_urls
    activity = Activity.objects.get(object_id=response.json()["id"])
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    tasks.redrive_stalled_fanouts()

    assert timeline_score(redis_client, priya, activity.pk) is not None
    assert feed_post_ids(client_for(priya)) == [response.json()["id"]]


# --- The cap ---------------------------------------------------------------------------------


def test_timeline_is_capped_and_older_items_come_from_the_database(
    ana, priya, followers_of_ana, committed, client_for, redis_client, settings
):
    settings.FEED_MAX_ITEMS = 5
    with committed():
        activities = [activity_of(post(ana, f"post {n}")).pk for n in range(8)]

    held, _floor = timelines.read(priya.pk, before=None, count=100)
    assert held == list(reversed(activities[-5:]))
    assert whole_feed_through_api(client_for(priya), limit=3) == list(reversed(activities))
    assert redis_feed(priya, limit=3) == list(reversed(activities))


def test_rebuilt_timeline_is_capped_too(ana, priya, committed, client_for, redis_client, settings):
    settings.FEED_MAX_ITEMS = 5
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    activities = [activity_of(post(ana, f"post {n}")).pk for n in range(8)]

    build_timeline(priya)

    assert len(timelines.read(priya.pk, before=None, count=100)[0]) == 5
    assert whole_feed_through_api(client_for(priya), limit=4) == list(reversed(activities))


# --- Stalled fan-outs ------------------------------------------------------------------------


def test_stalled_fan_out_is_redriven_into_timelines(
    ana, priya, followers_of_ana, django_capture_on_commit_callbacks, redis_client
):
    # The process died between the commit and the queue: the fan-out never ran.
    with django_capture_on_commit_callbacks(execute=False):
        stalled = activity_of(post(ana, "lost in the crash"))
        recent = activity_of(post(ana, "still on its way"))
    Activity.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(seconds=90))
    assert timeline_score(redis_client, priya, stalled.pk) is None

    assert tasks.redrive_stalled_fanouts() == 1

    assert timeline_score(redis_client, priya, stalled.pk) is not None
    stalled.refresh_from_db()
    assert stalled.fanned_out_at is not None
    # A young one is left to its own fan-out, still in the queue.
    assert timeline_score(redis_client, priya, recent.pk) is None


def test_stalled_fan_out_of_a_deleted_post_is_not_redriven(
    ana, priya, followers_of_ana, django_capture_on_commit_callbacks, redis_client
):
    with django_capture_on_commit_callbacks(execute=False):
        written = post(ana, "lost in the crash")
        activity = activity_of(written)
        services.post_delete(post=written, by=ana)
    Activity.objects.filter(pk=activity.pk).update(created_at=timezone.now() - timedelta(seconds=90))

    assert tasks.redrive_stalled_fanouts() == 0
    assert timeline_score(redis_client, priya, activity.pk) is None


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_readers_arriving_together_at_a_lost_timeline_trigger_one_rebuild(
    ana, priya, redis_client, task_runs
):
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    written = [post(ana, f"post {n}") for n in range(3)]
    build_timeline(priya)
    expected = [p.pk for p in reversed(written)]
    clear_feed_keys(redis_client)
    task_runs.clear()
    readers = 6
    start = threading.Barrier(readers)
    seen: list[list[int]] = []
    errors: list[BaseException] = []

    def read():
        try:
            start.wait()
            page = selectors.feed_home_page(viewer=priya)
            seen.append([i.object.pk for i in page.items])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert seen == [expected] * readers
    assert task_runs.count(REBUILD) == 1
    assert redis_feed(priya) == database_feed(priya)


def test_posts_from_while_an_author_had_many_followers_stay_in_feeds_when_they_have_fewer(
    ana, marco, priya, hana, committed, client_for, settings
):
    settings.FEED_FANOUT_LIMIT = 2
    active(ana, marco, priya, hana)
    for person in (marco, priya, hana):
        graph.follow(follower=person, followee=ana)
    build_timeline(marco)
    with committed():
        written = post(ana, "All-hands at 10")  # merged on read, never written

    with committed():
        graph.unfollow(follower=hana, followee=ana)  # two followers: fanned out again from now on

    assert feed_post_ids(client_for(marco)) == [written.pk]
    assert redis_feed(marco) == database_feed(marco)
