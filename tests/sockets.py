"""Helpers for socket tests: connect the real ASGI app as a phone, a console or a wall."""

import json

from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from participants import tokens

# A page of this site, as a browser opens its socket: the Origin matches the Host.
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")


def communicator(path, cookies=""):
    headers = [ORIGIN, HOST]
    if cookies:
        headers.append((b"cookie", cookies.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers)
    # The peer daphne would give, as Django's test client gives REMOTE_ADDR: the app reads
    # the scope when it first runs, after this.
    socket.scope["client"] = ("127.0.0.1", 50000)
    return socket


def participant_cookie(participant):
    return f"{tokens.cookie_name(participant.workshop)}={tokens.make_token(participant)}"


def phone(participant):
    return communicator(f"/ws/w/{participant.workshop.join_code}/", participant_cookie(participant))


def staff_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def console(workshop, user):
    return communicator(f"/ws/facilitate/{workshop.pk}/", staff_cookie(user))


def wall(workshop, user):
    return communicator(f"/ws/wall/{workshop.pk}/", staff_cookie(user))


async def events(socket, timeout=5):
    """The operations of the next frame pushed to a socket (heartbeats are passed over)."""
    while True:
        frame = json.loads(await socket.receive_from(timeout=timeout))
        if "heartbeat" not in frame:
            return frame["events"]


async def ask(socket, message, timeout=5):
    """Send one message (a dict, or raw text) and return the reply addressed to the sender."""
    await socket.send_to(text_data=message if isinstance(message, str) else json.dumps(message))
    while True:
        reply = json.loads(await socket.receive_from(timeout=timeout))
        if "events" not in reply:
            return reply
