"""Live updates: channel-group names, the broadcast helper, and the base for live sockets.

Fragments are rendered once per audience and sent to that audience's group as a ready-made
JSON string; each socket only forwards it. Bursts are batched per socket: the first frame
after a quiet spell goes at once, later ones within BATCH_WINDOW ride in one frame.
"""

import asyncio
import contextvars
import json
import logging
import math
from functools import partial

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

PARTICIPANTS = "participants"
FACILITATORS = "facilitators"
WALL = "wall"
AUDIENCES = (PARTICIPANTS, FACILITATORS, WALL)

BATCH_WINDOW = 0.1

# Close codes: the 4xxx range is ours; they mirror the HTTP statuses people know.
CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_WORKSHOP = 4404
CLOSE_FLOOD = 4429


def group_name(workshop_id, audience):
    return f"workshop-{workshop_id}-{audience}"


def publish(workshop_id, build_events):
    """After the current transaction commits, build each audience's events and send them.

    `build_events()` returns {audience: [operation, ...]}, each operation a dict such as
    {"op": "upsert", "id": ..., "into": ..., "html": ...}, {"op": "replace", "id": ...,
    "html": ...}, {"op": "remove", "id": ...} or {"op": "resync"}. Building after commit means
    nothing is shown that was not saved, and fragments show the committed state.
    """
    transaction.on_commit(partial(send_now, workshop_id, build_events))


def send_now(workshop_id, build_events):
    try:
        events = build_events()
    except Exception:
        # The write has committed; a failed update must not turn it into an error page.
        logger.exception("Could not build live update for workshop %s", workshop_id)
        return
    async_to_sync(send)(workshop_id, events)


async def send(workshop_id, events_by_audience):
    layer = get_channel_layer()
    for audience, events in events_by_audience.items():
        if not events:
            continue
        message = {"type": "live.events", "events": json.dumps(events)}
        try:
            await layer.group_send(group_name(workshop_id, audience), message)
        except Exception:
            # What was said is saved; pages catch up when they reconnect and re-sync.
            logger.warning(
                "Live update to %s of workshop %s failed", audience, workshop_id, exc_info=True
            )


def resync_all():
    """Events that make every page of a workshop fetch its live region afresh."""
    return {audience: [{"op": "resync"}] for audience in AUDIENCES}


class Coalescer:
    """Gathers items per workshop and hands them to `flush` at most once per `interval`.

    The first item after a quiet spell is flushed at once; items arriving during the
    interval wait for one flush at its end.
    """

    def __init__(self, flush, interval):
        self._flush = flush
        self._interval = interval
        self._pending = {}
        self._last = {}
        self._due = {}

    async def add(self, workshop_id, item):
        self._pending.setdefault(workshop_id, set()).add(item)
        loop = asyncio.get_running_loop()
        now = loop.time()
        # A flush scheduled on a loop that has since closed never runs: don't wait on it.
        if self._due.get(workshop_id, -math.inf) + self._interval > now:
            return
        wait = self._last.get(workshop_id, -math.inf) + self._interval - now
        if wait <= 0:
            await self._run(workshop_id)
        else:
            self._due[workshop_id] = now + wait
            # A fresh context: this may run inside async_to_sync, whose executor is gone by
            # the time the flush is due.
            loop.call_later(
                wait,
                lambda: asyncio.ensure_future(self._run(workshop_id)),
                context=contextvars.Context(),
            )

    async def _run(self, workshop_id):
        self._due.pop(workshop_id, None)
        self._last[workshop_id] = asyncio.get_running_loop().time()
        items = self._pending.pop(workshop_id, set())
        if not items:
            return
        try:
            await self._flush(workshop_id, items)
        except Exception:
            logger.exception("Live flush for workshop %s failed", workshop_id)


class LiveConsumer(AsyncWebsocketConsumer):
    """One socket of one audience of one workshop.

    Subclasses set `audience` and define `async authorise()`, returning (workshop id, None)
    to admit the socket, or (workshop id or None, close code) to refuse it.
    """

    audience = None

    async def connect(self):
        self.group = None
        self.workshop_id, refusal = await self.authorise()
        await self.accept()
        if refusal:
            await self.close(code=refusal)
            return
        self.group = group_name(self.workshop_id, self.audience)
        self._buffer = []
        self._last_sent = -math.inf
        self._flush_handle = None
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        if self.group:
            if self._flush_handle:
                self._flush_handle.cancel()
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def live_events(self, message):
        # Each message holds a JSON list; strip its brackets so lists can be joined cheaply.
        self._buffer.append(message["events"][1:-1])
        if self._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self._last_sent + BATCH_WINDOW - loop.time()
        if wait <= 0:
            await self._flush()
        else:
            self._flush_handle = loop.call_later(wait, lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self):
        self._flush_handle = None
        if not self._buffer:
            return
        frame = '{"events":[' + ",".join(self._buffer) + "]}"
        self._buffer = []
        self._last_sent = asyncio.get_running_loop().time()
        await self.send(text_data=frame)
