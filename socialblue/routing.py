"""WebSocket routes. Every route is wrapped in :class:`socialblue.ws_auth.WebSocketAuthMiddleware`."""

from channels.routing import URLRouter
from django.urls import path

from feed.consumers import FeedConsumer
from socialblue.ws_auth import WebSocketAuthMiddleware

websocket_urlpatterns = [
    path("ws/feed/", FeedConsumer.as_asgi()),
]

websocket_application = WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns))
