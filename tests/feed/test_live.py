"""The live feed socket, with real sockets against a real server (uvicorn) and the Redis
channel layer: followers who are online see a post as it happens, strangers see nothing,
and a socket that was away asks for what it missed.

Every event received is checked against its documented schema (``feed/events.py``).
"""

import asyncio

import pytest
from channels.db import database_sync_to_async as in_db

from feed import live, presence
from feed.models import Activity
from profiles import services as graph
from tests.factories import make_person
from tests.feed.stories import active, activity_of, post
from tests.sockets import QUIET_SECONDS, WAIT_SECONDS, api, opened

# The server reads what the test wrote through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast(ana, marco, priya, olu):
    """Priya, Marco and Olu (an alumnus) follow Ana; Sam, a new colleague, does not."""
    sam = make_person("sam", display_name="Sam Sato")
    active(ana, marco, priya, olu, sam)
    for person in (priya, marco, olu):
        graph.follow(follower=person, followee=ana)
    return {"ana": ana, "marco": marco, "priya": priya, "olu": olu, "sam": sam}


async def test_online_follower_sees_a_post_as_it_happens(live_asgi, cast, token_of):
    ana_token, priya_token = await in_db(token_of)(cast["ana"]), await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        status, created = await api(live_asgi, ana_token, "POST", "posts/", {"body": "Release day"})
        assert status == 201, created

        event = await priya.receive()

    assert event["type"] == "feed.activity"
    activity = event["activity"]
    assert activity["id"] == await in_db(_activity_id_of_post)(created["id"])
    assert (activity["verb"], activity["actor"]["username"]) == ("posted", "ana")
    assert (activity["object"]["type"], activity["object"]["id"]) == ("post", created["id"])
    assert activity["object"]["post"]["body"] == "Release day"
    # The same item as the feed shows it.
    status, feed = await api(live_asgi, priya_token, "GET", "feed/")
    assert feed["results"][0]["id"] == activity["id"]
    assert feed["results"][0]["object"]["post"]["body"] == activity["object"]["post"]["body"]


def _activity_id_of_post(post_id: int) -> int:
    return Activity.objects.get(object_type="post", object_id=post_id).pk


async def test_sockets_of_people_outside_the_audience_receive_nothing(live_asgi, cast, token_of):
    tokens = {name: await in_db(token_of)(cast[name]) for name in ("ana", "priya", "olu", "sam")}

    async with (
        opened(live_asgi, tokens["priya"]) as priya,
        opened(live_asgi, tokens["olu"]) as olu,  # follows Ana, but an alumnus: no company posts
        opened(live_asgi, tokens["sam"]) as sam,  # does not follow Ana
    ):
        status, _created = await api(
            live_asgi, tokens["ana"], "POST", "posts/", {"body": "Inside news", "visibility": "company"}
        )
        assert status == 201

        assert (await priya.receive())["type"] == "feed.activity"
        await olu.assert_nothing_arrives()
        await sam.assert_nothing_arrives()


async def test_connections_only_post_reaches_connections_not_other_followers(live_asgi, cast, token_of):
    await in_db(_connect)(cast["ana"], cast["marco"])
    tokens = {name: await in_db(token_of)(cast[name]) for name in ("ana", "marco", "priya")}

    async with opened(live_asgi, tokens["marco"]) as marco, opened(live_asgi, tokens["priya"]) as priya:
        status, created = await api(
            live_asgi,
            tokens["ana"],
            "POST",
            "posts/",
            {"body": "For my connections", "visibility": "connections"},
        )
        assert status == 201

        assert (await marco.receive())["activity"]["object"]["id"] == created["id"]
        await priya.assert_nothing_arrives()


def _connect(a, b):
    request, _ = graph.connection_request_send(sender=a, receiver=b)
    graph.connection_request_accept(request=request, by=b)


async def test_follower_hears_when_a_post_is_deleted(live_asgi, cast, token_of):
    ana_token, priya_token = await in_db(token_of)(cast["ana"]), await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        _status, created = await api(live_asgi, ana_token, "POST", "posts/", {"body": "Oops"})
        activity_id = (await priya.receive())["activity"]["id"]

        status, _body = await api(live_asgi, ana_token, "DELETE", f"posts/{created['id']}/")
        assert status == 204

        assert await priya.receive() == {"type": "feed.removed", "id": activity_id}


async def test_resume_replays_what_was_missed_oldest_first(live_asgi, cast, token_of):
    ana, marco, sam = cast["ana"], cast["marco"], cast["sam"]
    seen = await in_db(lambda: activity_of(post(ana, "seen before the train")).pk)()

    @in_db
    def while_away():
        missed = [activity_of(post(ana, f"missed {n}")).pk for n in range(3)]
        post(sam, "not followed")  # Priya follows neither Sam nor Marco
        post(marco, "not followed either")
        return missed

    missed = await while_away()
    priya_token = await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        await priya.send({"type": "resume", "after": seen})
        replayed = [await priya.receive() for _ in missed]
        done = await priya.receive()

    assert [e["type"] for e in replayed] == ["feed.activity"] * 3
    assert [e["activity"]["id"] for e in replayed] == missed
    assert done == {"type": "resume.done", "last": missed[-1]}


