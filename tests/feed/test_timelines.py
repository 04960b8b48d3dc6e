"""The promises of a Redis timeline's layout (``feed/timelines.py``), against the real Redis:
the floor, writes that change nothing the second time or when late, trimming with slack that
readers never see, one key per timeline, and timelines of an older layout rebuilt once when
read.

Every story runs twice: on the plain Redis of the test run, and on a private three-primary
Redis Cluster (``TIMELINE_REDIS_URL`` pointing at it, cluster mode detected), where one
pipeline writes into timelines on every primary."""

import contextlib
import threading

import pytest
import redis
from redis.cluster import RedisCluster

from feed import fanout, selectors, services, timelines
from feed.models import Activity
from profiles import services as graph
from tests.conftest import clear_feed_keys
from tests.feed.stories import (
    active,
    activity_of,
    build_timeline,
    feed_activity_ids,
    post,
    timeline_score,
)
from tests.private_redis_cluster import redis_cluster  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

REBUILD = "feed.tasks.rebuild_timeline"
PRIYA = 7_001  # a timeline's owner where no database row is needed
MARCO = 7_002


def shown(profile_id: int) -> tuple[list[int], int] | None:
    """What a reader is shown: every id, newest first, and the floor."""
    return timelines.read(profile_id, before=None, count=100_000)


def held(redis_client, profile_id: int) -> list[int]:
    """Every id the list holds, oldest first, the slack beyond the cap included."""
    return [int(i) for i in redis_client.lrange(timelines.key(profile_id), 1, -1)]


@pytest.fixture(params=["plain", "cluster"], autouse=True)
def timeline_store(request, settings):
    """The timelines' Redis of each story: the test run's plain Redis, or the private cluster."""
    if request.param == "plain":
        yield timelines.client()
        return
    cluster = request.getfixturevalue("redis_cluster")
    settings.TIMELINE_REDIS_URL = cluster.url
    settings.TIMELINE_REDIS_CLUSTER = "auto"
    store = timelines.client()
    assert isinstance(store, RedisCluster)
    clear_feed_keys(store)
    yield store
    clear_feed_keys(store)


@pytest.fixture
def redis_client(timeline_store):
    """The stories look at timeline keys where the timelines are."""
    return timeline_store


@pytest.fixture
def cap_of_ten(settings):
    settings.FEED_MAX_ITEMS = 10  # a slack of one


# --- The floor -------------------------------------------------------------------------------


def test_a_built_empty_timeline_is_not_a_missing_one():
    timelines.replace(PRIYA, [])

    assert shown(PRIYA) == ([], 0)
    assert shown(MARCO) is None


def test_a_fan_out_never_writes_into_a_missing_timeline():
    # A timeline created by a write would hold one item and look complete.
    assert timelines.add(501, [PRIYA]) == 0

    assert not timelines.exists(PRIYA)
    assert timelines.add_many(PRIYA, [501, 502], complete_above=400) is False
    assert not timelines.exists(PRIYA)


def test_nothing_at_or_below_the_floor_is_ever_written(cap_of_ten):
    timelines.replace(PRIYA, [*range(101, 121)])  # twenty ids: the ten oldest fall below the floor
    ids, floor = shown(PRIYA)
    assert ids == list(range(120, 110, -1)) and floor == 110

    # A late fan-out of an id the trim let go, and a retried follow merge of old ones.
    timelines.add(105, [PRIYA])
    timelines.add_many(PRIYA, [104, 110])

    assert shown(PRIYA) == (list(range(120, 110, -1)), 110)


def test_a_follow_merge_raises_the_floor_and_drops_what_lies_below_it():
    timelines.replace(PRIYA, [10, 20, 30])

    # Marco's 40 and 50 are all there is of his above 35; his older ones were left out.
    assert timelines.add_many(PRIYA, [40, 50], complete_above=35)

    assert shown(PRIYA) == ([50, 40], 35)


# --- Writes that come twice, or late --------------------------------------------------------


def test_a_retried_write_changes_nothing(redis_client):
    timelines.replace(PRIYA, [10, 20])
    timelines.add(30, [PRIYA])
    before = redis_client.lrange(timelines.key(PRIYA), 0, -1)

    timelines.add(30, [PRIYA])  # the newest again
    timelines.add(20, [PRIYA])  # an older one again
    timelines.add_many(PRIYA, [10, 20, 30])

    assert redis_client.lrange(timelines.key(PRIYA), 0, -1) == before
    assert shown(PRIYA) == ([30, 20, 10], 0)


