from django.urls import path

from participants.consumers import ParticipantConsumer

websocket_urlpatterns = [
    path("ws/w/<str:code>/", ParticipantConsumer.as_asgi()),
]
