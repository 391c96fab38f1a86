"""A process's sockets of one workshop and audience share one room: one channel-layer member."""

import asyncio
import uuid
from functools import partial

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from daphne.server import Server
from daphne.ws_protocol import WebSocketProtocol

from live import sockets
from live.broadcast import group_name
from live.sockets import (
    CLOSE_UNAVAILABLE,
    WEBSOCKET_PROTOCOL,
    Frame,
    LiveConsumer,
    with_direct_frames,
)
from participants import services as participant_services
from participants.renderers import PARTICIPANTS
from tests.factories import ParticipantFactory
from tests.helpers import run_async
from tests.sockets import events, phone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(scenario):
    async_to_sync(scenario)()


@pytest.fixture
def layer_calls(monkeypatch):
    """The channel layer's group_add and group_discard calls, as (method, group, channel)."""
    layer = get_channel_layer()
    calls = []
    for method in ("group_add", "group_discard"):
        real = getattr(layer, method)

        async def spy(group, channel, real=real, method=method):
            calls.append((method, group, channel))
            await real(group, channel)

        monkeypatch.setattr(layer, method, spy)
    return calls


def test_sockets_of_one_audience_share_one_group_member(participant, layer_calls, monkeypatch):
    """Three phones in a process are one member of the workshop's group; each phone still
    gets an update (written two at a time), and the last to leave takes the member out of
    the group and stops the room listening."""
    monkeypatch.setattr(sockets, "WRITE_CHUNK", 2)
    workshop = participant.workshop
    prompt = workshop.prompts.get(is_open=True)
    phones = [phone(ParticipantFactory(workshop=workshop)) for _ in range(3)]
    group = group_name(workshop.pk, PARTICIPANTS)

    async def scenario():
        for socket in phones:
            await socket.connect()
        room = sockets._rooms[group]
        await sync_to_async(participant_services.contribution_create)(
            participant=participant, prompt=prompt, text="One room", client_id=uuid.uuid4()
        )
        for socket in phones:
            assert "One room" in (await events(socket))[0]["html"]
        for socket in phones:
            await socket.disconnect()
        await asyncio.sleep(0)  # let the cancelled listener wind down
        assert room.closed and room._listener.cancelled()

    run(scenario)
    added = [call for call in layer_calls if call[0] == "group_add"]
    discarded = [call for call in layer_calls if call[0] == "group_discard"]
    assert len(added) == 3 and {(g, c) for _, g, c in added} == {(group, added[0][2])}
    assert discarded == [("group_discard", group, added[0][2])]
    assert group not in sockets._rooms


def test_a_lost_channel_layer_closes_the_rooms_sockets_so_they_reconnect(participant, monkeypatch):
    """With the layer unreachable no update can arrive: the room hangs up with 4503, which
    pages treat as "reconnect and re-sync", rather than leave them on a dead stream."""
    lost = asyncio.Event()

    async def receive(channel):
        await lost.wait()
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(get_channel_layer(), "receive", receive)

    async def scenario():
        socket = phone(participant)
        connected, _ = await socket.connect()
        assert connected
        lost.set()
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAVAILABLE}

    run(scenario)
    assert group_name(participant.workshop_id, PARTICIPANTS) not in sockets._rooms


def test_a_room_ending_while_a_socket_joins_leaves_no_member_behind(
    participant, monkeypatch, layer_calls
):
    """The layer fails while a socket's join is still adding the room to the group: the
    join takes its membership back, so no dead member is left to be sent messages."""
    layer = get_channel_layer()
    added = asyncio.Event()
    spy_add = layer.group_add

    async def slow_group_add(group, channel):
        await added.wait()
        await spy_add(group, channel)

    async def receive(channel):
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(layer, "group_add", slow_group_add)
    monkeypatch.setattr(layer, "receive", receive)

    async def scenario():
        socket = phone(participant)
        assert await socket.connect() == (False, CLOSE_UNAVAILABLE)
        added.set()
        assert await socket.receive_nothing(timeout=0.2)  # and it is not accepted after all
        await socket.disconnect()

    run(scenario)
    assert [method for method, *_ in layer_calls][-2:] == ["group_add", "group_discard"]


