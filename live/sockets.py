"""Live sockets: the per-process rooms that write each batch to every local socket.

In each process one Room per group receives what `live.broadcast` sends and writes it,
batched and framed once, to the local sockets of that audience; sockets are never group
members themselves.
"""

import asyncio
import contextvars
import json
import logging

from autobahn.websocket.protocol import WebSocketServerProtocol
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from live.broadcast import HANG_UP, Coalescer, group_name, last_sequence_number

logger = logging.getLogger(__name__)

BATCH_WINDOW = 0.1
WRITE_CHUNK = 50
MEMBERSHIP_REFRESH = 3600  # seconds; the layer drops members after a day (group_expiry)
# Seconds between heartbeats: a page that hears none for twice this long knows its socket
# is dead (say, the wifi dropped without closing it) within 10 s, and reconnects.
HEARTBEAT = 3

# Close codes: the 4xxx range is ours; they mirror the HTTP statuses people know.
CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_WORKSHOP = 4404
CLOSE_FLOOD = 4429
# The most sockets one owner (a participant) may hold open in one process.
SOCKETS_PER_OWNER = 5
# Live updates stopped on the server side (the channel layer is unreachable): try again.
CLOSE_UNAVAILABLE = 4503


class Frame:
    """One batch of events for many sockets, framed for the wire at most once."""

    def __init__(self, text):
        self.text = text
        self._prepared = None

    def prepared(self, protocol):
        if self._prepared is None:
            self._prepared = protocol.factory.prepareMessage(self.text.encode())
        return self._prepared


