"""When a backing service is down, every exit says so with a 503, never a 500.

PostgreSQL is the truth, Redis holds caches, timelines, presence, the channel layer and the
broker's queues (timelines and presence possibly on a Redis Cluster of their own). Either
can be away for seconds (a restart, a failover) or longer. A client that sees a 500 assumes a
bug and gives up; a 503 with ``Retry-After`` tells apps, browsers and load balancers to come
back shortly. What each feature does while a service is away is a decision, taken per feature
(``docs/security.md`` lists them):

* **Fails open** — reads of the home feed (served from the database while Redis is away),
  presence and live pushes (skipped; ``resume`` catches up), the general rate limit (served,
  logged), queueing work after a commit (the write stands; the stalled-work re-drives queue it
  once the broker is back).
* **Fails closed** — everything that needs the database (there is no truth without it), the
  sign-in throttle (without its counters brute force would be free), the live socket (closed
  with 1013, "try again later"; clients reconnect and ``resume``).

This module recognises an outage and shapes the answer: JSON for the API, a small page for
browsers (rendered without the request context, whose context processors would ask the
database), a close code for sockets.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

from socialblue.errors import Unavailable

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# The WebSocket close code for "try again later" (RFC 6455 registry).
CLOSE_TRY_AGAIN_LATER = 1013


def _outage_errors() -> tuple[type[BaseException], ...]:
    import kombu.exceptions
    import redis.exceptions

    # Django wraps the driver's connection failures in OperationalError / InterfaceError
    # (connection refused, server closed the connection, "the connection is closed").
    # A Redis Cluster with a primary away answers CLUSTERDOWN (ClusterDownError, MasterDownError)
    # or TRYAGAIN, or has slots served by nobody; "no node reachable" carries the connection
    # error as its cause.
    return (
        OperationalError,
        InterfaceError,
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        redis.exceptions.ClusterError,
        redis.exceptions.TryAgainError,
        redis.exceptions.SlotNotCoveredError,
        kombu.exceptions.OperationalError,
        ConnectionError,
        Unavailable,
    )


def is_outage(exc: BaseException | None) -> bool:
    """Is ``exc`` (or what it was raised from) a backing service being away? Only the explicit
    cause counts: an error raised while *handling* an outage (a 404 after a failed cache
    read, say) is its own answer."""
    errors = _outage_errors()
    for _depth in range(5):
        if exc is None:
            return False
        if isinstance(exc, errors):
            return True
        exc = exc.__cause__
    return False


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def outage_response(request, *, retry_after: int = RETRY_AFTER_SECONDS) -> HttpResponse:
    """The 503 for ``request``: JSON for the API, a page for browsers."""
    if wants_json(request):
        unavailable = Unavailable(retry_after=retry_after)
        response = JsonResponse({"detail": unavailable.detail, "code": unavailable.code}, status=503)
    else:
        response = HttpResponse(
            render_to_string("socialblue/unavailable.html", {"retry_after": retry_after}), status=503
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, *args, **kwargs):
    """Django's 500 handler: an outage becomes a 503; anything else stays a 500, as JSON for the
    API and a page without a traceback for browsers."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        logger.warning("backing service unavailable: %s %s", exc.__class__.__name__, request.path)
        return outage_response(request)
    if wants_json(request):
        return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)
    return HttpResponse(render_to_string("socialblue/server_error.html"), status=500)


class OutageGuard:
    """ASGI middleware for sockets: a backing service failing while a socket connects or runs
    closes it with 1013 ("try again later") instead of dropping it with a server error.
    Clients reconnect after a pause and send ``resume``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        state = {"connected": False, "accepted": False, "closed": False}

        async def tracking_receive():
            message = await receive()
            if message["type"] == "websocket.connect":
                state["connected"] = True
            return message

        async def tracking_send(message):
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            await self.app(scope, tracking_receive, tracking_send)
        except Exception as exc:
            if not is_outage(exc) or state["closed"]:
                raise
            logger.warning("socket closed, backing service unavailable: %s: %s", exc.__class__.__name__, exc)
            if not state["connected"]:
                await receive()  # the handshake's websocket.connect, before an accept may be sent
            if not state["accepted"]:
                await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
