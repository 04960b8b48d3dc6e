"""Who may open the live feed socket ``/ws/feed/``, and what reaches it.

Real sockets against a real server (uvicorn) with the Redis channel layer: apps sign in with
a device token in the ``Authorization`` header, browsers with their session cookie from an
allowed origin, and everyone else is closed with code 4401.
"""

import asyncio
import copy
import json

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feed.live import live_group
from socialblue.ws_auth import CLOSE_UNAUTHENTICATED
from tests.live import http_json, websocket_url

# The server reads what the test wrote through its own connection: rows must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN_ORIGIN = "https://evil.example"
WAIT_SECONDS = 5
# How much shorter than in production the channel layer's waits are in the long-silence story,
# and how many blocking reads its silence spans.
TIME_SCALE = 20
SILENT_READS = 3


def feed_socket(base_url: str, *, headers: dict[str, str] | None = None, origin: str | None = None):
    return connect(websocket_url(base_url, "/ws/feed/"), additional_headers=headers, origin=origin)


async def receive_json(ws) -> dict:
    async with asyncio.timeout(WAIT_SECONDS):
        return json.loads(await ws.recv())


async def close_code(ws) -> int:
    """The code the server closed the socket with (it accepts, then closes)."""
    with pytest.raises(ConnectionClosed) as closed:
        await receive_json(ws)
    return closed.value.rcvd.code


def sign_in_device(base_url: str, profile, password: str, device: str) -> str:
    status, body = http_json(
        "POST",
        f"{base_url}/api/v1/auth/token/",
        {"username": profile.user.username, "password": password, "device": device},
    )
    assert status == 201, body
    return body["token"]


def session_cookie(profile) -> dict[str, str]:
    browser = Client()
    browser.force_login(profile.user)
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"}


@pytest.fixture
def ana_token(live_asgi, ana, password):
    return sign_in_device(live_asgi, ana, password, "Ana's phone")


@pytest.fixture
def priya_token(live_asgi, priya, password):
    return sign_in_device(live_asgi, priya, password, "Priya's phone")


@pytest.fixture
def ana_browser_cookie(ana):
    return session_cookie(ana)


def test_live_events_travel_through_redis_not_process_memory():
    # Several server processes share one Redis: an in-memory layer would reach only the
    # sockets of the process that sent the event.
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert [host["address"] for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]] == [
        settings.REDIS_URL
    ]


async def test_phone_with_token_and_no_origin_is_welcomed(live_asgi, ana_token):
    async with feed_socket(live_asgi, headers={"Authorization": f"Token {ana_token}"}) as ws:
        assert await receive_json(ws) == {"type": "hello", "user": "ana"}


async def test_phone_may_send_its_token_as_bearer(live_asgi, ana_token):
    async with feed_socket(live_asgi, headers={"Authorization": f"Bearer {ana_token}"}) as ws:
        assert await receive_json(ws) == {"type": "hello", "user": "ana"}


async def test_revoked_token_is_closed_with_4401(live_asgi, ana_token):
    status, _body = await asyncio.to_thread(
        http_json, "POST", f"{live_asgi}/api/v1/auth/logout/", headers={"Authorization": f"Token {ana_token}"}
    )
    assert status == 204

    async with feed_socket(live_asgi, headers={"Authorization": f"Token {ana_token}"}) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_garbage_token_is_closed_with_4401(live_asgi, ana):
    async with feed_socket(live_asgi, headers={"Authorization": "Token not-a-real-token-at-all"}) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_socket_without_credentials_is_closed_with_4401(live_asgi):
    async with feed_socket(live_asgi) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_browser_session_from_the_same_origin_is_welcomed(live_asgi, ana_browser_cookie):
    async with feed_socket(live_asgi, headers=ana_browser_cookie, origin=live_asgi) as ws:
        assert await receive_json(ws) == {"type": "hello", "user": "ana"}


