"""The address a request or socket came from, as the trusted proxy saw it.

Behind a proxy every connection comes from the proxy's own address, and the client's is in
X-Forwarded-For, which the client can also write: a proxy that appends (nginx's
$proxy_add_x_forwarded_for) passes on whatever the client put first. So the header is read
from the right, one hop at a time, for as long as the hop is a proxy in TRUSTED_PROXIES; the
first address that is not one of ours is the client. Without trusted proxies the header is
ignored and the connection's own address is the client's.
"""

import functools
import ipaddress

from django.conf import settings


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


@functools.lru_cache(maxsize=4)
def _networks(proxies):
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address):
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return address is not None and any(address in network for network in networks)


def client_address(peer, forwarded_for=""):
    """The client's address, from the connection's `peer` address and X-Forwarded-For; None
    when the connection has no IP address (a test client, a Unix socket)."""
    hop = _address(peer or "")
    if hop is None:
        return None
    chain = [part for part in (forwarded_for or "").split(",") if part.strip()]
    while _trusted(hop) and chain:
        previous = _address(chain.pop())
        if previous is None:  # a hop our proxy would never write: the chain is not ours
            break
        hop = previous
    return str(hop)


def request_client_address(request):
    """For views, and for django-axes (AXES_CLIENT_IP_CALLABLE)."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def scope_client_address(scope):
    """For sockets: the ASGI scope's client and headers."""
    peer = (scope.get("client") or ("",))[0]
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name.lower() == b"x-forwarded-for"
    ]
    return client_address(peer, ",".join(forwarded))
