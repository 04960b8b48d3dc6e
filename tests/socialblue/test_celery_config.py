"""The Celery app as workers and senders see it: three queues, JSON only, and no task lost
when a worker dies; and a real worker answering over the real Redis broker."""

import time

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


def test_a_worker_answers_over_the_broker_and_serves_the_default_queue(celery_worker, worker_queues):
    worker = celery_worker("default", queues=("default",))
    deadline = time.monotonic() + WORKER_START_SECONDS
    replies = []
    while not replies and time.monotonic() < deadline:
        replies = app.control.ping(destination=[worker.nodename], timeout=0.5)

    assert replies == [{worker.nodename: {"ok": "pong"}}], worker.log()
    queues = app.control.inspect(destination=[worker.nodename], timeout=2).active_queues()
    assert [queue["name"] for queue in queues[worker.nodename]] == [f"{worker_queues}default"]
