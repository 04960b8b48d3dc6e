"""The timelines on a Redis Cluster (``TIMELINE_REDIS_URL``) while the broker, the cache and the
channel layer stay on the plain Redis (``REDIS_URL``): how the mode is chosen, scripts a primary
forgot, the rebuild lock, presence, the feed served from the cluster, and the feed served from
the database while a primary is away. The layout's own stories run on the cluster too, in
``test_timelines.py``."""

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from redis.cluster import RedisCluster

from feed import presence, selectors, timelines
from profiles import services as graph
from socialblue.outages import is_outage
from tests.conftest import REAL_REDIS_URL, clear_feed_keys
from tests.feed.stories import FEED, active, activity_of, build_timeline, feed_post_ids, post
from tests.private_redis_cluster import PrivateRedisCluster, redis_cluster  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PRIYA = 7_001  # a timeline's owner where no database row is needed


@pytest.fixture
def on_cluster(redis_cluster, settings):  # noqa: F811
    """The timelines (and presence) on the session's cluster, the mode left to detection."""
    settings.TIMELINE_REDIS_URL = redis_cluster.url
    settings.TIMELINE_REDIS_CLUSTER = "auto"
    store = timelines.client()
    clear_feed_keys(store)
    yield store
    clear_feed_keys(store)


# --- How the mode is chosen ------------------------------------------------------------------


def test_cluster_mode_is_detected_from_the_server(redis_cluster):  # noqa: F811
    assert timelines.is_cluster(redis_cluster.url)
    assert not timelines.is_cluster(REAL_REDIS_URL)
    assert isinstance(timelines.client_for(redis_cluster.url, "auto"), RedisCluster)
    assert not isinstance(timelines.client_for(REAL_REDIS_URL, "auto"), RedisCluster)


def test_a_plain_redis_declared_plain_serves_timelines_without_being_asked(settings, redis_client):
    settings.TIMELINE_REDIS_URL = REAL_REDIS_URL
    settings.TIMELINE_REDIS_CLUSTER = "0"

    assert type(timelines.client()) is redis.Redis
    timelines.replace(PRIYA, [10, 20])
    assert timelines.add(30, [PRIYA]) == 1
    assert timelines.read(PRIYA, before=None, count=10) == ([30, 20, 10], 0)
    assert redis_client.exists(timelines.key(PRIYA))


def test_a_cluster_named_with_a_db_other_than_0_is_a_configuration_error(redis_cluster, settings):  # noqa: F811
    # A cluster has db 0 only: a URL naming another db meant some other server.
    settings.TIMELINE_REDIS_URL = redis_cluster.url.removesuffix("/0") + "/3"
    settings.TIMELINE_REDIS_CLUSTER = "auto"

    with pytest.raises(ImproperlyConfigured):
        timelines.read(PRIYA, before=None, count=1)


# --- Scripts and locks on the cluster --------------------------------------------------------


def test_scripts_a_primary_forgot_are_loaded_again_and_every_call_is_answered(on_cluster):
    people = list(range(8_001, 8_031))
    for person in people:
        timelines.replace(person, [10])
    on_cluster.script_flush()  # every primary: a restart, a failover to an empty replica

    assert timelines.add(20, people) == len(people)

    on_cluster.script_flush()
    assert all(timelines.read(p, before=None, count=5) == ([20, 10], 0) for p in people)


def test_only_one_reader_rebuilds_a_missing_timeline(on_cluster):
    assert timelines.claim_rebuild(PRIYA)
    assert not timelines.claim_rebuild(PRIYA)

    timelines.release_rebuild(PRIYA)

    assert timelines.claim_rebuild(PRIYA)
    assert on_cluster.ttl(f"{timelines.LOCK_PREFIX}{PRIYA}") > 0


def test_presence_counts_each_persons_sockets_on_the_cluster(on_cluster, settings):
    ana, marco, priya = 9_001, 9_002, 9_003
    presence.connected(ana)
    presence.connected(ana)  # a second tab
    presence.connected(marco)
    presence.heartbeat(marco)

    assert presence.online_among([ana, marco, priya]) == [ana, marco]
    presence.disconnected(ana)
    assert presence.online_among([ana, priya]) == [ana]
    presence.disconnected(ana)
    presence.disconnected(marco)

    assert presence.online_among([ana, marco, priya]) == []
    assert presence.online_now() == []
    assert on_cluster.exists(presence.ONLINE_KEY) == 0


# --- The feed on the cluster -----------------------------------------------------------------


def test_the_feed_is_served_from_timelines_on_the_cluster_while_the_rest_stays_on_plain_redis(
    on_cluster, ana, priya, committed, client_for, redis_client, settings
):
    assert (
        settings.CACHE_REDIS_URL == settings.CHANNEL_REDIS_URL == settings.CELERY_BROKER_URL == REAL_REDIS_URL
    )
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    build_timeline(priya)
    with committed():
        written = [post(ana, f"post {n}") for n in range(3)]

    assert feed_post_ids(client_for(priya)) == [p.pk for p in reversed(written)]
    assert selectors.feed_home_page(viewer=priya).source == "redis"
    newest = activity_of(written[-1]).pk
    assert str(newest).encode() in on_cluster.lrange(timelines.key(priya.pk), 0, -1)
    assert not redis_client.exists(timelines.key(priya.pk))  # nothing written to the plain Redis


@pytest.fixture
def own_cluster(tmp_path, redis_cluster, settings):  # noqa: F811
    """A cluster of this test's own, whose primaries it may stop (beside the session's)."""
    cluster = PrivateRedisCluster(tmp_path)
    cluster.start()
    settings.TIMELINE_REDIS_URL = cluster.url
    settings.TIMELINE_REDIS_CLUSTER = "auto"
    try:
        yield cluster
    finally:
        cluster.stop()
        timelines.client_for.cache_clear()  # its ports may serve another cluster later


def test_with_a_primary_away_the_feed_is_read_from_the_database_and_readiness_names_the_timelines(
    own_cluster, ana, priya, committed, client_for, client
):
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    build_timeline(priya)
    with committed():
        written = [post(ana, f"post {n}") for n in range(3)]
    expected = [p.pk for p in reversed(written)]
    assert selectors.feed_home_page(viewer=priya).source == "redis"
    assert client.get("/readyz").json()["checks"]["redis:timelines"] == "ok"

    store = timelines.client()
    own_cluster.stop_node(store.get_node_from_key(timelines.key(priya.pk)).port)

    response = client_for(priya).get(FEED)
    assert response.status_code == 200
    assert [i["object"]["id"] for i in response.json()["results"]] == expected
    assert selectors.feed_home_page(viewer=priya).source == "database"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis:timelines"].startswith("error: ")
    assert ready.json()["checks"]["redis:channels+cache"] == "ok"


@pytest.mark.parametrize(
    "error",
    [
        redis.exceptions.ClusterDownError("The cluster is down"),
        redis.exceptions.MasterDownError("Link with MASTER is down"),
        redis.exceptions.TryAgainError("Multiple keys request during rehashing of slot"),
        redis.exceptions.SlotNotCoveredError('Slot "42" is not covered by the cluster.'),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_cluster_that_is_down_or_moving_is_an_outage_not_a_bug(error):
    assert is_outage(error)
