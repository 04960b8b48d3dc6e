"""The Celery app as workers and senders see it: three queues, JSON only, and no task lost
when a worker dies; and a real worker answering over the real Redis broker."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from socialblue.celery import app

WORKER_START_SECONDS = 15
LONGEST_ACCEPTABLE_REDELIVERY_SECONDS = 6 * 60 * 60


def test_work_is_split_into_default_fanout_and_media_queues():
    assert {queue.name for queue in app.conf.task_queues} == {"default", "fanout", "media"}
    assert app.conf.task_default_queue == "default"


def test_tasks_travel_through_the_redis_broker_in_full_mode():
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_always_eager is False


def test_messages_are_json_only():
    # Pickle from a broker anyone on the network can write to would run their code.
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_a_task_is_acknowledged_only_after_it_ran():
    # A worker killed mid fan-out hands the task back; tasks are idempotent, so a second run
    # is harmless while a lost one would leave feeds without the post.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_an_unacknowledged_task_comes_back_after_the_longest_task_but_the_same_day():
    visibility_timeout = app.conf.broker_transport_options["visibility_timeout"]

    # Shorter than the time limit, a slow task would be handed to a second worker while the
    # first still runs it; far longer, a task of a killed worker would wait hours for a retry.
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit < visibility_timeout
    assert visibility_timeout <= LONGEST_ACCEPTABLE_REDELIVERY_SECONDS


@pytest.fixture
def default_queue_worker(tmp_path):
    """A real ``celery worker`` for the ``default`` queue on the test Redis; its node name.

    Its output is printed when it stops, so pytest shows it beside a failure."""
    node = f"socialblue-test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "SOCIALBLUE_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",  # as the suite runs: production would want a SECRET_KEY
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "socialblue", "worker",
            "-Q", "default", "--pool=solo", "--concurrency=1", f"--hostname={node}",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield node
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
        print(log_path.read_text())


def test_a_worker_answers_over_the_broker_and_serves_the_default_queue(default_queue_worker):
    deadline = time.monotonic() + WORKER_START_SECONDS
    replies = []
    while not replies and time.monotonic() < deadline:
        replies = app.control.ping(destination=[default_queue_worker], timeout=0.5)

    assert replies == [{default_queue_worker: {"ok": "pong"}}]
    queues = app.control.inspect(destination=[default_queue_worker], timeout=2).active_queues()
    assert [queue["name"] for queue in queues[default_queue_worker]] == ["default"]
