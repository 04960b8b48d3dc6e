"""A person's app as the socket tests drive it: an open ``/ws/feed/`` socket whose every event
is checked against its documented schema (``feed/events.py``), and requests to the live
server (``tests.live``)."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from feed.events import validate_server_event
from tests.live import http_json, websocket_url

WAIT_SECONDS = 5
QUIET_SECONDS = 0.5


class Socket:
    """One open ``/ws/feed/`` socket of a signed-in person."""

    def __init__(self, ws):
        self.ws = ws

    async def receive(self) -> dict:
        async with asyncio.timeout(WAIT_SECONDS):
            event = json.loads(await self.ws.recv())
        validate_server_event(event)
        return event

    async def send(self, message) -> None:
        await self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    async def assert_nothing_arrives(self) -> None:
        """Nothing within a moment, and the next answer to a ping is the pong: had an event
        been on its way, it would come first."""
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(QUIET_SECONDS):
                unexpected = await self.ws.recv()
                pytest.fail(f"unexpected event: {unexpected}")
        await self.send({"type": "ping"})
        assert await self.receive() == {"type": "pong"}


def feed_socket(base_url: str, token: str):
    return connect(
        websocket_url(base_url, "/ws/feed/"), additional_headers={"Authorization": f"Token {token}"}
    )


class opened:
    """``async with opened(live_asgi, token) as socket:`` — connected and greeted."""

    def __init__(self, base_url: str, token: str):
        self.connection = feed_socket(base_url, token)

    async def __aenter__(self) -> Socket:
        socket = Socket(await self.connection.__aenter__())
        assert (await socket.receive())["type"] == "hello"
        return socket

    async def __aexit__(self, *exc_info):
        return await self.connection.__aexit__(*exc_info)


async def api(base_url: str, token: str, method: str, path: str, body: dict | None = None):
    """A request from a person's app to the live server."""
    return await asyncio.to_thread(
        http_json, method, f"{base_url}/api/v1/{path}", body, {"Authorization": f"Token {token}"}
    )
