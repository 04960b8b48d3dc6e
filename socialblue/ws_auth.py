"""Who is on the other end of a WebSocket, and with which credential.

* Apps send ``Authorization: Token <key>`` (or ``Bearer``) on the handshake. Browsers cannot
  set that header, so it cannot be forged cross-site, and no ``Origin`` is required (mobile
  clients usually send none).
* Browsers send their session cookie. Cookies travel with cross-site requests too, so the
  session is used only when the handshake's ``Origin`` is one of
  ``WEBSOCKET_ALLOWED_ORIGINS`` (or the host the socket was opened on).

Anyone else is closed with code 4401 here, before any consumer starts: an anonymous socket
never subscribes to the channel layer, so a flood of them costs Redis nothing.

A socket is bound to the credential that opened it (``scope["credential"]``): a device token
or a browser session. Each credential has a channel-layer group of its own, so that revoking
a token or signing a browser out closes exactly the sockets it opened and no others. A
session's group is named by a keyed hash of its key: group names are stored in Redis, and a
session key found there would be a session anyone could use.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.exceptions import AuthenticationFailed

CLOSE_UNAUTHENTICATED = 4401
SESSION_GROUP_SALT = "socialblue.ws_auth.session_group"


@dataclass(frozen=True)
class Credential:
    """What opened a socket: ``method`` is ``"token"`` or ``"session"``; ``group`` is the
    channel-layer group of every socket it opened; ``expires_at`` is when it stops working by
    itself (a token's expiry; None for a session, whose end is checked on ``resume``)."""

    method: str
    group: str
    expires_at: datetime | None = None

    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


def token_group(token_id: int) -> str:
    """The group of the sockets opened with one device token."""
    return f"cred.token.{token_id}"


def session_group(session_key: str) -> str:
    """The group of the sockets opened with one browser session (never the key itself)."""
    digest = salted_hmac(SESSION_GROUP_SALT, session_key, algorithm="sha256").hexdigest()
    return f"cred.session.{digest}"


def origin_allowed(origin: str, host: str) -> bool:
    if not origin:
        return False
    if origin in settings.WEBSOCKET_ALLOWED_ORIGINS:
        return True
    # Same origin as the server the browser connected to.
    return bool(host) and urlsplit(origin).netloc == host


@database_sync_to_async
def _user_from_token(key: str):
    from socialblue.authentication import TokenOrBearerAuthentication

    try:
        user, token = TokenOrBearerAuthentication().authenticate_credentials(key.encode())
    except (AuthenticationFailed, UnicodeError):
        return AnonymousUser(), None
    return user, Credential("token", token_group(token.pk), token.expiry)


async def _user_from_session(session_key: str, scope):
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    scope["session"] = engine.SessionStore(session_key)
    user = await get_user(scope)
    return user, Credential("session", session_group(session_key))


async def authenticate(scope) -> tuple:
    """The user the handshake in ``scope`` signs in, and the credential it used (``None`` for
    nobody). Sets ``scope["session"]`` for a browser."""
    headers = {name.lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
    authorization = headers.get(b"authorization", "")
    parts = authorization.split()
    if len(parts) == 2 and parts[0].lower() in ("token", "bearer"):
        user, credential = await _user_from_token(parts[1])
    elif b"cookie" in headers:
        session_key = parse_cookie(headers[b"cookie"]).get(settings.SESSION_COOKIE_NAME)
        if not session_key or not origin_allowed(headers.get(b"origin", ""), headers.get(b"host", "")):
            return AnonymousUser(), None
        user, credential = await _user_from_session(session_key, scope)
    else:
        return AnonymousUser(), None
    if not user.is_authenticated:
        return AnonymousUser(), None
    return user, credential


async def still_signed_in(scope) -> Credential | None:
    """Check the credential that opened a socket again, as the handshake did: the credential
    (possibly with a later expiry) while it still signs in the same person; None once it
    was revoked, expired, signed out or ended by a new password."""
    user, credential = await authenticate(dict(scope))
    opened_with = scope.get("credential")
    if (
        credential is None
        or opened_with is None
        or user.pk != scope["user"].pk
        or credential.group != opened_with.group
    ):
        return None
    return credential


async def _refuse(receive, send) -> None:
    # A close code can only be sent on an accepted socket; refused before accept, the client
    # would see a bare HTTP 403 and could not tell why.
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED})


class WebSocketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        user, credential = await authenticate(scope)
        scope["user"] = user
        scope["credential"] = credential
        scope["auth_method"] = credential.method if credential is not None else None
        if credential is None:
            return await _refuse(receive, send)
        return await super().__call__(scope, receive, send)