def test_a_late_write_lands_in_its_place_and_pages_stay_in_order():
    timelines.replace(PRIYA, [10, 30, 50])

    timelines.add(40, [PRIYA])  # a fan-out that started earlier finished later
    timelines.add(20, [PRIYA])
    timelines.add_many(PRIYA, [25, 45, 60])

    assert shown(PRIYA) == ([60, 50, 45, 40, 30, 25, 20, 10], 0)
    assert timelines.read(PRIYA, before=45, count=3) == ([40, 30, 25], 0)
    assert timelines.read(PRIYA, before=35, count=3) == ([30, 25, 20], 0)  # 35 is not held
    assert timelines.read(PRIYA, before=10, count=3) == ([], 0)


def test_a_very_late_write_lands_in_its_place_too():
    timelines.replace(PRIYA, list(range(10, 510, 10)))  # fifty ids

    timelines.add(15, [PRIYA])  # older than the newest few: the list is written again
    timelines.add(15, [PRIYA])

    ids, floor = shown(PRIYA)
    assert ids == sorted([*range(10, 510, 10), 15], reverse=True) and floor == 0


def test_a_write_keeps_the_timelines_expiry(redis_client):
    timelines.replace(PRIYA, list(range(10, 510, 10)))
    redis_client.expire(timelines.key(PRIYA), 1_000)

    timelines.add(15, [PRIYA])  # the list is written again
    timelines.add(495, [PRIYA])  # its place taken at the tail
    timelines.add(600, [PRIYA])

    assert 0 < redis_client.ttl(timelines.key(PRIYA)) <= 1_000


def test_an_activity_deleted_while_its_chunk_was_written_is_not_brought_back(
    ana, priya, committed, redis_client
):
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    build_timeline(priya)
    with committed():
        written = post(ana, "A draft sent too soon")
    activity = activity_of(written)
    loaded_before_the_delete = Activity.objects.get(pk=activity.pk)

    with committed():
        services.post_delete(post=written, by=ana)
    assert timeline_score(redis_client, priya, activity.pk) is None

    # A chunk task that loaded the activity before the delete writes after the removal ran;
    # a retry of the chunk comes later still.
    fanout.fan_out_chunk(activity.pk, [priya.pk], activity=loaded_before_the_delete)
    fanout.fan_out_chunk(activity.pk, [priya.pk])

    assert timeline_score(redis_client, priya, activity.pk) is None


# --- Trimming with slack ---------------------------------------------------------------------


def test_trimming_with_slack_never_shows_more_than_the_cap_nor_loses_an_id_above_the_floor(
    redis_client, cap_of_ten
):
    timelines.replace(PRIYA, [])
    written = []
    floors = []
    for activity_id in range(1, 61):
        timelines.add(activity_id, [PRIYA])
        written.append(activity_id)
        ids, floor = shown(PRIYA)
        assert len(ids) <= 10
        # Complete above the floor: everything written above it is shown, newest first.
        assert ids == [a for a in reversed(written) if a > floor]
        assert len(held(redis_client, PRIYA)) <= 11  # the cap and its slack
        floors.append(floor)
    assert floors == sorted(floors), "the floor only ever rises"
    assert floors[-1] == 50

    # Pages read through the slack show the same newest ten.
    first = timelines.read(PRIYA, before=None, count=4)
    second = timelines.read(PRIYA, before=first[0][-1], count=4)
    third = timelines.read(PRIYA, before=second[0][-1], count=4)
    assert first[0] + second[0] + third[0] == list(range(60, 50, -1))


def test_a_rebuilt_timeline_holds_the_cap_and_no_slack(redis_client, cap_of_ten):
    timelines.replace(PRIYA, list(range(1, 31)))

    assert held(redis_client, PRIYA) == list(range(21, 31))
    assert shown(PRIYA) == (list(range(30, 20, -1)), 20)


# --- One key per timeline --------------------------------------------------------------------


def _servers(store) -> list[tuple[str, int, int]]:
    """(host, port, db) of each server holding timelines: the plain Redis, or every primary."""
    if isinstance(store, RedisCluster):
        return [(node.host, node.port, 0) for node in store.get_primaries()]
    url = store.connection_pool.connection_kwargs
    return [(url.get("host"), url.get("port"), url.get("db", 0))]


