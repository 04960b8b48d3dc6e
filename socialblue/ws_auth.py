"""Who is on the other end of a WebSocket.

* Apps send ``Authorization: Token <key>`` (or ``Bearer``) on the handshake. Browsers cannot
  set that header, so it cannot be forged cross-site, and no ``Origin`` is required (mobile
  clients usually send none).
* Browsers send their session cookie. Cookies travel with cross-site requests too, so the
  session is used only when the handshake's ``Origin`` is one of
  ``WEBSOCKET_ALLOWED_ORIGINS`` (or the host the socket was opened on).

Anyone else is closed with code 4401 here, before any consumer starts: an anonymous socket
never subscribes to the channel layer, so a flood of them costs Redis nothing.
"""

from urllib.parse import urlsplit

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie
from rest_framework.exceptions import AuthenticationFailed

CLOSE_UNAUTHENTICATED = 4401


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
        user, _token = TokenOrBearerAuthentication().authenticate_credentials(key.encode())
    except (AuthenticationFailed, UnicodeError):
        return AnonymousUser()
    return user


async def _user_from_session(session_key: str, scope):
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    scope["session"] = engine.SessionStore(session_key)
    return await get_user(scope)


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
        headers = {name.lower(): value.decode("latin1") for name, value in scope.get("headers", [])}
        user = AnonymousUser()
        method = None
        authorization = headers.get(b"authorization", "")
        parts = authorization.split()
        if len(parts) == 2 and parts[0].lower() in ("token", "bearer"):
            user = await _user_from_token(parts[1])
            method = "token"
        elif b"cookie" in headers:
            session_key = parse_cookie(headers[b"cookie"]).get(settings.SESSION_COOKIE_NAME)
            if session_key and origin_allowed(headers.get(b"origin", ""), headers.get(b"host", "")):
                user = await _user_from_session(session_key, scope)
                method = "session"
        scope["user"] = user
        scope["auth_method"] = method if user.is_authenticated else None
        if not user.is_authenticated:
            return await _refuse(receive, send)
        return await super().__call__(scope, receive, send)
