"""How often a password reset link may be asked for: a few times an hour for one email
address and a few more from one network address, so the form cannot fill someone's inbox or
send mail in bulk.

Counted in the shared cache (Redis with REDIS_URL), so every web process sees one count.
participants.ratelimit does the same for phones, but sits above this app.
"""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

PER_EMAIL_PER_HOUR = 5
PER_ADDRESS_PER_HOUR = 20
HOUR = 60 * 60


def reset_request_allowed(*, email, address):
    """Count one request for a link to `email` from `address` (None when unknown); False
    once either has asked too often this hour."""
    # Hashed, so the cache holds no one's email address.
    email_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    allowed = _count(f"email:{email_key}") <= PER_EMAIL_PER_HOUR
    if address:
        allowed = _count(f"address:{address}") <= PER_ADDRESS_PER_HOUR and allowed
    return allowed


def _count(key):
    cache_key = f"password-reset:{key}:{int(time.time() // HOUR)}"
    try:
        cache.add(cache_key, 0, timeout=HOUR + 1)
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=HOUR + 1)
            return 1
    except Exception:
        # With the cache down, a reset link still reaches a locked-out colleague; losing the
        # limit for that while is the lesser harm.
        logger.warning("Password reset limit not counted: the cache is unreachable", exc_info=True)
        return 0
