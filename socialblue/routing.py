"""WebSocket routes. Every route is wrapped in :class:`socialblue.ws_auth.WebSocketAuthMiddleware`
and :class:`socialblue.outages.OutageGuard`."""

from channels.routing import URLRouter
from django.urls import path

from feed.consumers import FeedConsumer
from socialblue.outages import OutageGuard
from socialblue.ws_auth import WebSocketAuthMiddleware

websocket_urlpatterns = [
    path("ws/feed/", FeedConsumer.as_asgi()),
]

# Outermost: authentication itself asks the database, and an outage there closes the socket
# with 1013 (try again later) like one inside the consumer.
websocket_application = OutageGuard(WebSocketAuthMiddleware(URLRouter(websocket_urlpatterns)))
