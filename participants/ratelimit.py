"""Fixed-window counters in the shared cache, so every web process sees the same count.

If the cache is unreachable, the limits on posts and votes let people through: a participant
must be able to post while Redis is down, and losing a minute of rate limiting is the lesser
harm. The limits on joining and on wrong codes count in each process instead, since letting
everything through would open the door to guessing and to stuffing a room.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Raised when someone has done something too often; the message is shown to them."""


def _key(key, period):
    return f"ratelimit:{key}:{int(time.time() // period)}"


class _ProcessCounts:
    """This process's own counts, for when the shared cache cannot be reached."""

    def __init__(self):
        self._counts = {}
        self._lock = threading.Lock()

    def incr(self, cache_key):
        window = cache_key.rsplit(":", 1)[1]
        with self._lock:
            # Keys carry their window: counts of windows that have ended are dropped.
            self._counts = {k: n for k, n in self._counts.items() if k.endswith(":" + window)}
            self._counts[cache_key] = self._counts.get(cache_key, 0) + 1
            return self._counts[cache_key]


_here = _ProcessCounts()


def allow(key, *, limit, period=60, open_when_down=True):
    """Count one attempt under `key`; False once `limit` attempts fall in the current window.
    With the cache down, let everything through, or count in this process if not
    `open_when_down`."""
    cache_key = _key(key, period)
    try:
        cache.add(cache_key, 0, timeout=period + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=period + 1)
            count = 1
    except Exception:
        if open_when_down:
            logger.warning("Rate limit not counted: the cache is unreachable", exc_info=True)
            return True
        logger.warning("Rate limit counted in this process: the cache is unreachable")
        count = _here.incr(cache_key)
    return count <= limit


def check(key, *, limit, message, period=60):
    if not allow(key, limit=limit, period=period):
        raise RateLimited(message)


def used(key, *, period=60):
    """How many attempts `key` has made in the current window, without counting a new one."""
    try:
        return cache.get(_key(key, period), 0)
    except Exception:
        logger.warning("Rate limit not read: the cache is unreachable", exc_info=True)
        return 0


def wrong_join_code(address):
    """Count a code that names no workshop, from `address`; False once it has made too many
    this minute. Only misses count: a right code always gets in, even from a venue's shared
    address where others mistyped."""
    return allow(f"join:{address}", limit=settings.JOIN_ATTEMPTS_PER_MINUTE, open_when_down=False)


def join_from(address):
    """Count one person joining from `address`; False once more have joined from there this
    minute than a full venue behind one address would."""
    return allow(
        f"joined:{address}", limit=settings.JOINS_PER_ADDRESS_PER_MINUTE, open_when_down=False
    )
