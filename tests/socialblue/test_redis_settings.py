"""The Redis settings: one ``REDIS_URL`` for everything, or a Redis of its own for the timelines
(``TIMELINE_REDIS_URL``, a cluster or not: ``TIMELINE_REDIS_CLUSTER``), the channel layer and
live feed (``CHANNEL_REDIS_URL``), the cache (``CACHE_REDIS_URL``) and the broker
(``CELERY_BROKER_URL``). Each story reads the settings in a fresh process (they are read once,
at import); no server is asked anything."""

import os

import pytest

from tests.processes import manage, printed_json

SHOW_REDIS = """
import json
from django.conf import settings
from socialblue.celery import app
print(json.dumps({
    "timelines": settings.TIMELINE_REDIS_URL,
    "timelines_cluster": settings.TIMELINE_REDIS_CLUSTER,
    "channels": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"],
    "stream": settings.CHANNEL_REDIS_URL,
    "cache": settings.CACHES["default"]["LOCATION"],
    "broker": settings.CELERY_BROKER_URL,
    "celery_broker": app.conf.broker_url,
    "tasks_run_inline": settings.CELERY_TASK_ALWAYS_EAGER,
}))
"""

SHARED = "redis://shared.example:6379/0"


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A developer's full mode: DEBUG on, one Redis for everything."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "SOCIALBLUE_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",
        "REDIS_URL": SHARED,
    }


def redis_settings(env: dict[str, str]) -> dict:
    return printed_json(manage("shell", "-c", SHOW_REDIS, env=env))


def test_one_redis_url_serves_every_part_and_the_cluster_mode_is_detected(env):
    assert redis_settings(env) == {
        "timelines": SHARED,
        "timelines_cluster": "auto",
        "channels": SHARED,
        "stream": SHARED,
        "cache": SHARED,
        "broker": SHARED,
        "celery_broker": SHARED,
        "tasks_run_inline": False,
    }


def test_each_part_may_have_a_redis_of_its_own(env):
    split = {
        "TIMELINE_REDIS_URL": "redis://timelines.example:7000",
        "TIMELINE_REDIS_CLUSTER": "1",
        "CHANNEL_REDIS_URL": "redis://queues.example:6379/1",
        "CACHE_REDIS_URL": "redis://cache.example:6379/2",
        "CELERY_BROKER_URL": "redis://queues.example:6379/0",
    }

    assert redis_settings({**env, **split}) == {
        "timelines": "redis://timelines.example:7000",
        "timelines_cluster": "1",
        "channels": "redis://queues.example:6379/1",
        "stream": "redis://queues.example:6379/1",
        "cache": "redis://cache.example:6379/2",
        "broker": "redis://queues.example:6379/0",
        "celery_broker": "redis://queues.example:6379/0",
        "tasks_run_inline": False,
    }


@pytest.mark.parametrize("value", ["0", "Auto"])
def test_the_cluster_mode_may_be_declared(env, value):
    assert redis_settings({**env, "TIMELINE_REDIS_CLUSTER": value})["timelines_cluster"] == value.lower()


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            {"TIMELINE_REDIS_CLUSTER": "yes"},
            "TIMELINE_REDIS_CLUSTER is 'yes'; it must be one of auto, 1, 0.",
        ),
        (
            {"TIMELINE_REDIS_URL": "redis://timelines.example:7000/2", "TIMELINE_REDIS_CLUSTER": "1"},
            "TIMELINE_REDIS_URL is 'redis://timelines.example:7000/2' with TIMELINE_REDIS_CLUSTER=1; "
            "a Redis Cluster has db 0 only.",
        ),
    ],
    ids=["unknown cluster mode", "cluster with a db"],
)
def test_a_redis_setting_it_cannot_take_stops_the_start_in_one_clear_line(env, extra, line):
    result = manage("check", env={**env, **extra})

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"SocialBlue refuses to start: {line}"]


@pytest.mark.parametrize(
    "name", ["TIMELINE_REDIS_URL", "CHANNEL_REDIS_URL", "CACHE_REDIS_URL", "CELERY_BROKER_URL"]
)
def test_a_part_of_the_split_without_redis_url_stops_the_start(env, name):
    # The embedded default uses no Redis at all; a part named alone would be ignored silently.
    embedded = {key: value for key, value in env.items() if key != "REDIS_URL"}

    result = manage("check", env={**embedded, name: "redis://somewhere.example:6379/0"})

    assert result.returncode != 0
    why = "is set but REDIS_URL is not; the embedded default uses no Redis."
    assert result.stderr.strip().splitlines() == [f"SocialBlue refuses to start: {name} {why}"]
