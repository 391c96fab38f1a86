"""Sending live updates: channel-group names, publish after commit, and the coalescer.

Operations are sent to one channel-layer group per workshop and audience as a ready-made
JSON string; `live.sockets` writes them to the sockets of that audience in each process.
"""

import asyncio
import contextvars
import json
import logging
import math
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

RESYNC = {"op": "resync"}
# The channel-layer message that closes the sockets of one owner (see hang_up).
HANG_UP = "live.hang_up"


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
    for audience, events in events_by_audience.items():
        if events:
            message = {
                "type": "live.events",
                "events": json.dumps(events),
                "seq": await next_sequence_number(workshop_id, audience),
            }
            await _group_send(workshop_id, audience, message)


async def next_sequence_number(workshop_id, audience):
    """The next number in this workshop's and audience's run of messages, 1, 2, 3, …

    Pages check the numbers have no gap, and re-sync when one does: a message lost on its
    way is noticed. The count is in the cache, which every process shares (Redis, where
    incr is atomic; one process embedded), so the numbers run on across processes. Without
    the cache a message goes unnumbered rather than unsent.
    """
    key = _sequence_key(group_name(workshop_id, audience))
    try:
        await cache.aadd(key, 0, timeout=None)
        return await cache.aincr(key)
    except Exception:
        logger.warning("Could not number a live update for %s", key, exc_info=True)
        return None


async def last_sequence_number(group):
    """The number of the last message sent to `group`: 0 before the first (which is 1), or
    None if the cache cannot say."""
    try:
        return await cache.aget(_sequence_key(group), 0)
    except Exception:
        logger.warning("Could not read the live updates' number for %s", group, exc_info=True)
        return None


def _sequence_key(group):
    return f"live-sequence-{group}"


def hang_up(workshop_id, audience, owner):
    """Close, in every process, this audience's sockets that belong to `owner` (an id the
    consumer gives as its `owner`), with 4403: whoever it was is no longer allowed in."""
    async_to_sync(_group_send)(workshop_id, audience, {"type": HANG_UP, "owner": owner})


async def _group_send(workshop_id, audience, message):
    try:
        await get_channel_layer().group_send(group_name(workshop_id, audience), message)
    except Exception:
        # The change is saved; pages catch up when they reconnect and re-sync, and a phone
        # whose participant was erased is refused then.
        logger.warning(
            "Live update to %s of workshop %s failed", audience, workshop_id, exc_info=True
        )


def resync(*audiences):
    """Operations that make these audiences' pages fetch their live region afresh."""
    return {audience: [RESYNC] for audience in audiences}


class Coalescer:
    """Gathers items per key and hands them, in order, to `flush` at most once per `interval`.

    The first item after a quiet spell is flushed at once; items arriving during the
    interval wait for one flush at its end.
    """

    def __init__(self, flush, interval):
        self._flush = flush
        self._interval = interval
        self._pending = {}
        self._last = {}
        self._due = {}

    async def add(self, key, item):
        self._pending.setdefault(key, []).append(item)
        loop = asyncio.get_running_loop()
        now = loop.time()
        # A flush scheduled on a loop that has since closed never runs: don't wait on it.
        if self._due.get(key, -math.inf) + self._interval > now:
            return
        wait = self._last.get(key, -math.inf) + self._interval - now
        if wait <= 0:
            await self._run(key)
        else:
            self._due[key] = now + wait
            # A fresh context: this may run inside async_to_sync, whose executor is gone by
            # the time the flush is due.
            loop.call_later(
                wait,
                lambda: asyncio.ensure_future(self._run(key)),
                context=contextvars.Context(),
            )

    async def _run(self, key):
        self._due.pop(key, None)
        self._last[key] = asyncio.get_running_loop().time()
        items = self._pending.pop(key, [])
        if not items:
            return
        try:
            await self._flush(key, items)
        except Exception:
            logger.exception("Live flush for %s failed", key)
