"""Sockets are admitted only from pages of this site: scheme, host and port all count."""

import pytest

from live.sockets import origin_allowed


def scope(origin, host="127.0.0.1:8000", scheme="ws", forwarded_proto=None):
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if forwarded_proto is not None:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    "origin, host, scheme",
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws"),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "wss"),
        ("http://localhost", "LOCALHOST", "ws"),
    ],
)
def test_the_pages_own_origin_is_allowed(origin, host, scheme):
    """A page opening a socket to the server it came from is let in."""
    assert origin_allowed(scope(origin, host, scheme))


@pytest.mark.parametrize(
    "origin",
    [
        "https://127.0.0.1:8000",  # https page, plain http server
        "http://127.0.0.1:8001",  # another port
        "http://127.0.0.1",  # the default port, not this one
        "http://localhost:8000",  # another host, even an allowed one
        "https://evil.example",
        "null",
        "",
    ],
)
def test_other_origins_are_refused(origin):
    """Anything but the exact origin (scheme, host and port) is refused."""
    assert not origin_allowed(scope(origin))


def test_a_socket_without_an_origin_is_refused():
    """Browsers always send an Origin; a socket without one is refused, as it was."""
    assert not origin_allowed(scope(None))


def test_a_host_outside_allowed_hosts_is_refused_even_from_its_own_page():
    """A page on a name that points at the server but is not ours (DNS rebinding) is refused."""
    assert not origin_allowed(scope("http://evil.example:8000", host="evil.example:8000"))


def test_trusted_origins_are_allowed(settings):
    """CSRF_TRUSTED_ORIGINS are trusted for sockets as they are for forms."""
    settings.CSRF_TRUSTED_ORIGINS = ["https://Workshops.example"]
    assert origin_allowed(scope("https://workshops.example"))
    assert not origin_allowed(scope("http://workshops.example"))


def test_behind_the_tls_proxy_the_page_is_https(settings):
    """Behind the proxy daphne sees ws://; the proxy's header says the page was https."""
    settings.ALLOWED_HOSTS = ["workshops.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    host = "workshops.example"
    assert origin_allowed(scope("https://workshops.example", host, forwarded_proto="https"))
    assert not origin_allowed(scope("http://workshops.example", host, forwarded_proto="https"))
    assert not origin_allowed(scope("https://workshops.example", host, forwarded_proto="http"))
