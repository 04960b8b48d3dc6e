"""Every event the live socket sends matches its documented JSON Schema (feed/events.py)."""

import asyncio
import json

import jsonschema
import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from websockets.asyncio.client import connect

from feed import services
from feed.events import SERVER_EVENTS, validate_server_event
from feed.models import Post
from profiles.models import DeviceToken, Profile
from profiles.services import follow
from tests.live import http_json, websocket_url

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 5


async def next_event(ws) -> dict:
    async with asyncio.timeout(WAIT_SECONDS):
        event = json.loads(await ws.recv())
    validate_server_event(event)
    return event


def test_the_event_schema_is_published_beside_the_api_docs(live_asgi):
    status, document = http_json("GET", f"{live_asgi}/api/events.json")
    assert status == 200
    assert document["path"] == "/ws/feed/"
    assert set(document["server_events"]) == set(SERVER_EVENTS)
    assert document["close_codes"]["4401"]


def test_an_event_outside_the_schema_is_refused():
    with pytest.raises(jsonschema.ValidationError):
        validate_server_event({"type": "feed.activity", "activity": {"id": "not a number"}})
    with pytest.raises(jsonschema.ValidationError):
        validate_server_event({"type": "surprise"})


async def test_every_event_a_follower_receives_matches_the_schema(live_asgi, ana, priya):
    @sync_to_async
    def setup():
        Profile.objects.update(last_active_at=timezone.now())
        follow(follower=priya, followee=ana)
        return DeviceToken.objects.create(user=priya.user, device="test")[1]

    token = await setup()
    url = websocket_url(live_asgi, "/ws/feed/")
    async with connect(url, additional_headers={"Authorization": f"Token {token}"}) as ws:
        assert (await next_event(ws))["type"] == "hello"

        post = await sync_to_async(services.post_create)(author=ana, body="Release day! @priya")
        activity = (await next_event(ws))["activity"]
        assert activity["verb"] == "posted" and activity["object"]["id"] == post.pk
        assert (await next_event(ws))["type"] == "notification"  # the mention

        await ws.send(json.dumps({"type": "resume", "after": 0}))
        assert (await next_event(ws))["activity"]["id"] == activity["id"]
        assert (await next_event(ws)) == {"type": "resume.done", "last": activity["id"]}

        await ws.send(json.dumps({"type": "ping"}))
        assert (await next_event(ws))["type"] == "pong"
        await ws.send("not json")
        assert (await next_event(ws))["type"] == "error"

        fresh = await sync_to_async(Post.objects.get)(pk=post.pk)
        await sync_to_async(services.post_delete)(post=fresh, by=ana)
        assert await next_event(ws) == {"type": "feed.removed", "id": activity["id"]}
