"""Feed events through ``feed.stream``: one published frame per audience class and chunk,
delivered by each ASGI process to its own sockets, in order with removals, through a lost
subscription and past a client that does not read.

Real sockets against real servers (uvicorn, two of them where a second process matters), the
real Redis (a private one where the story breaks its connection); every event received is
checked against its schema (``feed/events.py``).
"""

import asyncio
import json

import pytest
import redis
import redis.asyncio
import websockets
from channels.db import database_sync_to_async as in_db
from django.conf import settings as django_settings

from feed import fanout, live, stream
from feed.events import CLOSE_CODES, validate_server_event
from feed.models import Activity
from feed.rendering import render_activities
from profiles import services as graph
from socialblue.outages import CLOSE_TRY_AGAIN_LATER
from tests.factories import make_person
from tests.faults.servers import PrivateRedis
from tests.feed.stories import active, activity_of, connect, post
from tests.live import ASGIProcess, websocket_url
from tests.sockets import WAIT_SECONDS, api, opened

# The server reads what the test wrote through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cast(ana, marco, priya, olu):
    """Priya, Marco (Ana's connection), Olu (an alumnus) and Kim follow Ana; Sam does not."""
    sam = make_person("sam", display_name="Sam Sato")
    kim = make_person("kim", display_name="Kim Lee")
    active(ana, marco, priya, olu, sam, kim)
    connect(ana, marco)
    for person in (priya, olu, kim):
        graph.follow(follower=person, followee=ana)
    return {"ana": ana, "marco": marco, "priya": priya, "olu": olu, "sam": sam, "kim": kim}


