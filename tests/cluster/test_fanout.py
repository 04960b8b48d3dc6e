"""A post to 20,000 followers on the production topology: four chunks of 5,000 shared by the
two fan-out workers, every follower's timeline on whichever Redis Cluster primary its key
lives. Then the same with one fan-out worker killed (SIGKILL) in the middle: acks are late and
the writes idempotent, so when the worker comes back every follower holds every item exactly
once. Nothing lost, nothing doubled.
"""

import os
import re
import time

import pytest

from tests.cluster.topology import (
    FRONT,
    Log,
    broker_unacked,
    copies,
    crowd,
    feed_ids,
    operator,
    person,
    publish,
    token_for,
    wait_for,
)

FOLLOWERS = 20_000
VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT") or 3600)
FAN_OUT_TASK = re.compile(r"Task feed\.tasks\.(fan_out|fan_out_chunk)\[[^\]]+\] succeeded")


@pytest.fixture(scope="module")
def hana_and_her_followers():
    """Hana, who runs the company's news, and the 20,000 people who follow her."""
    hana = person("hana")
    started = time.monotonic()
    followers = crowd(hana.profile, FOLLOWERS, "reader")
    print(f"20,000 followers and their timelines made in {time.monotonic() - started:.1f} s")
    return hana, followers


def held_exactly_once(activity_ids, followers) -> str:
    """'' when every follower holds each item exactly once; else what is wrong."""
    for activity_id in activity_ids:
        counts = copies(activity_id, followers)
        wrong = {pk: n for pk, n in counts.items() if n != 1}
        if wrong:
            sample = list(wrong.items())[:5]
            return (
                f"item {activity_id}: {len(wrong)} followers hold it a wrong number of times, e.g. {sample}"
            )
    return ""


def test_a_post_reaches_20000_followers_through_both_fanout_workers(hana_and_her_followers):
    hana, followers = hana_and_her_followers
    logs = [Log("worker-fanout-1"), Log("worker-fanout-2")]
    started = time.monotonic()

    item = publish(FRONT, hana.token, "The company picnic is on Friday")

    wait_for(
        lambda: not held_exactly_once([item], followers), what=lambda: held_exactly_once([item], followers)
    )
    print(f"one post in 20,000 timelines {time.monotonic() - started:.1f} s after it was made")
    # Both workers took part: the post's fan-out and its chunks are the only fan-out work.
    for log in logs:
        assert FAN_OUT_TASK.search(log.text()), f"{log.path.name} ran no part of the fan-out"
    # And a follower sees it, as their app shows it.
    reader = followers[FOLLOWERS // 2]
    assert feed_ids(FRONT, token_for_profile(reader))[0] == item


def test_a_fanout_worker_killed_mid_fanout_loses_nothing(hana_and_her_followers):
    hana, followers = hana_and_her_followers
    log = Log("worker-fanout-1")

    # Three posts in a row: twelve chunks, both workers busy for seconds.
    items = [publish(FRONT, hana.token, f"Office move, update {n}") for n in (1, 2, 3)]
    wait_for(
        lambda: "fan_out" in log.text(), every=0.02, what=lambda: "worker-fanout-1 to take a fan-out task"
    )
    operator("kill", "worker-fanout-1")
    killed = time.monotonic()
    # What it held is still unacknowledged in the broker: it was in the middle of the fan-out.
    assert broker_unacked() >= 1

    # The machine comes back after a while: once the broker's visibility timeout has passed,
    # the worker's first sweep hands out again what it held.
    time.sleep(max(0.0, killed + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    operator("start-one", "worker-fanout-1")

    wait_for(
        lambda: not held_exactly_once(items, followers), what=lambda: held_exactly_once(items, followers)
    )
    assert broker_unacked() == 0


def token_for_profile(profile_id: int) -> str:
    from profiles.models import Profile

    return token_for(Profile.objects.get(pk=profile_id), "cluster test reader")
