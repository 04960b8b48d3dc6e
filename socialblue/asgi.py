"""The ASGI application: HTTP (Django) and WebSockets (Channels) on one server.

Run it with ``uvicorn socialblue.asgi:application`` (or any ASGI server).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialblue.settings")
# Django must be set up before anything that imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from socialblue.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application})
