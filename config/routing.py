from participants.routing import websocket_urlpatterns as participant_sockets
from workshops.routing import websocket_urlpatterns as workshop_sockets

websocket_urlpatterns = participant_sockets + workshop_sockets
