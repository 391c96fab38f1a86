from django.urls import path

from facilitation.consumers import ConsoleConsumer, WallConsumer

websocket_urlpatterns = [
    path("ws/facilitate/<int:pk>/", ConsoleConsumer.as_asgi()),
    path("ws/wall/<int:pk>/", WallConsumer.as_asgi()),
]
