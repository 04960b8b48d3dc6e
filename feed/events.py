"""The WebSocket events of ``/ws/feed/``, as JSON Schema: the one description of what the
server sends and accepts. Served at ``/api/events.json`` beside the OpenAPI schema, and
tests check every event a socket receives against it.
"""

from socialblue.fields import ID_MAX

PERSON = {
    "type": "object",
    "required": ["username", "display_name", "avatar", "status"],
    "properties": {
        "username": {"type": "string"},
        "display_name": {"type": "string"},
        "avatar": {"type": ["string", "null"]},
        "status": {"enum": ["employee", "alumnus"]},
    },
}

ACTIVITY = {
    "type": "object",
    "required": ["id", "verb", "actor", "object", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "verb": {"type": "string"},
        "actor": PERSON,
        "object": {
            "type": "object",
            "required": ["type", "id"],
            "properties": {"type": {"type": "string"}, "id": {"type": "integer"}},
        },
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
    },
}

NOTIFICATION = {
    "type": "object",
    "required": ["id", "kind", "actor", "read", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["comment", "reaction", "mention", "connection_request", "connection_accepted"]},
        "actor": PERSON,
        "post": {"type": ["integer", "null"]},
        "comment": {"type": ["integer", "null"]},
        "connection_request": {"type": ["integer", "null"]},
        "read": {"type": "boolean"},
        "created_at": {"type": "string"},
    },
}


def _event(name: str, description: str, **properties) -> dict:
    return {
        "description": description,
        "type": "object",
        "required": ["type", *properties],
        "properties": {"type": {"const": name}, **properties},
    }


SERVER_EVENTS = {
    "hello": _event("hello", "Sent once the socket is authenticated.", user={"type": "string"}),
    "feed.activity": _event(
        "feed.activity",
        "An item entered the home feed (live, or replayed after `resume`).",
        activity=ACTIVITY,
    ),
    "feed.removed": _event(
        "feed.removed", "An item left the home feed (deleted, or no longer visible).", id={"type": "integer"}
    ),
    "notification": _event("notification", "A new notification.", notification=NOTIFICATION),
    "resume.done": _event(
        "resume.done", "The end of a replay; `last` is the newest activity id sent.", last={"type": "integer"}
    ),
    "pong": _event("pong", "The answer to `ping`."),
    "session.revoked": _event(
        "session.revoked",
        "Every sign-in of this person was revoked (they left the company); the socket closes "
        "with code 4403 right after.",
    ),
    "credential.revoked": _event(
        "credential.revoked",
        "The credential that opened this socket ended: its token was revoked or expired, its "
        "browser signed out, or the person set a new password (which ends every credential "
        "of theirs). The socket closes with code 4401 right after; sockets opened with other "
        "credentials stay open.",
    ),
    "error": _event(
        "error", "A message the server could not use; the socket stays open.", detail={"type": "string"}
    ),
}

CLIENT_MESSAGES = {
    "ping": _event("ping", "Keep-alive; answered with `pong`."),
    "resume": _event(
        "resume",
        "After a reconnect: replay what entered the feed after activity `after`, oldest first "
        "(at most FEED_RESUME_MAX items), then `resume.done`.",
        after={"type": "integer", "minimum": 0, "maximum": ID_MAX},
    ),
}

CLOSE_CODES = {
    4401: "Not signed in (no valid token or session, or a session from a foreign origin), or "
    "the credential that opened the socket ended since (`credential.revoked`; a `resume` "
    "checks it again first). Sign in again before reconnecting.",
    4403: "The person's sign-ins were revoked; sign in again.",
    1013: "Try again later: a service the socket needs (the database, Redis) is briefly away, "
    "or the server lost its feed subscription and cannot tell what it missed. Reconnect as "
    "`reconnect` says, then send `resume`.",
    4408: "The socket fell behind: feed events arrived faster than the client read them, and "
    "the server keeps only a bounded number waiting per socket. The queued events are "
    "dropped; reconnect, then send `resume`.",
}

# How every client reconnects, whatever closed the socket (but 4401 and 4403, which need a
# new sign-in). A deploy drops every socket of a server at once: clients that all came back at
# once would queue behind each other's handshakes (one server process accepts a few hundred
# per second, docs/capacity.md), and those that failed would come back together again.
RECONNECT = (
    "Wait a random time, uniformly between 0 and a window, then reconnect: the window is 2 s "
    "for the first attempt and doubles after every attempt that did not get `hello` (4 s, 8 s, "
    "...), capped at 60 s; it starts again at 2 s once a socket said `hello`. Never reconnect at "
    "once or at a fixed interval: a deploy closes every socket of a server at the same moment, "
    "and the random wait spreads their clients over the window. Then send `resume`."
)


def document() -> dict:
    """Everything a client needs to speak ``/ws/feed/``."""
    return {
        "path": "/ws/feed/",
        "authentication": "`Authorization: Token <key>` (or Bearer) on the handshake, or the "
        "session cookie from an allowed origin.",
        "server_events": SERVER_EVENTS,
        "client_messages": CLIENT_MESSAGES,
        "close_codes": {str(code): text for code, text in CLOSE_CODES.items()},
        "reconnect": RECONNECT,
    }


def validate_server_event(event: dict) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``event`` matches its documented schema."""
    import jsonschema

    schema = SERVER_EVENTS.get(event.get("type"))
    if schema is None:
        raise jsonschema.ValidationError(f"undocumented event type {event.get('type')!r}")
    jsonschema.validate(event, schema)
