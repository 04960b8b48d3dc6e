"""Rate limits for the whole API, counted in the shared cache (Redis in full mode).

Why the rules are what they are:

* Every API request counts against one bucket, chosen by what it costs: ``read`` (GET, HEAD,
  OPTIONS), ``write`` (POST, PUT, PATCH, DELETE: a write may fan out to thousands of
  followers) or ``upload`` (a multipart write: photos and avatars, minutes of image work
  each). The rates are settings (``API_RATE_READ``, ``API_RATE_WRITE``, ``API_RATE_UPLOAD``),
  read at request time; reads default to Mastodon's 300 requests per 5 minutes. A view may
  name a bucket of its own with ``throttle_scope`` (the password link, which sends email).
* A signed-in person is counted as a person, whatever token or session they use: signing in
  on more devices does not multiply the allowance. Anyone else is counted per client address
  (``client_address``, which believes ``X-Forwarded-For`` only as far as the
  ``TRUSTED_PROXY_COUNT`` reverse proxies in front of us wrote it).
* Counting is a fixed window: one atomic increment per request of a key that expires with its
  window, as Mastodon's rack-attack does. DRF's own SimpleRateThrottle keeps a list of up to
  300 timestamps per key, read and rewritten whole on every request, and loses counts when
  two requests race.
* Every throttled response tells the client where it stands: ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (the Unix time the window ends), and
  ``Retry-After`` on a 429.
* When the cache cannot be reached the general limit fails open (the request is served and a
  warning logged): refusing the whole API while Redis restarts would turn a cache outage into
  a full one. Sign-in is the exception and fails closed (``fail_closed``): unmetered sign-in
  is an unlimited password guesser.

Plain Django views (the web pages, ``/healthz``, ``/readyz``) never pass through here.
"""

import logging
import math
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from socialblue.errors import Unavailable
from socialblue.outages import is_outage

log = logging.getLogger(__name__)

# Each bucket and the setting that holds its rate. A new bucket is a row here and a setting.
RATE_SETTINGS = {
    "read": "API_RATE_READ",
    "write": "API_RATE_WRITE",
    "upload": "API_RATE_UPLOAD",
    "password_link": "PASSWORD_LINK_RATE",
}

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"(\d+)/(\d*)([smhd])[a-z]*")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"300/5m"`` is 300 requests per 300 seconds; DRF's ``"5/hour"`` is understood too."""
    match = _RATE.fullmatch(rate.replace(" ", ""))
    if not match:
        raise ImproperlyConfigured(f"A rate is 'requests/period', like '300/5m' or '5/hour', not {rate!r}.")
    requests, multiple, unit = match.groups()
    return int(requests), int(multiple or 1) * _UNITS[unit]


def client_address(request) -> str:
    """The address a request came from: the connection's own, or, behind
    TRUSTED_PROXY_COUNT reverse proxies that each append to ``X-Forwarded-For``, the address
    the outermost of them saw. Anything further left in the header is the client's own claim.
    django-axes uses this too (AXES_CLIENT_IP_CALLABLE), so both count the same address."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class ApiRateThrottle(BaseThrottle):
    """The one throttle of the API (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES)."""

    def allow_request(self, request, view) -> bool:
        scope = self.scope_of(request, view)
        limit, window = parse_rate(getattr(settings, RATE_SETTINGS[scope]))
        now = time.time()
        start = int(now // window) * window
        self.reset_at = start + window
        key = f"ratelimit:{scope}:{self.ident_of(request)}:{start}"
        try:
            count = self._count(key, timeout=window)
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.warning("Request not rate-limited: the cache is unreachable (%s).", exc)
            return True
        self.wait_seconds = max(1, math.ceil(self.reset_at - now))
        view.headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(max(0, limit - count)),
                "X-RateLimit-Reset": str(self.reset_at),
            }
        )
        return count <= limit

    def wait(self) -> int:
        return self.wait_seconds

    @staticmethod
    def scope_of(request, view) -> str:
        own = getattr(view, "throttle_scope", None)
        if own:
            return own
        if request.method in _SAFE_METHODS:
            return "read"
        if (request.content_type or "").startswith("multipart/"):
            return "upload"
        return "write"

    @staticmethod
    def ident_of(request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"address:{client_address(request)}"

    @staticmethod
    def _count(key: str, *, timeout: int) -> int:
        if cache.add(key, 1, timeout=timeout + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window's key expired between the two calls
            cache.set(key, 1, timeout=timeout + 1)
            return 1


@contextmanager
def fail_closed(detail: str) -> Iterator[None]:
    """For what must not run unmetered: an outage (``socialblue.outages.is_outage``: the cache
    that holds the counts, or the database) becomes ``Unavailable`` (503 with Retry-After)
    instead of a 500 or an uncounted attempt."""
    try:
        yield
    except Exception as exc:
        if not is_outage(exc) or isinstance(exc, Unavailable):
            raise
        log.error("Refused while a backing service is unreachable: %s", exc)
        raise Unavailable(detail) from exc
