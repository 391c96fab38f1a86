"""Fixed-window counters in the shared cache, so every web process sees the same count."""

import time

from django.core.cache import cache


class RateLimited(Exception):
    """Raised when someone has done something too often; the message is shown to them."""


def allow(key, *, limit, period=60):
    """Count one attempt under `key`; False once `limit` attempts fall in the current window."""
    window = int(time.time() // period)
    cache_key = f"ratelimit:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= limit


def check(key, *, limit, message, period=60):
    if not allow(key, limit=limit, period=period):
        raise RateLimited(message)


def used(key, *, period=60):
    """How many attempts `key` has made in the current window, without counting a new one."""
    window = int(time.time() // period)
    return cache.get(f"ratelimit:{key}:{window}", 0)
