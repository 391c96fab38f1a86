import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models, so the HTTP app comes first.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.middleware import TwoFactorSocketMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from live.sockets import same_origin_only, with_direct_frames  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": with_direct_frames(
            same_origin_only(
                AuthMiddlewareStack(TwoFactorSocketMiddleware(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)
