"""A backing service goes away and comes back: every exit answers 503 with ``Retry-After``
(JSON for the API, a page for browsers, close code 1013 for sockets) or keeps working where
the feature fails open, and nothing needs a restart to recover.

The product runs as in production (``DEBUG`` off, uvicorn in its own process) on a PostgreSQL
cluster and a Redis server of this module's own, which the stories stop and start for real.
"""

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feed import events
from socialblue.outages import CLOSE_TRY_AGAIN_LATER
from tests.faults.servers import PrivatePostgres, PrivateRedis, free_port, wait_for_port
from tests.processes import manage, printed_json

SEED = """
import json
from django.conf import settings
from django.test import Client
from knox.models import get_token_model
from tests.factories import make_person
ana = make_person("ana", display_name="Ana Silva")
_token, key = get_token_model().objects.create(user=ana.user, device="outage test")
browser = Client()
browser.force_login(ana.user)
print(json.dumps({"token": key, "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}))
"""


@dataclass
class Stack:
    url: str
    token: str
    session: str
    postgres: PrivatePostgres
    redis: PrivateRedis

    def request(self, method: str, path: str, body: dict | None = None, *, browser: bool = False):
        """(status, headers, text) of one request, as the app (token) or a browser (session)."""
        headers = (
            {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}", "Accept": "text/html"}
            if browser
            else {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        )
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    async def socket_outcome(self) -> str | int:
        """``"hello"`` if the live socket opens and greets, else its close code."""
        ws_url = self.url.replace("http://", "ws://") + "/ws/feed/"
        try:
            async with connect(ws_url, additional_headers={"Authorization": f"Token {self.token}"}) as ws:
                async with asyncio.timeout(10):
                    return json.loads(await ws.recv())["type"]
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else "dropped"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("outages")
    postgres, redis_server = PrivatePostgres(), PrivateRedis(folder)
    postgres.create()
    postgres.start()
    redis_server.start()
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(folder)),
        "LANG": "C.UTF-8",
        "SOCIALBLUE_VAR_DIR": str(folder / "var"),
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        assert manage("migrate", "--noinput", env=env, timeout=300).returncode == 0
        seeded = printed_json(manage("shell", "-c", SEED, env=env))
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "uvicorn"),
                "socialblue.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "w"),  # noqa: SIM115 - kept open for the server's life
        )
        wait_for_port(port, up=True)
        yield Stack(f"http://127.0.0.1:{port}", seeded["token"], seeded["session"], postgres, redis_server)
    finally:
        # Every server goes, whatever failed: nothing of this module outlives it.
        with contextlib.ExitStack() as cleanup:
            cleanup.callback(postgres.destroy)
            cleanup.callback(redis_server.stop)
            if server is not None:
                cleanup.callback(server.wait, timeout=10)
                cleanup.callback(server.terminate)


def test_the_socket_close_code_for_an_outage_is_documented():
    assert str(CLOSE_TRY_AGAIN_LATER) in events.document()["close_codes"]


def assert_unavailable(status, headers, text, *, json_body: bool) -> None:
    assert status == 503, text
    assert int(headers["Retry-After"]) > 0
    assert "Traceback" not in text
    if json_body:
        assert json.loads(text)["code"] == "unavailable"
    else:
        assert "Back in a moment" in text


async def test_while_postgresql_restarts_every_exit_says_503_and_then_recovers(stack):
    assert stack.request("GET", "/api/v1/me/")[0] == 200
    stack.postgres.stop()
    try:
        assert_unavailable(*stack.request("GET", "/api/v1/me/"), json_body=True)
        assert_unavailable(*stack.request("GET", "/api/v1/feed/"), json_body=True)
        assert_unavailable(*stack.request("POST", "/api/v1/posts/", {"body": "Lost?"}), json_body=True)
        assert_unavailable(
            *stack.request("POST", "/api/v1/auth/token/", {"username": "ana", "password": "x"}),
            json_body=True,
        )
        assert_unavailable(*stack.request("GET", "/", browser=True), json_body=False)
        assert await stack.socket_outcome() == CLOSE_TRY_AGAIN_LATER
        assert stack.request("GET", "/healthz")[0] == 200
        assert stack.request("GET", "/readyz")[0] == 503
    finally:
        stack.postgres.start()

    assert stack.request("GET", "/api/v1/me/")[0] == 200
    assert stack.request("GET", "/", browser=True)[0] == 200
    assert await stack.socket_outcome() == "hello"
    assert stack.request("GET", "/readyz")[0] == 200


async def test_while_redis_restarts_reads_and_writes_go_on_and_sign_in_fails_closed(stack):
    stack.redis.stop()
    try:
        # Fails open: the feed is read from the database, a post commits (its fan-out is
        # queued again by the stalled-work re-drive once the broker is back), pages render.
        status, _headers, text = stack.request(
            "POST", "/api/v1/posts/", {"body": "Written while Redis is away"}
        )
        assert status == 201, text
        post_id = json.loads(text)["id"]
        status, _headers, text = stack.request("GET", "/api/v1/feed/")
        assert status == 200, text
        assert post_id in [item["object"]["id"] for item in json.loads(text)["results"]]
        assert stack.request("GET", "/", browser=True)[0] == 200
        # Fails closed: without its counters a sign-in could be guessed for free.
        assert_unavailable(
            *stack.request("POST", "/api/v1/auth/token/", {"username": "ana", "password": "x"}),
            json_body=True,
        )
        # The live socket needs the channel layer: closed with "try again later".
        assert await stack.socket_outcome() == CLOSE_TRY_AGAIN_LATER
        assert stack.request("GET", "/readyz")[0] == 503
    finally:
        stack.redis.start()

    assert await stack.socket_outcome() == "hello"
    assert stack.request("GET", f"/api/v1/posts/{post_id}/")[0] == 200
    assert stack.request("POST", "/api/v1/auth/token/", {"username": "ana", "password": "x"})[0] == 400
    assert stack.request("GET", "/readyz")[0] == 200