class Published:
    """Every message on this deployment's feed channel while the block runs (a subscriber
    of the test's own, beside the servers')."""

    async def __aenter__(self):
        self.client = redis.asyncio.Redis.from_url(django_settings.CHANNEL_REDIS_URL)
        self.pubsub = self.client.pubsub()
        await self.pubsub.subscribe(stream.channel())
        await self.pubsub.get_message(timeout=5)  # the subscribe confirmation
        self.messages: list[tuple[str, int, list[int], str]] = []
        return self

    async def collect(self, seconds: float = 0.5) -> list[tuple[str, int, list[int], str]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            if message is not None:
                self.messages.append(stream.decode(message["data"]))
        return self.messages

    async def __aexit__(self, *exc_info):
        await self.pubsub.aclose()
        await self.client.aclose()


async def raw_event(socket) -> tuple[str, dict]:
    """The next frame as sent (text) and as decoded, checked against its schema."""
    async with asyncio.timeout(WAIT_SECONDS):
        text = await socket.ws.recv()
    event = json.loads(text)
    validate_server_event(event)
    return text, event


async def test_one_frame_per_audience_class_reaches_every_online_follower_who_may_see_it_and_nobody_else(
    live_asgi, cast, token_of
):
    tokens = {name: await in_db(token_of)(cast[name]) for name in ("ana", "priya", "marco", "olu", "sam")}

    async with (
        opened(live_asgi, tokens["priya"]) as priya,  # an employee follower
        opened(live_asgi, tokens["marco"]) as marco,  # an employee and Ana's connection
        opened(live_asgi, tokens["olu"]) as olu,  # follows Ana, but an alumnus: no company posts
        opened(live_asgi, tokens["sam"]) as sam,  # online, but does not follow Ana
        Published() as published,  # Kim follows Ana and is offline
    ):
        status, created = await api(
            live_asgi, tokens["ana"], "POST", "posts/", {"body": "Inside news", "visibility": "company"}
        )
        assert status == 201
        _text, to_priya = await raw_event(priya)
        _text, to_marco = await raw_event(marco)
        await olu.assert_nothing_arrives()
        await sam.assert_nothing_arrives()
        messages = await published.collect()

    activity_id = await in_db(lambda: activity_of_post(created["id"]))()
    assert to_priya["activity"]["id"] == to_marco["activity"]["id"] == activity_id
    # One message per audience class that may see it (employees, and employees tied to Ana),
    # each listing only its online members: none for Olu's class, none for Sam or Kim.
    frames = [(kind, recipients) for kind, item, recipients, _frame in messages if item == activity_id]
    assert sorted(frames) == sorted(
        [(stream.ACTIVITY, [cast["priya"].pk]), (stream.ACTIVITY, [cast["marco"].pk])]
    )


def activity_of_post(post_id: int) -> int:
    return Activity.objects.get(object_type="post", object_id=post_id).pk


async def test_every_socket_of_a_recipient_gets_the_same_frame_on_either_server(
    live_asgi, cast, token_of, tmp_path
):
    ana_token, priya_token = await in_db(token_of)(cast["ana"]), await in_db(token_of)(cast["priya"])

    with ASGIProcess(tmp_path / "second-server.log") as second:
        async with (
            opened(live_asgi, priya_token) as laptop,
            opened(live_asgi, priya_token) as phone,
            opened(second, priya_token) as tablet,  # another ASGI process, its own subscription
        ):
            status, created = await api(live_asgi, ana_token, "POST", "posts/", {"body": "Everywhere"})
            assert status == 201
            frames = [await raw_event(socket) for socket in (laptop, phone, tablet)]

    texts = {text for text, _event in frames}
    assert len(texts) == 1  # the frame encoded once, the same bytes for every socket
    assert frames[0][1]["activity"]["object"]["id"] == created["id"]


async def test_an_activity_frame_published_after_its_removal_never_reaches_a_socket(
    live_asgi, cast, token_of
):
    ana, priya = cast["ana"], cast["priya"]
    priya_token = await in_db(token_of)(priya)

    written = await in_db(post)(ana, "Deleted at once")  # fanned out while Priya was away
    late = await in_db(
        lambda: Activity.objects.select_related("actor__user").get(pk=activity_of(written).pk)
    )()

    async with opened(live_asgi, priya_token) as socket:
        # A fan-out read the activity, then the post was deleted and the removal published,
        # and only then did the fan-out publish: the late frame is dropped.
        status, _ = await api(live_asgi, await in_db(token_of)(ana), "DELETE", f"posts/{written.pk}/")
        assert status == 204
        assert (await socket.receive()) == {"type": "feed.removed", "id": late.pk}

        await in_db(fanout.fan_out_chunk)(late.pk, [priya.pk], activity=late)
        await socket.assert_nothing_arrives()


async def test_an_item_removed_from_one_person_is_not_sent_to_them_late_but_still_to_others(
    live_asgi, cast, token_of
):
    priya, marco = cast["priya"], cast["marco"]
    priya_token, marco_token = await in_db(token_of)(priya), await in_db(token_of)(marco)
    written = await in_db(post)(cast["ana"], "Narrowed later")
    activity = await in_db(lambda: render_activities([activity_of(written)], viewer=priya)[0])()

    async with opened(live_asgi, priya_token) as priya_socket, opened(live_asgi, marco_token) as marco_socket:
        await in_db(live.push_removed)([priya.pk], activity["id"])  # her audience class lost it
        assert await priya_socket.receive() == {"type": "feed.removed", "id": activity["id"]}
        await in_db(live.push_activity)([priya.pk, marco.pk], activity)

        assert (await marco_socket.receive())["activity"]["id"] == activity["id"]
        await priya_socket.assert_nothing_arrives()


async def test_a_removal_after_an_activity_arrives_after_it(live_asgi, cast, token_of):
    priya = cast["priya"]
    written = await in_db(post)(cast["ana"], "Here and gone")
    activity = await in_db(lambda: render_activities([activity_of(written)], viewer=priya)[0])()

    async with opened(live_asgi, await in_db(token_of)(priya)) as socket:
        await in_db(live.push_activity)([priya.pk], activity)
        await in_db(live.push_removed)([priya.pk], activity["id"], gone=True)

        assert [(await socket.receive())["type"] for _ in range(2)] == ["feed.activity", "feed.removed"]


# --- A lost subscription ---------------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path, settings):
    """Presence, timelines and the feed channel on a Redis of this test's own, whose
    connections the story may cut (the channel layer stays on the shared one)."""
    server = PrivateRedis(tmp_path)
    server.start()
    settings.TIMELINE_REDIS_URL = settings.CHANNEL_REDIS_URL = server.url
    try:
        yield server
    finally:
        server.stop()


async def test_a_lost_subscription_closes_its_sockets_to_resume_and_nothing_is_lost(
    live_asgi, cast, token_of, private_redis
):
    ana, priya = cast["ana"], cast["priya"]
    ana_token, priya_token = await in_db(token_of)(ana), await in_db(token_of)(priya)

    async with opened(live_asgi, priya_token) as socket:
        _status, before = await api(live_asgi, ana_token, "POST", "posts/", {"body": "Before the cut"})
        seen = (await socket.receive())["activity"]["id"]

        # The server's subscriber connection dies (a failover, a proxy timeout).
        killed = redis.Redis.from_url(private_redis.url).client_kill_filter(_type="pubsub")
        assert killed == 1
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.receive()
    assert closed.value.rcvd.code == CLOSE_TRY_AGAIN_LATER
    assert str(CLOSE_TRY_AGAIN_LATER) in {str(code) for code in CLOSE_CODES}

    # Published while the socket was away: it hears of it through resume.
    _status, missed = await api(live_asgi, ana_token, "POST", "posts/", {"body": "While away"})
    async with opened(live_asgi, priya_token) as socket:
        await socket.send({"type": "resume", "after": seen})
        replayed = await socket.receive()
        assert replayed["activity"]["object"]["id"] == missed["id"]
        assert (await socket.receive())["type"] == "resume.done"
        # And the process subscribed again: live frames flow.
        _status, after = await api(live_asgi, ana_token, "POST", "posts/", {"body": "After the cut"})
        assert (await socket.receive())["activity"]["object"]["id"] == after["id"]
    assert before["id"] < missed["id"] < after["id"]


# --- A client that does not read --------------------------------------------------------------

FRAME_PADDING = 64 * 1024


async def test_a_socket_that_does_not_read_is_closed_while_the_others_keep_receiving(
    live_asgi, cast, token_of, monkeypatch
):
    monkeypatch.setattr(stream, "SOCKET_OUTBOX_FRAMES", 4)
    priya, marco = cast["priya"], cast["marco"]
    written = await in_db(post)(cast["ana"], "Long read")
    activity = await in_db(lambda: render_activities([activity_of(written)], viewer=priya)[0])()
    activity["object"]["post"]["body"] = "x" * FRAME_PADDING  # big frames fill buffers fast
    frame = live.activity_frame(activity)
    publish = in_db(lambda: live.publish_activity([priya.pk, marco.pk], activity["id"], frame))

    stalled = await websockets.asyncio.client.connect(
        websocket_url(live_asgi, "/ws/feed/"),
        additional_headers={"Authorization": f"Token {await in_db(token_of)(priya)}"},
        max_queue=1,  # the client library stops reading from the network at once
        compression=None,
    )
    try:
        async with opened(live_asgi, await in_db(token_of)(marco)) as steady:
            sent = 0
            for _batch in range(40):
                for _ in range(10):
                    await publish()
                sent += 10
                for _ in range(10):
                    assert (await steady.receive())["activity"]["id"] == activity["id"]
                if _sockets_of(priya.pk) == 0:
                    break
            assert _sockets_of(priya.pk) == 0, "the stalled socket was never let go"

            # Marco's socket goes on.
            await publish()
            assert (await steady.receive())["activity"]["id"] == activity["id"]

        # The stalled client reads at last: what its buffers held, then the close.
        received = 0
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                async with asyncio.timeout(WAIT_SECONDS * 4):
                    validate_server_event(json.loads(await stalled.recv()))
                received += 1
        assert closed.value.rcvd.code == stream.CLOSE_FELL_BEHIND
        assert stream.CLOSE_FELL_BEHIND in CLOSE_CODES
        assert received <= sent  # hello, then fewer frames than were published
    finally:
        await stalled.close()


def _sockets_of(profile_id: int) -> int:
    """Sockets of one person that the server's streams still deliver to."""
    return sum(len(s.sockets.get(profile_id, ())) for s in list(stream._streams.values()))
