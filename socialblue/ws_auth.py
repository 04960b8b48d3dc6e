"""Who is on the other end of a WebSocket.

* Apps send ``Authorization: Token <key>`` (or ``Bearer``) on the handshake. Browsers cannot
  set that header, so it cannot be forged cross-site, and no ``Origin`` is required (mobile
  clients usually send none).
* Browsers send their session cookie. Cookies travel with cross-site requests too, so the
  session is used only when the handshake's ``Origin`` is one of
  ``WEBSOCKET_ALLOWED_ORIGINS`` (or the host the socket was opened on).

Anyone else is anonymous, and consumers close the socket with code 4401.
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
        return await super().__call__(scope, receive, send)
