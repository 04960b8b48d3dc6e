"""Feed events to open sockets: published once, delivered by each ASGI process to its own.

Sending ``feed.activity`` through the channel layer costs several Redis round trips per
recipient, and a post by someone with a thousand followers online is a thousand messages. Here
(as in Mastodon's streaming server) the worker publishes **one** Redis pub/sub message per
audience class and chunk of recipients: the ids of the online people of that class, then the
event's JSON frame, encoded once. Every ASGI process holds one subscription (per event loop,
started when its first socket connects) and a registry of its open sockets by person; it hands
the same frame, one string, to each local socket of each listed person and ignores the rest.
Nobody is sent what the fan-out did not list: a socket of someone else, or of nobody signed
in, is never in the registry's rows for that person.

Wire format of one message on :func:`channel`::

    <kind> <activity id> <profile id>,<profile id>,...\\n<frame>

``kind`` is ``a`` (``feed.activity``), ``r`` (``feed.removed`` for the listed people: the
item's audience narrowed) or ``g`` (``feed.removed`` because the item is gone for everyone).

Ordering. Messages reach a process in the order Redis received them, and each socket sends
them in that order, so a removal published after an activity arrives after it. The other way
round, a fan-out that read the activity just before it was deleted can publish it just after
the removal: each process remembers recent removals (``REMOVED_MEMORY``) and drops a later
``feed.activity`` for an id that is gone, or for a person it was removed from.

Slow sockets. Each socket has a bounded outbox (``SOCKET_OUTBOX_FRAMES``); a client that reads
slower than events arrive fills it and is closed with ``CLOSE_FELL_BEHIND`` (4408) instead of
making the process hold an ever-growing backlog. It reconnects and sends ``resume``.

A lost subscription (Redis restarted, the connection dropped) cannot tell what it missed: the
process closes every socket it serves with 1013 ("briefly away; reconnect, then resume") and
subscribes again when the next socket connects. Publishing never retries either: a live event
is a courtesy on top of the timelines, which ``resume`` reads.

Messages go through ``CHANNEL_REDIS_URL``, the channel layer's plain Redis, never the timelines'
cluster (a cluster sends every published message to every node). The channel is per Redis db
(pub/sub channels are server-wide): a second deployment, a test run or the bench on another db
of the same server never hears these messages. Without ``REDIS_URL`` (the embedded default,
one process) a publish is handed to this process's event loops directly.
"""

import asyncio
import logging
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache
from urllib.parse import urlsplit

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)

ACTIVITY, REMOVED, GONE = "a", "r", "g"
CHANNEL_PREFIX = "sb:feed:live:"
# Frames waiting for one socket before it counts as fallen behind: a few seconds of a busy
# feed, while the socket's transport already holds what the kernel would not take.
SOCKET_OUTBOX_FRAMES = 100
CLOSE_FELL_BEHIND = 4408
# How long, and how many, removals each process remembers to drop a late activity frame. A
# fan-out publishes within seconds of reading its activity; a re-run reads it again and sees
# the removal itself.
REMOVED_MEMORY = 10_000
REMOVED_MEMORY_SECONDS = 600
# A subscription that hears nothing is checked with a PING this often, so that a connection
# that died without a word (a failover, a network cut) is noticed.
HEALTH_CHECK_SECONDS = 15


def channel() -> str:
    """The pub/sub channel of feed events for this deployment's Redis db."""
    db = urlsplit(settings.CHANNEL_REDIS_URL).path.lstrip("/") or "0"
    return f"{CHANNEL_PREFIX}{db}"


@cache
def _publisher(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30)


def encode(kind: str, activity_id: int, recipients: Iterable[int], frame: bytes) -> bytes:
    return f"{kind} {activity_id} {','.join(map(str, recipients))}\n".encode() + frame


def decode(message: bytes) -> tuple[str, int, list[int], str]:
    """``(kind, activity id, recipients, frame)`` of one message; the frame as text, decoded
    once for every socket it goes to."""
    header, _, frame = message.partition(b"\n")
    kind, activity_id, ids = header.decode().split(" ")
    return kind, int(activity_id), [int(i) for i in ids.split(",") if i], frame.decode()


def publish(kind: str, activity_id: int, recipients: Iterable[int], frame: bytes) -> None:
    """Publish one frame for ``recipients`` (the caller decided who is online and may see it)."""
    message = encode(kind, activity_id, recipients, frame)
    if not settings.REDIS_URL:
        for loop, stream in list(_streams.items()):
            loop.call_soon_threadsafe(stream.deliver, message)
        return
    try:
        _publisher(settings.CHANNEL_REDIS_URL).publish(channel(), message)
    except redis.RedisError:  # a courtesy: the timelines hold the item, ``resume`` replays it
        logger.warning("live frame for activity %s not published", activity_id, exc_info=True)


