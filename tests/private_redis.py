"""A Redis server of a test's own, to stop and start again: outages are tested against a real
server going away, never by stopping the Redis every other test shares.

    with private_redis() as server:        # started on a free port, empty, no persistence
        with cache_on(server.url):         # settings.CACHES (and django-axes) use it
            ...
            server.stop()                  # connections are refused from now on
            server.start()                 # the same port again
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django.test import override_settings

STARTUP_TIMEOUT_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server")
        assert executable, "redis-server is not installed"
        self._process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self._process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server on port {self.port} did not start") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=STARTUP_TIMEOUT_SECONDS)
        self._process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def cache_on(url: str) -> Iterator[None]:
    """Point the default cache at ``url`` while the block runs. django-axes keeps the cache it
    found when its handler was made, so the handler is made again on the way in and out."""
    from axes.handlers.proxy import AxesProxyHandler

    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "sb"}
    try:
        with override_settings(CACHES={**settings.CACHES, "default": cache}):
            AxesProxyHandler.get_implementation(force=True)
            yield
    finally:
        AxesProxyHandler.get_implementation(force=True)
