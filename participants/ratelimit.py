"""Fixed-window counters in the shared cache, so every web process sees the same count.

If the cache is unreachable the limits let people through: a participant must be able to
post while Redis is down, and losing a minute of rate limiting is the lesser harm.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Raised when someone has done something too often; the message is shown to them."""


def _key(key, period):
    return f"ratelimit:{key}:{int(time.time() // period)}"


def allow(key, *, limit, period=60):
    """Count one attempt under `key`; False once `limit` attempts fall in the current window."""
    cache_key = _key(key, period)
    try:
        cache.add(cache_key, 0, timeout=period + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=period + 1)
            count = 1
    except Exception:
        logger.warning("Rate limit not counted: the cache is unreachable", exc_info=True)
        return True
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
