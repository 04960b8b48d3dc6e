"""The default cache on a Redis server of the test's own (``tests/faults/servers.py``), to stop
and start at will; the shared Redis is never stopped.

    with private_cache(tmp_path) as server:   # settings.CACHES and django-axes use it
        ...
        server.stop()                         # connections are refused from now on
        server.start()                        # the same port again, empty
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from tests.faults.servers import PrivateRedis


@contextmanager
def private_cache(folder: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(folder)
    server.start()
    try:
        with cache_on(server.url):
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
