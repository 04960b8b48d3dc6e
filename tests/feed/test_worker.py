"""A real Celery worker, killed with SIGKILL in the middle of a big fan-out: acks are late
and every task is idempotent, so a new worker finishes the job and every follower gets the
post exactly once. The same worker serves timeline rebuilds.

The workers are subprocesses (``celery worker --pool=prefork``) reading the pytest test
database and the real Redis; they use queues of their own (``tests/workers.py``).
"""

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from feed import selectors, timelines
from feed.models import Activity
from profiles.models import Follow, Profile
from tests import workers
from tests.feed.stories import active, activity_of, post
from tests.workers import Worker, tasks_through_broker

# The worker reads what the test wrote through its own connections: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

FOLLOWERS = 2000
CHUNK = 50
VISIBILITY_TIMEOUT = 5  # longer than any task of this test, or a running one is handed out again
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


@pytest.fixture
def eager_tasks():
    """Tasks go through the broker to the worker here, not inline."""
    with tasks_through_broker():
        yield


@pytest.fixture
def start_worker(celery_worker):
    """``start_worker(name, chunk_delay=0)`` starts a real fan-out worker."""

    def start(name: str, *, chunk_delay: float = 0) -> Worker:
        return celery_worker(
            name,
            queues=("fanout", "default"),
            FEED_FANOUT_CHUNK=CHUNK,
            TEST_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
            TEST_CHUNK_DELAY=chunk_delay,
        )

    return start


def wait_for(condition, *, seconds: float = WAIT_SECONDS, every: float = 0.05, what=lambda: "") -> None:
    workers.wait_for(condition, what=what, seconds=seconds, every=every)


def make_followers(author: Profile, count: int) -> list[int]:
    """``count`` active people following ``author``, each with a built (empty) timeline."""
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"fan{n}", email=f"fan{n}@company.example", password="!") for n in range(count)]
    )
    now = timezone.now()
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Fan {n}", last_active_at=now) for n, u in enumerate(users)]
    )
    Follow.objects.bulk_create([Follow(follower_id=u.pk, followee=author) for u in users])
    Profile.objects.filter(pk=author.pk).update(follower_count=count)
    with connection.cursor() as cursor:
        # Fresh statistics, as after any bulk load: without them the planner takes 2,000
        # rows for one and the fan-out's follower query turns quadratic.
        cursor.execute(f"ANALYZE {Profile._meta.db_table}, {Follow._meta.db_table}")
    ids = [u.pk for u in users]
    for profile_id in ids:
        timelines.replace(profile_id, [])
    return ids


def holders(redis_client, profile_ids: list[int], activity_id: int) -> int:
    """How many of these people's timelines hold the activity."""
    with redis_client.pipeline(transaction=False) as pipe:
        for profile_id in profile_ids:
            pipe.lpos(timelines.key(profile_id), activity_id)
        return sum(position is not None for position in pipe.execute())


def test_worker_killed_mid_fan_out_loses_nothing_and_duplicates_nothing(
    ana, start_worker, worker_queues, redis_client
):
    active(ana)
    timelines.replace(ana.pk, [])
    followers = make_followers(ana, FOLLOWERS)
    first = start_worker("first", chunk_delay=0.15)

    written = post(ana, "Company offsite: the agenda")  # committed: the fan-out is queued
    activity = activity_of(written)

    # Kill the worker as soon as the fan-out is under way but not finished.
    wait_for(
        lambda: holders(redis_client, followers, activity.pk) >= 3 * CHUNK,
        what=lambda: f"the first chunks to land; worker log:\n{first.log()[-3000:]}",
        every=0.01,
    )
    first.kill()
    landed = holders(redis_client, followers, activity.pk)
    assert 0 < landed < FOLLOWERS, "the kill should land in the middle of the fan-out"
    # It died holding tasks it had taken but not finished: acknowledged late, they wait to
    # be handed out again instead of being lost.
    assert redis_client.hlen(f"{worker_queues}unacked") > 0

    # What the dead worker had taken is handed out again after the visibility timeout.
    second = start_worker("second")
    wait_for(
        lambda: holders(redis_client, followers, activity.pk) == FOLLOWERS,
        what=lambda: f"every follower to get the post; worker log:\n{second.log()[-3000:]}",
        every=0.2,
    )

    # Exactly once: each timeline is its floor and this one activity.
    with redis_client.pipeline(transaction=False) as pipe:
        for profile_id in followers:
            pipe.lrange(timelines.key(profile_id), 0, -1)
        contents = pipe.execute()
    assert all(c == [b"0", str(activity.pk).encode()] for c in contents)
    wait_for(
        lambda: redis_client.hlen(f"{worker_queues}unacked") == 0,
        what=lambda: "the taken tasks to be finished and acknowledged",
        seconds=10,
    )
    wait_for(
        lambda: Activity.objects.filter(pk=activity.pk, fanned_out_at__isnull=False).exists(),
        what=lambda: "the fan-out to be marked finished",
        seconds=10,
    )


def queued_tasks(redis_client, queue: str) -> list[str]:
    """The names of the tasks waiting in a queue (kombu's JSON envelope)."""
    return [json.loads(m)["headers"]["task"] for m in redis_client.lrange(queue, 0, -1)]


def test_a_lost_timeline_is_rebuilt_once_by_the_worker(ana, priya, start_worker, worker_queues, redis_client):
    active(ana, priya)
    Follow.objects.create(follower=priya, followee=ana)
    written = [post(ana, f"post {n}") for n in range(3)]
    expected = [activity_of(p).pk for p in reversed(written)]

    # Priya opens the app twice before any worker runs: no timeline, so the database
    # answers at once, and one rebuild is queued.
    first = selectors.feed_home_page(viewer=priya)
    second = selectors.feed_home_page(viewer=priya)

    assert first.source == second.source == "database"
    assert [i.activity.pk for i in first.items] == [i.activity.pk for i in second.items] == expected
    assert queued_tasks(redis_client, f"{worker_queues}fanout").count("feed.tasks.rebuild_timeline") == 1

    worker = start_worker("rebuilder")
    wait_for(
        lambda: timelines.exists(priya.pk), what=lambda: f"the rebuild; worker log:\n{worker.log()[-3000:]}"
    )
    wait_for(
        lambda: not redis_client.exists(f"{timelines.LOCK_PREFIX}{priya.pk}"),
        what=lambda: "the rebuild lock to be released",
        seconds=10,
    )
    page = selectors.feed_home_page(viewer=priya)
    assert page.source == "redis"
    assert [i.activity.pk for i in page.items] == expected
