"""Live delivery on the production topology: sockets held by *different* server processes hear
of the same post, a socket that reconnects to the other server is replayed what it missed, and
an offboarding closes the leaver's sockets on whichever process holds them.
"""

import asyncio

from django.contrib.auth.models import Group
from django.utils import timezone
from websockets.exceptions import ConnectionClosed

from feed.consumers import CLOSE_REVOKED
from tests.cluster.topology import FRONT, SERVERS, fanned_out, person, publish, request, token_for, wait_for
from tests.sockets import opened


def follows(reader, author) -> None:
    answer = request(FRONT, reader.token, "POST", f"profiles/{author.username}/follow/")
    assert answer.status in (200, 201), answer


async def next_item(socket) -> int:
    """The id of the next feed item the socket hears of."""
    while True:
        event = await socket.receive()
        if event["type"] == "feed.activity":
            return event["activity"]["id"]


def test_a_post_reaches_followers_on_every_server_process():
    hana, ana, priya, marco = person("hana"), person("ana"), person("priya"), person("marco")
    for reader in (ana, priya, marco):
        follows(reader, hana)

    async def story():
        async with (
            opened(SERVERS[0], ana.token) as on_first,
            opened(SERVERS[1], priya.token) as on_second,
            opened(FRONT, marco.token) as through_nginx,
        ):
            item = await asyncio.to_thread(publish, FRONT, hana.token, "All hands at three")
            heard = await asyncio.gather(next_item(on_first), next_item(on_second), next_item(through_nginx))
            return item, heard

    item, heard = asyncio.run(story())

    assert heard == [item, item, item]


def test_a_socket_that_reconnects_to_the_other_server_is_replayed_what_it_missed():
    marco, ana = person("marco"), person("ana")
    follows(ana, marco)

    async def before_the_tunnel():
        async with opened(SERVERS[0], ana.token) as socket:
            seen = await asyncio.to_thread(publish, FRONT, marco.token, "Before the tunnel")
            assert await next_item(socket) == seen
            return seen

    seen = asyncio.run(before_the_tunnel())
    # Ana's train goes through a tunnel: two posts while her phone is away.
    missed = [
        publish(FRONT, marco.token, "In the tunnel, one"),
        publish(FRONT, marco.token, "In the tunnel, two"),
    ]
    wait_for(lambda: fanned_out(*missed), what=lambda: "the fan-out of both posts")

    async def back_on_the_other_server():
        async with opened(SERVERS[1], ana.token) as socket:
            await socket.send({"type": "resume", "after": seen})
            events = [await socket.receive()]
            while events[-1]["type"] != "resume.done":
                events.append(await socket.receive())
            return [e["activity"]["id"] for e in events if e["type"] == "feed.activity"], events[-1]

    replayed, done = asyncio.run(back_on_the_other_server())

    assert replayed == missed
    assert done == {"type": "resume.done", "last": missed[-1]}


async def until_closed(socket) -> tuple[list[str], int]:
    events = []
    try:
        while True:
            events.append((await socket.receive())["type"])
    except ConnectionClosed as closed:
        return events, closed.rcvd.code


def test_an_offboarding_closes_the_leavers_sockets_on_whichever_process_holds_them():
    ana, hana = person("ana"), person("hana")
    hana.profile.user.groups.add(Group.objects.get(name="HR officers"))
    tablet = token_for(ana.profile, "tablet")
    leaving = {
        "username": ana.username,
        "leave_date": str(timezone.localdate()),
        "personal_email": f"{ana.username}@home.example",
    }

    async def story():
        async with opened(SERVERS[0], ana.token) as phone, opened(SERVERS[1], tablet) as tablet_socket:
            answer = await asyncio.to_thread(request, FRONT, hana.token, "POST", "alumni/offboard/", leaving)
            return answer, await asyncio.gather(until_closed(phone), until_closed(tablet_socket))

    answer, closed = asyncio.run(story())

    assert answer.status == 200 and answer.body["status"] == "alumnus", answer
    for events, code in closed:
        assert events[-1] == "session.revoked"
        assert code == CLOSE_REVOKED
    assert request(FRONT, ana.token, "GET", "me/").status == 401
