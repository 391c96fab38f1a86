"""The client's address behind trusted proxies: read X-Forwarded-For from the right."""

import pytest

from live.addresses import client_address, scope_client_address


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "client"),
    [
        # No trusted proxy: the header is the client's to write, so it is ignored.
        ([], "198.51.100.7", "203.0.113.1", "198.51.100.7"),
        # nginx overwriting the header with the address it saw.
        (["10.0.0.1"], "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # nginx appending: what the client wrote is left of what nginx saw.
        (["10.0.0.1"], "10.0.0.1", "203.0.113.1, 198.51.100.7", "198.51.100.7"),
        # Two proxies of ours, named as a network; the client's forgery is still left over.
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        # A peer that is not a proxy of ours: its header is not believed.
        (["10.0.0.1"], "198.51.100.9", "203.0.113.1", "198.51.100.9"),
        # The proxy itself, with no header (a health check).
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        # A hop that is not an address: the chain stops at the last one we can trust.
        (["10.0.0.1"], "10.0.0.1", "not-an-address", "10.0.0.1"),
        (["2001:db8::1"], "2001:db8::1", "2001:db8:ffff::1, 2001:db8:aaaa::2", "2001:db8:aaaa::2"),
    ],
)
def test_the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy(
    settings, proxies, peer, forwarded, client
):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(peer, forwarded) == client


def test_a_socket_is_read_the_same_way(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    scope = {
        "client": ("10.0.0.1", 51000),
        "headers": [(b"host", b"example.org"), (b"x-forwarded-for", b"203.0.113.1, 198.51.100.7")],
    }
    assert scope_client_address(scope) == "198.51.100.7"
    assert scope_client_address({"headers": []}) is None
