"""A live feed item reaches each follower as their own feed shows it, never as its author sees
it.

Ana posts for her network with three photos, one from each of three albums. Before the
fan-out runs she keeps one album for her connections and another inside the company. Her
followers are one of each audience class: Marco (an employee and her connection), Priya (an
employee, not connected), Olu (an alumnus, not connected) and Lena (an alumna and her
connection). Each socket gets the post with exactly the photos its owner may see — the
photos their feed page shows — and nothing of the others: no caption, alt text or blurhash.

Real sockets against a real server (uvicorn), the Redis channel layer, and a real Celery
worker doing the fan-out; every event is checked against its schema (``feed/events.py``).
"""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async as in_db

from feed.models import Activity
from photos import services as photo_services
from photos.models import Photo
from profiles import services as graph
from profiles.models import DeviceToken, ProfileStatus
from tests import workers
from tests.factories import make_person
from tests.feed.stories import active, connect
from tests.sockets import api, opened
from tests.workers import tasks_through_broker

# The server and the worker read what the test wrote through their own connections.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def followers(ana, marco, priya, olu):
    """Everyone follows Ana; Marco and Lena are her connections."""
    lena = make_person("lena", display_name="Lena Berg", status=ProfileStatus.ALUMNUS)
    active(ana, marco, priya, olu, lena)
    connect(ana, marco)
    connect(lena, ana)
    for person in (priya, olu):
        graph.follow(follower=person, followee=ana)
    return {"marco": marco, "priya": priya, "olu": olu, "lena": lena}


def ready_photo(album, caption: str) -> Photo:
    """A processed photo (the image pipeline has its own tests)."""
    return Photo.objects.create(
        album=album,
        uploader=album.owner,
        status=Photo.Status.READY,
        caption=caption,
        alt_text=f"Alt text: {caption}",
        width=640,
        height=480,
        blurhash=f"LKO2?U%2Tw=w]~RBVZRi_{caption[:6]}",
        original=f"photos/original/{caption[:6]}.jpg",
        medium=f"photos/medium/{caption[:6]}.webp",
        thumb=f"photos/thumb/{caption[:6]}.webp",
    )


def three_albums(ana) -> dict[str, Photo]:
    """Three of Ana's albums, all for her network for now, with a photo each."""
    return {
        name: ready_photo(photo_services.album_create(owner=ana, title=title, visibility="network"), caption)
        for name, title, caption in [
            ("team", "Team day", "Everyone at the lake"),
            ("family", "Family", "Grandma's birthday cake"),
            ("inside", "Roadmap", "Whiteboard with next year's plans"),
        ]
    }


def token(profile) -> str:
    return DeviceToken.objects.create(user=profile.user, device="phone")[1]


def fanned_out(post_id: int) -> bool:
    return Activity.objects.filter(
        object_type="post", object_id=post_id, fanned_out_at__isnull=False
    ).exists()


def photos_in(activity: dict) -> list[int]:
    return [photo["id"] for photo in activity["object"]["post"]["photos"]]


@pytest.mark.parametrize("fanout_limit", ["10000", "0"], ids=["written-to-timelines", "merged-on-read"])
async def test_each_follower_gets_the_post_with_only_the_photos_they_may_see(
    live_asgi, ana, followers, celery_worker, fanout_limit
):
    photos = await in_db(three_albums)(ana)
    ana_token = await in_db(token)(ana)
    tokens = {name: await in_db(token)(person) for name, person in followers.items()}
    expected = {
        "marco": ["team", "family", "inside"],  # employee, connection
        "priya": ["team", "inside"],  # employee
        "olu": ["team"],  # alumnus
        "lena": ["team", "family"],  # alumna, connection
    }

    async with (
        opened(live_asgi, tokens["marco"]) as marco,
        opened(live_asgi, tokens["priya"]) as priya,
        opened(live_asgi, tokens["olu"]) as olu,
        opened(live_asgi, tokens["lena"]) as lena,
    ):
        sockets = {"marco": marco, "priya": priya, "olu": olu, "lena": lena}
        with tasks_through_broker():
            status, created = await api(
                live_asgi,
                ana_token,
                "POST",
                "posts/",
                {"body": "A good week", "visibility": "network", "photos": [p.pk for p in photos.values()]},
            )
            assert status == 201, created
            # Before the fan-out runs, two albums are kept for fewer people.
            for name, visibility in [("family", "connections"), ("inside", "company")]:
                status, body = await api(
                    live_asgi,
                    ana_token,
                    "PATCH",
                    f"albums/{photos[name].album_id}/",
                    {"visibility": visibility},
                )
                assert status == 200, body

            worker = celery_worker("fanout", queues=("fanout", "default"), FEED_FANOUT_LIMIT=fanout_limit)
            await asyncio.to_thread(
                workers.wait_for,
                lambda: fanned_out(created["id"]),
                what=lambda: f"the fan-out; worker log:\n{worker.log()[-3000:]}",
            )

            events = {name: await socket.receive() for name, socket in sockets.items()}

    for name, event in events.items():
        assert event["type"] == "feed.activity", (name, event)
        activity = event["activity"]
        assert activity["object"]["id"] == created["id"]
        assert photos_in(activity) == [photos[p].pk for p in expected[name]], name
        # Nothing of a photo they may not see travels with it.
        sent = json.dumps(event)
        for hidden in set(photos) - set(expected[name]):
            photo = photos[hidden]
            assert photo.caption not in sent and photo.alt_text not in sent and photo.blurhash not in sent, (
                name
            )
        # The same item as their feed shows it.
        status, feed = await api(live_asgi, tokens[name], "GET", "feed/")
        [item] = [i for i in feed["results"] if i["id"] == activity["id"]]
        assert photos_in(item) == photos_in(activity), name
        assert item["object"]["post"]["body"] == activity["object"]["post"]["body"]
