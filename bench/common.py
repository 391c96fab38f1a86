"""Small helpers shared by the benchmarks: output, percentiles, processes and phone sockets.

Benchmarks print what a person reads to stderr and one JSON object, the figures, as the last
line of stdout, so a script or CI job can read the result with `tail -n 1`.
"""

import asyncio
import contextlib
import json
import math
import resource
import sys
import time

import psutil
from websockets.client import ClientProtocol
from websockets.frames import Close, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Origin
from websockets.uri import parse_uri


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def emit(result):
    """The one machine-readable line: the last line of stdout."""
    print(json.dumps(result, separators=(",", ":")), flush=True)


def percentile(ordered, fraction):
    """Nearest-rank percentile of an already sorted list; None when it is empty."""
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds):
    """p50/p95/p99 in milliseconds, rounded for reading."""
    ordered = sorted(seconds)
    return {f"p{round(q * 100)}_ms": _ms(percentile(ordered, q)) for q in (0.50, 0.95, 0.99)}


def _ms(value):
    return None if value is None else round(value * 1000, 1)


def raise_open_files(needed):
    """Lift the soft limit on open files towards the hard one: every socket is a file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        log(f"warning: only {target} open files allowed, {needed} wanted")


def child_processes(*markers):
    """Our direct child processes whose command line contains every marker."""
    found = []
    for child in psutil.Process().children():
        try:
            if all(marker in child.cmdline() for marker in markers):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def rss_mb(process):
    return round(process.memory_info().rss / 2**20, 1)


def cpu_seconds(process):
    times = process.cpu_times()
    return times.user + times.system


class Phone(asyncio.Protocol):
    """One simulated phone: a WebSocket client on websockets' sans-I/O protocol.

    Not websockets' asyncio client: that spends some 50 µs of Python per frame received (a
    task wake-up, futures, a queue), so 500 phones took ~25 ms to take in one broadcast and
    the bare relay's latency was mostly the bench's own. Frames are handled here as the bytes
    arrive, with one clock reading per read, at a fraction of that cost.
    """

    def __init__(self, url, cookie, on_text):
        uri = parse_uri(url)
        # The Origin of a page on the same server: the app compares scheme, host and port.
        origin = Origin(f"{'https' if uri.secure else 'http'}://{uri.host}:{uri.port}")
        self.protocol = ClientProtocol(uri, origin=origin)
        self.cookie = cookie
        self.on_text = on_text  # called with (text frame as bytes, perf_counter on arrival)
        self.close_code = None
        self.lost = False  # the server hung up on us
        self.opened = asyncio.get_running_loop().create_future()
        self.gone = asyncio.get_running_loop().create_future()
        self._parts = []

    def connection_made(self, transport):
        self.transport = transport
        request = self.protocol.connect()
        if self.cookie:
            request.headers["Cookie"] = self.cookie
        self.protocol.send_request(request)
        self._write()

    def data_received(self, data):
        now = time.perf_counter()
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Response):
                self._handshake_done()
            else:
                self._frame(event, now)
        self._write()  # pongs and the closing handshake

    def connection_lost(self, exc):
        self.lost = True
        if not self.gone.done():
            self.gone.set_result(None)
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))

    @property
    def is_open(self):
        return self.protocol.state is State.OPEN

    def send(self, text):
        self.protocol.send_text(text.encode())
        self._write()

    def abort(self):
        self.transport.abort()

    async def close(self, timeout=10):
        """Hang up politely, so the server runs its disconnect handling (leaving groups)."""
        if self.is_open:
            self.protocol.send_close()
            self._write()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.gone), timeout)
        self.abort()

    def _handshake_done(self):
        failure = self.protocol.handshake_exc
        if failure is None:
            self.opened.set_result(self)
        else:
            self.opened.set_exception(failure)

    def _frame(self, frame, now):
        if frame.opcode is Opcode.CLOSE:
            self.close_code = Close.parse(frame.data).code
        elif frame.opcode is Opcode.TEXT and frame.fin:
            self.on_text(frame.data, now)
        elif frame.opcode in (Opcode.TEXT, Opcode.CONT):
            self._parts.append(frame.data)
            if frame.fin:
                self.on_text(b"".join(self._parts), now)
                self._parts = []

    def _write(self):
        for data in self.protocol.data_to_send():
            if data:
                self.transport.write(data)
            elif self.transport.can_write_eof():
                self.transport.write_eof()


async def open_phone(url, on_text, cookie=None, timeout=30):
    """A connected Phone; it sends the Origin the app allows, and never goes by a proxy."""
    address = parse_uri(url)
    loop = asyncio.get_running_loop()
    _, phone = await asyncio.wait_for(
        loop.create_connection(lambda: Phone(url, cookie, on_text), address.host, address.port),
        timeout,
    )
    return await asyncio.wait_for(phone.opened, timeout)


# Sockets opened at once while a room fills up.
CONNECT_AT_ONCE = 50


async def open_many(targets):
    """Open sockets for (url, cookie, on_text) triples, a few dozen at a time, as a room
    fills up."""
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one(url, cookie, on_text):
        async with gate:
            return await open_phone(url, on_text, cookie)

    sockets = await asyncio.gather(*(one(*target) for target in targets))
    # The app accepts, then closes a socket it refuses (4xxx): that is the bench set up
    # wrong, not a measurement. Other closes are the server failing; they are counted later.
    await asyncio.sleep(0.5)
    refused = [s.close_code for s in sockets if s.close_code and 4000 <= s.close_code < 5000]
    if refused:
        raise RuntimeError(f"{len(refused)} sockets were refused on joining, codes {refused[:5]}")
    return sockets
