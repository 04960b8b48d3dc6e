"""A notification reaches its recipient only if they may see what it is about, at the moment
it reaches them: it is not stored when they may not see the post, not pushed when they may no
longer see it by the time the push runs, and never counted by the badge (``me/`` and the web
page) when the list would hide it.

Olu left the company; his company posts from before stay hidden from him. Real sockets
against a real server, the Redis channel layer, and a real Celery worker where the push must
wait; every event is checked against its schema (``feed/events.py``).
"""

import re

import pytest
from channels.db import database_sync_to_async as in_db
from django.test import Client

from feed.models import Notification, Post
from profiles.models import DeviceToken
from tests.feed.stories import active
from tests.sockets import api, opened
from tests.workers import tasks_through_broker

# The server and the worker read what the test wrote through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)


def token(profile) -> str:
    return DeviceToken.objects.create(user=profile.user, device="phone")[1]


@pytest.fixture
def olus_posts(olu, ana):
    """A company post Olu wrote while he worked here, and one for his network since."""
    active(olu, ana)
    return {
        "company": Post.objects.create(author=olu, body="The on-call runbook", visibility="company").pk,
        "network": Post.objects.create(author=olu, body="Now freelancing", visibility="network").pk,
    }


async def badge_of(base_url: str, token: str) -> tuple[int, list[int]]:
    """What the person's app shows: the unread count of ``me/`` and the notifications listed."""
    status, me = await api(base_url, token, "GET", "me/")
    assert status == 200, me
    status, listed = await api(base_url, token, "GET", "notifications/")
    assert status == 200, listed
    return me["unread_count"], [n["id"] for n in listed["results"]]


async def test_comments_and_likes_on_an_alumnus_former_company_post_reach_him_not_at_all(
    live_asgi, ana, olu, olus_posts
):
    ana_token, olu_token = await in_db(token)(ana), await in_db(token)(olu)
    company, network = olus_posts["company"], olus_posts["network"]

    async with opened(live_asgi, olu_token) as olus_phone:
        # Ana, an employee, may see and answer Olu's old company post...
        status, _comment = await api(
            live_asgi, ana_token, "POST", f"posts/{company}/comments/", {"body": "Still useful!"}
        )
        assert status == 201
        status, _state = await api(
            live_asgi, ana_token, "PUT", f"posts/{company}/reaction/", {"kind": "like"}
        )
        assert status == 201
        # ...and his network post, which he hears about.
        status, comment = await api(
            live_asgi, ana_token, "POST", f"posts/{network}/comments/", {"body": "Congrats!"}
        )
        assert status == 201

        event = await olus_phone.receive()
        assert event["type"] == "notification"
        assert (event["notification"]["post"], event["notification"]["comment"]) == (network, comment["id"])
        await olus_phone.assert_nothing_arrives()

    assert await badge_of(live_asgi, olu_token) == (1, [event["notification"]["id"]])
    assert not await in_db(Notification.objects.filter(post_id=company).exists)()


async def test_a_mention_in_a_post_he_may_not_see_is_not_stored(live_asgi, ana, olu, olus_posts):
    ana_token, olu_token = await in_db(token)(ana), await in_db(token)(olu)

    async with opened(live_asgi, olu_token) as olus_phone:
        status, _post = await api(
            live_asgi,
            ana_token,
            "POST",
            "posts/",
            {"body": "Thanks @olu for the runbook", "visibility": "company"},
        )
        assert status == 201
        await olus_phone.assert_nothing_arrives()

    assert await badge_of(live_asgi, olu_token) == (0, [])


# --- The push checks again when it runs ------------------------------------------------------


async def test_a_mention_is_not_pushed_once_its_post_was_narrowed_before_the_push_ran(
    live_asgi, ana, olu, celery_worker
):
    ana_token, olu_token = await in_db(token)(ana), await in_db(token)(olu)

    async with opened(live_asgi, olu_token) as olus_phone:
        with tasks_through_broker():
            # Olu, an alumnus, may read a network post: the mention is stored and its push
            # queued. Before any worker runs, Ana keeps the post inside the company.
            status, narrowed = await api(
                live_asgi,
                ana_token,
                "POST",
                "posts/",
                {"body": "Ask @olu about the old pager", "visibility": "network"},
            )
            assert status == 201
            status, body = await api(
                live_asgi, ana_token, "PATCH", f"posts/{narrowed['id']}/", {"visibility": "company"}
            )
            assert status == 200, body
            status, kept = await api(
                live_asgi,
                ana_token,
                "POST",
                "posts/",
                {"body": "@olu, coffee next week?", "visibility": "network"},
            )
            assert status == 201

            worker = celery_worker("push", queues=("fanout", "default"))
            try:
                event = await olus_phone.receive()
            except TimeoutError:
                pytest.fail(f"no push; worker log:\n{worker.log()[-3000:]}")
            await olus_phone.assert_nothing_arrives()

    assert event["type"] == "notification"
    assert (event["notification"]["kind"], event["notification"]["post"]) == ("mention", kept["id"])
    assert await badge_of(live_asgi, olu_token) == (1, [event["notification"]["id"]])


# --- The count is the list's ----------------------------------------------------------------


def _badge_count(profile) -> int:
    browser = Client()
    browser.force_login(profile.user)
    response = browser.get("/notifications/badge/")
    assert response.status_code == 200
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


async def test_notifications_from_before_he_left_are_neither_listed_nor_counted(
    live_asgi, ana, olu, olus_posts
):
    @in_db
    def stored_while_he_worked_here():
        for kind in (Notification.Kind.COMMENT, Notification.Kind.REACTION):
            Notification.objects.create(recipient=olu, actor=ana, kind=kind, post_id=olus_posts["company"])
        return Notification.objects.create(
            recipient=olu, actor=ana, kind=Notification.Kind.REACTION, post_id=olus_posts["network"]
        ).pk

    visible = await stored_while_he_worked_here()
    olu_token = await in_db(token)(olu)

    assert await badge_of(live_asgi, olu_token) == (1, [visible])
    assert await in_db(_badge_count)(olu) == 1