def commands_sent(store, action) -> dict[int, list[dict]]:
    """The commands each timelines' server ran on the timelines' db while ``action`` ran
    (``MONITOR``), those that scripts ran included; by port."""
    done = "timelines-monitor-done"
    seen: dict[int, list[dict]] = {}
    with contextlib.ExitStack() as stack:
        readers = []
        for host, port, db in _servers(store):
            server = redis.Redis(host=host, port=port, db=db)
            stack.callback(server.close)
            server.ping()  # connected (and on its db) before the monitor starts
            monitor = stack.enter_context(redis.Redis(host=host, port=port).monitor())
            ready = threading.Event()
            commands = seen[port] = []

            def collect(monitor=monitor, ready=ready, commands=commands, db=db):
                ready.set()
                for command in monitor.listen():
                    if done in command["command"]:
                        return
                    if command["db"] == db:
                        commands.append(command)

            reader = threading.Thread(target=collect, daemon=True)
            reader.start()
            ready.wait()
            readers.append((reader, server))
        action()
        for reader, server in readers:
            server.echo(done)
            reader.join(timeout=10)
    return seen


def test_every_script_call_touches_one_timeline_key(cap_of_ten, timeline_store):
    timelines.replace(PRIYA, list(range(1, 11)))
    timelines.replace(MARCO, list(range(1, 11)))
    # The scripts known to every server first: a NOSCRIPT answer and the load that follows it
    # are counted in their own story.
    timelines.read(MARCO + 1, before=None, count=1)
    timelines.add_many(MARCO + 1, [1])

    def work():
        timelines.add(11, [PRIYA, MARCO])  # the fan-out's path
        timelines.add(5, [PRIYA])  # a late write
        timelines.add(12, [PRIYA])  # past the cap and its slack: a trim
        timelines.add_many(MARCO, [3, 13], complete_above=2)
        timelines.read(PRIYA, before=9, count=3)
        timelines.remove([12], [PRIYA, MARCO])

    by_server = commands_sent(timeline_store, work)

    every = [c for commands in by_server.values() for c in commands]
    scripts = [c for c in every if c["command"].split()[0].upper() in {"EVALSHA", "EVAL"}]
    assert len(scripts) == 6
    assert sum(c["client_type"] == "lua" for c in every) > len(scripts)
    for commands in by_server.values():
        current = None
        for command in commands:
            words = command["command"].split()
            name = words[0].upper()
            if name in {"EVALSHA", "EVAL"}:
                assert words[2] == "1", f"a script called with {words[2]} keys: {command['command']}"
                current = words[3]
            elif command["client_type"] == "lua":
                assert words[1] == current, f"a script touched {words[1]} beside {current}"
            elif name not in {"SCRIPT", "ECHO", "MULTI", "EXEC"}:
                assert words[1].startswith(timelines.KEY_PREFIX)


# --- Many timelines at once ------------------------------------------------------------------


def test_one_write_reaches_many_timelines_wherever_they_live_and_one_removal_takes_it_back(
    timeline_store,
):
    people = list(range(8_001, 8_061))
    for person in people:
        timelines.replace(person, [10, 20])
    if isinstance(timeline_store, RedisCluster):
        primaries = {timeline_store.get_node_from_key(timelines.key(p)).name for p in people}
        assert len(primaries) == 3  # the pipeline is split by primary, and reaches each one

    assert timelines.add(30, [*people, 9_999]) == len(people)  # 9,999 has no timeline
    assert all(shown(p) == ([30, 20, 10], 0) for p in people)
    assert not timelines.exists(9_999)

    timelines.remove([30, 10], people)

    assert all(shown(p) == ([20], 0) for p in people)


# --- Timelines of an older layout ------------------------------------------------------------


def test_a_timeline_in_the_old_layout_is_rebuilt_once_when_read(
    ana, priya, committed, client_for, redis_client, task_runs
):
    active(ana, priya)
    graph.follow(follower=priya, followee=ana)
    with committed():
        written = [activity_of(post(ana, f"post {n}")).pk for n in range(3)]
    # Priya's timeline as the sorted-set layout left it: it does not count as a timeline now.
    redis_client.zadd(f"feed:home:{priya.pk}", {"floor": 0, **{str(a): a for a in written}})
    assert not timelines.exists(priya.pk)

    first = selectors.feed_home_page(viewer=priya)
    assert first.source == "database"
    assert [i.activity.pk for i in first.items] == list(reversed(written))
    assert task_runs.count(REBUILD) == 1

    second = selectors.feed_home_page(viewer=priya)
    assert second.source == "redis"
    assert feed_activity_ids(client_for(priya)) == list(reversed(written))
    assert task_runs.count(REBUILD) == 1
    assert not redis_client.exists(f"{timelines.LOCK_PREFIX}{priya.pk}")