async def test_browser_session_from_a_configured_origin_is_welcomed(live_asgi, ana_browser_cookie, settings):
    # The web frontend may live on another host than the socket (a CDN, an app domain).
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://social.example.com"]
    async with feed_socket(live_asgi, headers=ana_browser_cookie, origin="https://social.example.com") as ws:
        assert await receive_json(ws) == {"type": "hello", "user": "ana"}


async def test_browser_session_from_a_foreign_origin_is_closed_with_4401(live_asgi, ana_browser_cookie):
    # A page on another site can make Ana's browser open the socket with her cookie
    # (cross-site WebSocket hijacking); only the Origin header tells it apart.
    async with feed_socket(live_asgi, headers=ana_browser_cookie, origin=FOREIGN_ORIGIN) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_session_cookie_without_origin_is_closed_with_4401(live_asgi, ana_browser_cookie):
    # Browsers always send Origin; a cookie without one was not sent by a browser page
    # we can vouch for. Apps use a token instead.
    async with feed_socket(live_asgi, headers=ana_browser_cookie) as ws:
        assert await close_code(ws) == CLOSE_UNAUTHENTICATED


async def test_event_sent_to_a_person_reaches_their_socket_and_no_one_else(
    live_asgi, ana, priya, ana_token, priya_token
):
    async with (
        feed_socket(live_asgi, headers={"Authorization": f"Token {ana_token}"}) as ana_ws,
        feed_socket(live_asgi, headers={"Authorization": f"Token {priya_token}"}) as priya_ws,
    ):
        assert (await receive_json(ana_ws))["type"] == "hello"
        assert (await receive_json(priya_ws))["type"] == "hello"
        layer = get_channel_layer()

        await layer.group_send(live_group(ana.pk), {"type": "feed.activity", "activity": {"id": 1}})
        await layer.group_send(live_group(priya.pk), {"type": "feed.removed", "id": 2})

        assert await receive_json(ana_ws) == {"type": "feed.activity", "activity": {"id": 1}}
        # Priya's channel delivers in order: had Ana's event leaked to her, it would come first.
        assert await receive_json(priya_ws) == {"type": "feed.removed", "id": 2}


async def test_ping_is_answered_with_pong(live_asgi, ana_token):
    async with feed_socket(live_asgi, headers={"Authorization": f"Token {ana_token}"}) as ws:
        await receive_json(ws)  # hello
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive_json(ws) == {"type": "pong"}


@pytest.fixture
def quick_blocking_reads(settings, monkeypatch):
    """The channel layer's blocking read (channels_redis's ``brpop_timeout``, 5 s) and the
    layer's Redis socket timeout, both shortened by ``TIME_SCALE``: a silence spanning several
    reads then takes a fraction of a second, and the two still stand as they do in
    production. Changing ``CHANNEL_LAYERS`` gives the server a new layer built this way."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    [host] = layers["default"]["CONFIG"]["hosts"]
    host["socket_timeout"] /= TIME_SCALE
    monkeypatch.setattr(RedisChannelLayer, "brpop_timeout", RedisChannelLayer.brpop_timeout / TIME_SCALE)
    settings.CHANNEL_LAYERS = layers
    return RedisChannelLayer.brpop_timeout


async def test_a_quiet_socket_still_receives_events_after_a_long_silence(
    live_asgi, ana, ana_token, quick_blocking_reads
):
    # The channel layer's blocking read waits 5 s at a time; a Redis socket timeout of the
    # same length used to kill quiet consumers (and drop their sockets) right there.
    [host] = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] > quick_blocking_reads
    async with feed_socket(live_asgi, headers={"Authorization": f"Token {ana_token}"}) as ws:
        await receive_json(ws)  # hello
        await asyncio.sleep(SILENT_READS * quick_blocking_reads)
        await get_channel_layer().group_send(live_group(ana.pk), {"type": "feed.removed", "id": 7})
        assert await receive_json(ws) == {"type": "feed.removed", "id": 7}