class Stream:
    """The feed events of one ASGI process (one event loop): its subscription and its sockets.

    A socket is anything with ``push(frame: str)`` (queue one frame, never wait) and
    ``close_soon(code: int)``; ``feed.consumers.FeedConsumer`` is one."""

    def __init__(self):
        self.sockets: dict[int, set] = {}
        self._task: asyncio.Task | None = None
        self._subscribed: asyncio.Future | None = None
        # activity id -> (when, the local people it was removed from, or None: everyone)
        self._removed: OrderedDict[int, tuple[float, set[int] | None]] = OrderedDict()

    async def join(self, profile_id: int, socket) -> None:
        """Deliver ``profile_id``'s frames to ``socket`` from now on. Returns once the process
        is subscribed, so nothing published after it returns is missed; raises the Redis
        error if it cannot subscribe (the socket closes with 1013)."""
        self.sockets.setdefault(profile_id, set()).add(socket)
        try:
            await self._subscription()
        except BaseException:
            self.leave(profile_id, socket)
            raise

    def leave(self, profile_id: int, socket) -> None:
        sockets = self.sockets.get(profile_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self.sockets[profile_id]
        if not self.sockets and self._task is not None:
            # The last socket went: so does the subscription (the next socket subscribes
            # again), and nothing is left running when the server stops.
            self._task.cancel()
            self._task = None

    async def _subscription(self) -> None:
        if not settings.REDIS_URL:
            return
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._subscribed = loop.create_future()
            self._task = loop.create_task(self._listen(self._subscribed), name="feed-stream")
        await asyncio.shield(self._subscribed)

    async def _listen(self, subscribed: asyncio.Future) -> None:
        # No retries: a connection opened again silently would have missed what was
        # published meanwhile, and the sockets would never know to resume.
        client = redis.asyncio.Redis.from_url(
            settings.CHANNEL_REDIS_URL,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=5,
            health_check_interval=HEALTH_CHECK_SECONDS,
        )
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(channel())
            while (await pubsub.get_message(timeout=5)) is None:
                pass  # the subscribe confirmation: from here on, nothing published is missed
            subscribed.set_result(None)
            while True:
                message = await pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=HEALTH_CHECK_SECONDS
                )
                if message is not None and message["type"] == "message":
                    self.deliver(message["data"])
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if not subscribed.done():
                subscribed.set_exception(error)
                subscribed.exception()  # retrieved here: a socket may not be waiting any more
            else:
                logger.warning("feed stream subscription lost; closing its sockets", exc_info=True)
                self._lost()
        finally:
            await pubsub.aclose()
            await client.aclose()

    def _lost(self) -> None:
        from socialblue.outages import CLOSE_TRY_AGAIN_LATER

        sockets = [socket for group in self.sockets.values() for socket in group]
        self.sockets.clear()
        self._task = None  # ending by itself: the sockets' leaving must not cancel it
        for socket in sockets:
            socket.close_soon(CLOSE_TRY_AGAIN_LATER)

    def deliver(self, message: bytes) -> int:
        """Hand one published frame to the local sockets of its recipients; returns how many."""
        kind, activity_id, recipients, frame = decode(message)
        if kind == ACTIVITY:
            removed = self._removed_from(activity_id)
            if removed is None:
                return 0
            recipients = [pid for pid in recipients if pid not in removed]
        else:
            self._remember_removed(kind, activity_id, recipients)
        delivered = 0
        for profile_id in recipients:
            sockets = self.sockets.get(profile_id)
            if sockets:
                for socket in list(sockets):
                    socket.push(frame)
                delivered += len(sockets)
        return delivered

    def _removed_from(self, activity_id: int) -> set[int] | None:
        """The local people ``activity_id`` was removed from (None: it is gone for everyone)."""
        entry = self._removed.get(activity_id)
        if entry is None or entry[0] < time.monotonic() - REMOVED_MEMORY_SECONDS:
            return set()
        return entry[1]

    def _remember_removed(self, kind: str, activity_id: int, recipients: list[int]) -> None:
        # Only the people with a socket here matter to this process.
        local = None if kind == GONE else {pid for pid in recipients if pid in self.sockets}
        previous = self._removed.pop(activity_id, None)
        if previous is not None and local is not None:
            local = None if previous[1] is None else previous[1] | local
        self._removed[activity_id] = (time.monotonic(), local)
        while len(self._removed) > REMOVED_MEMORY:
            self._removed.popitem(last=False)


_streams: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Stream]" = weakref.WeakKeyDictionary()


def local() -> Stream:
    """The stream of the running event loop (one per ASGI process, or per test server)."""
    loop = asyncio.get_running_loop()
    stream = _streams.get(loop)
    if stream is None:
        stream = _streams[loop] = Stream()
    return stream
