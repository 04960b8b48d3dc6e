"""A real ASGI server for tests that need real sockets: WebSockets, or HTTP as a client sees it.

Use it from a test module::

    from tests.live import http_json, websocket_url  # the fixtures come through tests/conftest.py

    @pytest.mark.django_db(transaction=True)
    async def test_something(live_asgi, ana):
        status, body = http_json("GET", f"{live_asgi}/healthz")
        async with websockets.asyncio.client.connect(websocket_url(live_asgi, "/ws/feed/"), ...) as ws:
            ...

``live_asgi`` serves ``socialblue.asgi.application`` with uvicorn on a free port of 127.0.0.1, in
a thread of this process with its own event loop, and yields its base URL
(``"http://127.0.0.1:PORT"``). Because it is the same process, the server sees:

* the same settings: pytest-django's ``settings`` overrides reach it while the test runs;
* the same Redis channel layer (``CHANNEL_LAYERS``), so ``group_send`` from a test reaches a
  consumer in the server;
* the pytest-created test database, through **its own** connections. It sees committed rows
  only, so a test whose data the server must read needs
  ``@pytest.mark.django_db(transaction=True)``. Such tests empty every table when they end,
  rows written by data migrations too (the ``hana`` fixture makes the "HR officers" group
  again when it is gone).

:class:`LiveASGIServer` is the same server as a context manager, for code outside pytest.
:class:`ASGIProcess` is the same app under uvicorn in a process of its own, for a story that
needs a second server process: the channel layer is one per process, so two servers in one
process cannot both receive from it.

Test modules import this module before ``pytest_plugins`` registers it, too late for pytest to
rewrite its asserts; it has none: PYTEST_DONT_REWRITE.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import uvicorn

STARTUP_TIMEOUT_SECONDS = 10
# Per-message compression (RFC 7692) off: each socket compresses every frame on its own (the
# compressor keeps a window per connection), so a feed item sent to N sockets costs N
# compressions, and every socket holds a compressor's memory. Measured by the bench
# (``bench/measure_live.py``, its per-message deflate row; 500 sockets, 20 feed items): with
# it, the server spent twice the CPU per delivered frame (0.060 ms instead of 0.030 ms) to send
# about 60 bytes instead of 610. Delivery CPU bounds how fast one process reaches its sockets;
# a feed item's 550 bytes do not matter to a client. Production runs the same way (README,
# Makefile, Procfile).
WS_PER_MESSAGE_DEFLATE = False


class LiveASGIServer:
    """uvicorn serving one ASGI app in a background thread; ``url`` once started."""

    def __init__(
        self, app=None, host: str = "127.0.0.1", *, ws_per_message_deflate: bool = WS_PER_MESSAGE_DEFLATE
    ) -> None:
        if app is None:
            from socialblue.asgi import application as app
        # The socket is bound here and handed to uvicorn, so the port is ours before the
        # server starts: no window in which another process can take it.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=5,
            ws_per_message_deflate=ws_per_message_deflate,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=f"live-asgi-{port}", daemon=True
        )

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                self._socket.close()
                raise RuntimeError(f"the live ASGI server on {self.url} stopped while starting")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the live ASGI server on {self.url} did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        self._socket.close()
        if self._thread.is_alive():
            raise RuntimeError(f"the live ASGI server on {self.url} did not stop")

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class ASGIProcess:
    """``socialblue.asgi.application`` under uvicorn in a child process, on the test database
    and Redis (as a test's Celery worker does); ``url`` once started."""

    def __init__(self, log_path, env: dict[str, str] | None = None) -> None:
        from tests.faults.servers import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.env = env or {}
        self._process: subprocess.Popen | None = None

    def start(self) -> str:
        from django.conf import settings

        from tests.faults.servers import wait_for_port
        from tests.workers import database_url, redis_env

        command = [sys.executable, "-m", "uvicorn", "socialblue.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--lifespan", "off", "--log-level", "warning"]
        command += ["--ws-per-message-deflate", str(WS_PER_MESSAGE_DEFLATE)]
        with open(self.log_path, "w") as log:
            self._process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env={
                    **os.environ,
                    "DATABASE_URL": database_url(),
                    **redis_env(),
                    **self.env,
                },
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(self.port, up=True, timeout=STARTUP_TIMEOUT_SECONDS * 3)
        except RuntimeError:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STARTUP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(STARTUP_TIMEOUT_SECONDS)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


@pytest.fixture
def live_asgi() -> Iterator[str]:
    """The base URL of a real server running ``socialblue.asgi.application`` for this test."""
    with LiveASGIServer() as url:
        yield url


def websocket_url(base_url: str, path: str) -> str:
    """``ws://host:port/path`` for a path on the live server."""
    return base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + path


def http_json(
    method: str,
    url: str,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict | list | None]:
    """One HTTP request with a JSON body; returns the status and the decoded JSON answer
    (``None`` when the answer has no body). 4xx and 5xx answers are returned, not raised.

    It blocks: from an async test, call it through ``asyncio.to_thread``."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, (json.loads(raw) if raw else None)