def test_a_message_without_events_is_skipped_and_the_room_stays_open(participant):
    workshop = participant.workshop
    group = group_name(workshop.pk, PARTICIPANTS)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        layer = get_channel_layer()
        await layer.group_send(group, {"type": "live.events"})
        await layer.group_send(group, {"type": "live.events", "events": '[{"op": "resync"}]'})
        assert await events(socket) == [{"op": "resync"}]
        await socket.disconnect()

    run(scenario)


def test_a_socket_that_cannot_join_leaves_no_room_behind(participant, monkeypatch):
    """A failed join (the layer refused it) is never followed by a disconnect: the room
    forgets the socket there and then."""

    async def group_add(group, channel):
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(get_channel_layer(), "group_add", group_add)

    async def scenario():
        socket = phone(participant)
        with pytest.raises(ConnectionError):
            await socket.connect()  # the handshake fails: the page retries later

    run(scenario)
    assert group_name(participant.workshop_id, PARTICIPANTS) not in sockets._rooms


class RecordingProtocol:
    """Enough of Autobahn's server protocol to watch what a socket writes."""

    STATE_OPEN = WebSocketProtocol.STATE_OPEN

    def __init__(self, state=STATE_OPEN):
        self.state = state
        self.written = []
        self.factory = self

    def prepareMessage(self, payload):
        return ("prepared", payload)

    def sendPreparedMessage(self, prepared):
        self.written.append(prepared)


def consumer_with(scope):
    consumer = LiveConsumer()
    consumer.scope = scope
    sent = []

    async def base_send(message):
        sent.append(message)

    consumer.base_send = base_send
    consumer.accepted = True
    return consumer, sent


def test_a_frame_is_prepared_once_and_written_to_every_open_socket():
    frame = Frame('{"events":[]}')
    protocols = [RecordingProtocol(), RecordingProtocol()]
    closing = RecordingProtocol(state=WebSocketProtocol.STATE_CLOSING)

    async def scenario():
        for protocol in [*protocols, closing]:
            consumer, sent = consumer_with({WEBSOCKET_PROTOCOL: protocol})
            await consumer.send_frame(frame)
            assert sent == []

    run_async(scenario())
    first, second = (protocol.written for protocol in protocols)
    assert first == [("prepared", b'{"events":[]}')] and second[0] is first[0]
    assert closing.written == []


def test_a_socket_not_yet_accepted_gets_no_frame():
    """A joining socket is in its room before it is accepted; its page re-syncs once open."""
    protocol = RecordingProtocol()

    async def scenario():
        consumer, sent = consumer_with({WEBSOCKET_PROTOCOL: protocol})
        consumer.accepted = False
        await consumer.send_frame(Frame('{"events":[]}'))
        return sent

    assert run_async(scenario()) == [] and protocol.written == []


def test_without_a_protocol_a_frame_goes_through_asgi():
    async def scenario():
        consumer, sent = consumer_with({})
        await consumer.send_frame(Frame('{"events":[]}'))
        return sent

    assert run_async(scenario()) == [{"type": "websocket.send", "text": '{"events":[]}'}]


def test_under_daphne_each_socket_is_given_its_protocol():
    """The shape of daphne's `send` that with_direct_frames relies on: if a daphne upgrade
    changes it, this fails, rather than live updates silently slowing down."""
    scopes = []

    async def app(scope, receive, send):
        scopes.append(scope)

    async def scenario():
        server = Server(application=with_direct_frames(app), endpoints=["tcp:port=0"])
        protocol = WebSocketProtocol()
        server.connections = {protocol: {}}  # as Server.run() and a connecting socket leave it
        server.create_application(protocol, {"type": "websocket", "path": "/ws/"})
        await server.connections[protocol]["application_instance"]
        return protocol

    protocol = run_async(scenario())
    assert scopes[0][WEBSOCKET_PROTOCOL] is protocol


def test_other_servers_keep_the_plain_asgi_path():
    scopes = []

    async def app(scope, receive, send):
        scopes.append(scope)

    async def send(message):
        pass

    run_async(with_direct_frames(app)({"type": "websocket"}, None, partial(send)))
    run_async(with_direct_frames(app)({"type": "websocket"}, None, send))
    assert all(WEBSOCKET_PROTOCOL not in scope for scope in scopes)