async def test_resume_with_nothing_missed_just_says_done(live_asgi, cast, token_of):
    seen = await in_db(lambda: activity_of(post(cast["ana"], "latest")).pk)()
    priya_token = await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        await priya.send({"type": "resume", "after": seen})
        assert await priya.receive() == {"type": "resume.done", "last": seen}


BAD_RESUMES = [
    {"type": "resume"},
    {"type": "resume", "after": "12"},
    {"type": "resume", "after": -1},
    {"type": "resume", "after": 1.5},
    {"type": "resume", "after": True},
    {"type": "resume", "after": None},
    {"type": "resume", "after": 2**63},  # past any id the database can hold
]
UNUSABLE_MESSAGES = ["{not json", "[1, 2]", '"resume"', '{"type": "dance"}', "", b'{"type": "ping"}', b""]


async def test_bad_resume_is_answered_with_an_error_and_replays_nothing(live_asgi, cast, token_of):
    await in_db(post)(cast["ana"], "something to replay")
    priya_token = await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        for message in BAD_RESUMES:
            await priya.send(message)
            assert (await priya.receive())["type"] == "error", message
        await priya.assert_nothing_arrives()  # and the socket still answers


async def test_a_message_the_server_cannot_use_gets_an_error_and_the_socket_stays_open(
    live_asgi, cast, token_of
):
    priya_token = await in_db(token_of)(cast["priya"])

    async with opened(live_asgi, priya_token) as priya:
        for message in UNUSABLE_MESSAGES:
            await priya.send(message)
            assert (await priya.receive())["type"] == "error", message
            await priya.send({"type": "ping"})
            assert await priya.receive() == {"type": "pong"}, message


async def test_a_comment_notifies_the_post_author_live(live_asgi, cast, token_of):
    ana_token, priya_token = await in_db(token_of)(cast["ana"]), await in_db(token_of)(cast["priya"])
    written = await in_db(post)(cast["ana"], "Lunch?")

    async with opened(live_asgi, ana_token) as ana:
        status, comment = await api(
            live_asgi, priya_token, "POST", f"posts/{written.pk}/comments/", {"body": "Yes!"}
        )
        assert status == 201

        event = await ana.receive()

    assert event["type"] == "notification"
    notification = event["notification"]
    assert (notification["kind"], notification["actor"]["username"]) == ("comment", "priya")
    assert (notification["post"], notification["comment"], notification["read"]) == (
        written.pk,
        comment["id"],
        False,
    )


async def test_own_comment_sends_no_notification(live_asgi, cast, token_of):
    ana_token = await in_db(token_of)(cast["ana"])
    written = await in_db(post)(cast["ana"], "Lunch?")

    async with opened(live_asgi, ana_token) as ana:
        status, _comment = await api(
            live_asgi, ana_token, "POST", f"posts/{written.pk}/comments/", {"body": "Anyone?"}
        )
        assert status == 201
        await ana.assert_nothing_arrives()


# --- Presence --------------------------------------------------------------------------------


async def eventually(condition, seconds: float = WAIT_SECONDS) -> None:
    async with asyncio.timeout(seconds):
        while not await in_db(condition)():
            await asyncio.sleep(0.05)


async def test_a_person_is_online_while_a_socket_of_theirs_is_open(live_asgi, cast, token_of):
    ana, priya = cast["ana"], cast["priya"]
    token = await in_db(token_of)(priya)
    both = [ana.pk, priya.pk]

    assert presence.online_among(both) == []
    async with opened(live_asgi, token):
        assert presence.online_among(both) == [priya.pk]
        async with opened(live_asgi, token):  # a second tab
            assert presence.online_among(both) == [priya.pk]
        # One tab closed, the other still open: still online.
        await asyncio.sleep(QUIET_SECONDS)
        assert presence.online_among(both) == [priya.pk]
    await eventually(lambda: presence.online_among(both) == [])


async def test_live_events_are_sent_to_online_people_only(live_asgi, cast, token_of):
    marco, priya = cast["marco"], cast["priya"]
    token = await in_db(token_of)(priya)

    async with opened(live_asgi, token) as socket:
        sent = await in_db(live.push_removed)([marco.pk, priya.pk], 12345)
        assert await socket.receive() == {"type": "feed.removed", "id": 12345}

    # One channel-layer send, for the one online follower; none for Marco, who is offline.
    assert sent == 1