class Room:
    """The sockets of one audience of one workshop in this process.

    The room, not each socket, is the channel-layer group member: the group has one member
    per process rather than one per phone, no consumer wakes per phone, and each batch is
    joined into one frame here and written to every local socket. Bursts are batched: the
    first frame after a quiet spell goes at once, later ones within BATCH_WINDOW ride in one.

    Each frame says the highest sequence number in it ("seq", see
    broadcast.next_sequence_number) and how many numbered messages it holds ("count"), so a
    page sees a gap; a heartbeat every HEARTBEAT seconds repeats the last number, so a page
    also sees a lost last message, and a silent socket is known to be dead. Messages sent
    from different processes may reach a room out of order: the page then re-syncs once
    more than it needed to, which is harmless.
    """

    def __init__(self, group):
        self.group = group
        self.sockets = set()
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self.layer = get_channel_layer()
        self.channel = None
        self._batches = Coalescer(self._write, BATCH_WINDOW)
        # Writing a frame yields to the loop (see _to_every_socket): frames must not overtake.
        self._writing = asyncio.Lock()
        self.ready = self.loop.create_future()
        self.last_sequence_number = None
        # Fresh contexts: the room outlives the socket whose connect() opened it.
        self._listener = self.loop.create_task(self._listen(), context=contextvars.Context())
        self._keeper = self.loop.create_task(self._keep_member(), context=contextvars.Context())
        self._heart = self.loop.create_task(self._beat(), context=contextvars.Context())

    async def _listen(self):
        try:
            self.channel = await self.layer.new_channel()
            self.last_sequence_number = await last_sequence_number(self.group)
            self.ready.set_result(None)
            while True:
                message = await self.layer.receive(self.channel)
                if message.get("type") == HANG_UP:
                    await self._hang_up(message.get("owner"))
                    continue
                events = message.get("events")
                if not isinstance(events, str):
                    logger.warning("Ignored a live message for %s without events", self.group)
                    continue
                # A JSON list: strip its brackets so lists can be joined cheaply.
                await self._batches.add(self.group, (message.get("seq"), events[1:-1]))
        except Exception as error:
            # The layer is gone (Redis down): hang up, so pages reconnect and re-sync rather
            # than sit on a stream that no longer flows.
            logger.warning("Live updates to %s stopped", self.group, exc_info=True)
            if not self.ready.done():
                self.ready.set_exception(error)
            await self._to_every_socket(lambda socket: socket.close(code=CLOSE_UNAVAILABLE))
            await self._end()

    async def _keep_member(self):
        # The layer forgets a group member a day after it was added, however busy it is.
        while True:
            await asyncio.sleep(MEMBERSHIP_REFRESH)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.warning("Could not renew %s's membership", self.group, exc_info=True)

    async def _beat(self):
        while True:
            await asyncio.sleep(HEARTBEAT)
            async with self._writing:
                beat = self.heartbeat()
                await self._to_every_socket(lambda socket, beat=beat: socket.send_frame(beat))

    def heartbeat(self):
        """The last number this room has written (read from the cache when the room opened),
        from which a page newly connected knows which number comes next. With an empty list
        of events, so a reader that knows no heartbeats skips it."""
        beat = {"heartbeat": True, "seq": self.last_sequence_number, "events": []}
        return Frame(json.dumps(beat))

    async def _hang_up(self, owner):
        async def close_theirs(socket):
            if socket.owner == owner:
                await socket.close(code=CLOSE_NOT_ALLOWED)

        await self._to_every_socket(close_theirs)

    async def _write(self, group, items):
        numbers = [number for number, _ in items if isinstance(number, int)]
        head = ""
        if numbers:
            self.last_sequence_number = max(numbers)
            head = f'"seq":{self.last_sequence_number},"count":{len(numbers)},'
        frame = Frame("{" + head + '"events":[' + ",".join(text for _, text in items) + "]}")
        async with self._writing:
            await self._to_every_socket(lambda socket: socket.send_frame(frame))

    async def _to_every_socket(self, action):
        for count, socket in enumerate(list(self.sockets), start=1):
            try:
                await action(socket)
            except Exception:
                # One broken socket must not keep the others from their frame.
                logger.warning("Live update to a socket of %s failed", self.group, exc_info=True)
            if count % WRITE_CHUNK == 0:
                # daphne writes to the network on the loop's next turn: let it, so the first
                # phones get the frame while later ones are still being handed it.
                await asyncio.sleep(0)

    def held_by(self, owner):
        """How many of this room's sockets in this process belong to `owner`."""
        return sum(1 for socket in self.sockets if socket.owner == owner)

    async def join(self, socket):
        self.sockets.add(socket)
        try:
            await asyncio.shield(self.ready)
            # Every join refreshes the membership too.
            await self.layer.group_add(self.group, self.channel)
            if self.closed:
                # The room ended while this socket joined: take back what the join added.
                await self._leave_group()
        except BaseException:
            # A socket that fails to connect is never disconnected: let it go here.
            await self.leave(socket)
            raise

    async def leave(self, socket):
        self.sockets.discard(socket)
        if not self.sockets and not self.closed:
            await self._end()

    async def _end(self):
        """This process's room for the group no longer: leave the group, stop listening."""
        self.closed = True
        if _rooms.get(self.group) is self:
            del _rooms[self.group]
        self._keeper.cancel()
        self._heart.cancel()
        if self.channel:
            # Leave before we stop listening: a message still on its way is read, not left
            # waiting in the layer for a reader that never comes.
            await self._leave_group()
        if self._listener is not asyncio.current_task():
            self._listener.cancel()

    async def _leave_group(self):
        try:
            await self.layer.group_discard(self.group, self.channel)
        except Exception:
            # The layer is down; the member lapses with the group's expiry.
            logger.warning("Could not leave %s", self.group, exc_info=True)


# This process's rooms by group name. A room belongs to the event loop that opened it; a
# room left behind by a finished loop (as in tests) is replaced, not joined.
_rooms = {}


def room_for(group):
    room = _rooms.get(group)
    if room is None or room.loop is not asyncio.get_running_loop():
        room = _rooms[group] = Room(group)
    return room


