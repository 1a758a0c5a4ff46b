"""ASGI entry point: HTTP through Django, websockets through Channels.

Websockets pass origin validation (ALLOWED_HOSTS; token clients may omit Origin) and session +
token authentication before reaching a consumer.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from notifications.routing import websocket_urlpatterns  # noqa: E402
from project.limits import BodyLimit  # noqa: E402
from project.ws_auth import OriginCheck, TokenOrSessionAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        # BodyLimit refuses an oversized body before Django reads it (project/limits.py).
        "http": BodyLimit(django_asgi_app),
        "websocket": OriginCheck(TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