class LiveConsumer(AsyncWebsocketConsumer):
    """One socket of one audience of one workshop.

    Subclasses set `audience` and define `async authorise()`, returning (workshop id, None)
    to admit the socket, or (workshop id or None, close code) to refuse it.
    """

    audience = None
    # Whom the socket belongs to, for live.broadcast.hang_up; None for no one in particular.
    owner = None
    # Sockets get their live updates through their room, never a channel of their own.
    channel_layer_alias = None

    async def connect(self):
        self.room = None
        self.accepted = False
        self.workshop_id, refusal = await self.authorise()
        if refusal:
            await self.accept()
            await self.close(code=refusal)
            return
        self.room = room_for(group_name(self.workshop_id, self.audience))
        if self.owner is not None and self.room.held_by(self.owner) >= SOCKETS_PER_OWNER:
            # One person with hundreds of sockets is a script, not a phone with a few tabs.
            self.room = None
            await self.accept()
            await self.close(code=CLOSE_FLOOD)
            return
        # Join before accepting: once a page sees its socket open and re-syncs, nothing sent
        # to its audience can slip past it. Frames before then are covered by that re-sync.
        await self.room.join(self)
        if self.room.closed:
            return  # the room ended while this socket joined, and turned it away
        await self.accept()
        self.accepted = True

    async def disconnect(self, code):
        if self.room:
            await self.room.leave(self)

    async def send_frame(self, frame):
        if not self.accepted:
            return
        protocol = self.scope.get(WEBSOCKET_PROTOCOL)
        if protocol is None:
            await self.send(text_data=frame.text)
        elif protocol.state == protocol.STATE_OPEN:
            protocol.sendPreparedMessage(frame.prepared(protocol))


# Where with_direct_frames puts the socket's Autobahn protocol in the scope.
WEBSOCKET_PROTOCOL = "common_ground.websocket_protocol"


def with_direct_frames(app):
    """ASGI middleware: under daphne, give each socket its connection's WebSocket protocol.

    Through ASGI a frame costs ~20 µs per socket in daphne: the message passes Channels,
    daphne and Autobahn and is framed afresh for every socket, which for a room of 500 phones
    is most of a post's latency. With the protocol, a room frames a batch once and hands the
    same bytes to every socket (Autobahn's prepared messages exist for this). daphne passes
    `send` as partial(server.handle_reply, protocol); under any other server, or a daphne
    that changes this, sockets keep the plain ASGI path.
    """

    async def middleware(scope, receive, send):
        protocol = next(iter(getattr(send, "args", ())), None)
        if isinstance(protocol, WebSocketServerProtocol):
            scope = {**scope, WEBSOCKET_PROTOCOL: protocol}
        return await app(scope, receive, send)

    return middleware


def same_origin_only(app):
    """ASGI middleware: admit a socket only from a page of this site (see origin_allowed)."""

    async def middleware(scope, receive, send):
        if origin_allowed(scope):
            return await app(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    return middleware


def origin_allowed(scope):
    """Whether the socket's Origin is the request's own origin or a CSRF-trusted one.

    Browsers send any site's cookies with a socket, so the Origin is what stops another
    page acting as the phone. Like Django's CSRF check, the whole origin counts (scheme, host
    and port): Channels' AllowedHostsOriginValidator compared hosts only, letting in
    http:// pages of an https site and other ports of the same host. No Origin is refused,
    as it was: every browser sends one. Behind the TLS proxy daphne sees ws://, so the
    proxy's header (SECURE_PROXY_SSL_HEADER) says whether the page was https.
    """
    headers = dict(scope.get("headers", ()))
    origin = headers.get(b"origin", b"").decode("latin1").lower()
    host = headers.get(b"host", b"").decode("latin1").lower()
    if not origin or not validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        return False
    secure = scope.get("scheme") == "wss"
    if settings.SECURE_PROXY_SSL_HEADER:
        name, value = settings.SECURE_PROXY_SSL_HEADER
        forwarded = headers.get(name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        secure = secure or (forwarded or b"").decode("latin1").split(",")[0].strip() == value
    own = f"{'https' if secure else 'http'}://{host}"
    return origin in {own, *(trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS)}
