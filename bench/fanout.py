"""Live fan-out: how fast a post reaches every phone, next to a bare WebSocket relay.

    .venv/bin/python bench/fanout.py [--phones 500] [--processes 1] [--duration 10] [--rates 5,20]

It starts what it measures: the app (daphne, on a fresh migrated and seeded database, see
servers.py) and a bare asyncio `websockets` relay in a subprocess of its own, as the app is.
N simulated phones join the live demo workshop over /ws/w/SEND25/ and N more join the relay.
Posters then send contributions at each rate, each text carrying a sequence marker; every
phone notes when the marker arrives. The relay gets the same treatment with a frame of the
same size, so the difference is what the app spends between a post and the phones.

With no DATABASE_URL / REDIS_URL it runs embedded (SQLite, in-memory channel layer); with
them, on PostgreSQL and Redis. `--processes K` (K > 1 needs REDIS_URL) deals the phones out
round-robin across K daphne processes behind one Redis, as production runs.

Stderr gets a readable summary; the last line of stdout is one JSON object with the figures.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from statistics import median

import psutil
import servers
from common import (
    child_processes,
    cpu_seconds,
    emit,
    latency_summary,
    log,
    open_many,
    raise_open_files,
    rss_mb,
)
from websockets.asyncio.server import broadcast, serve
from websockets.exceptions import ConnectionClosed

JOIN_CODE = "SEND25"
MARKER = re.compile(rb"mk(\d{7})k")
# The app closes a socket that sends more than 30 frames in 10 s (participants/consumers.py),
# so posts are spread over enough poster sockets to stay well under that.
POSTS_PER_POSTER_PER_SECOND = 2
STRAGGLER_WAIT = 5.0
SETTLE = 1.0
QUIET_CPU = 0.1  # a server using under a tenth of a core is idle
BUSY_MACHINE_PCT = 25  # other work above this share of a core makes figures unreliable
FALLBACK_FRAME_BYTES = 1500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=500, help="simulated phones (500)")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes (1)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per rate (10)")
    parser.add_argument("--rates", default="5,20", help="posts a second, comma-separated")
    parser.add_argument("--serve-relay", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.rates = [float(rate) for rate in args.rates.split(",") if rate.strip()]
    if args.processes > 1 and not os.environ.get("REDIS_URL"):
        parser.error("--processes above 1 needs REDIS_URL: processes share phones through Redis")
    if args.phones < 1 or args.duration <= 0 or not args.rates or min(args.rates) <= 0:
        parser.error("phones, duration and rates must be positive")
    return args


# --- The bare relay -------------------------------------------------------------------------


async def serve_relay(port):
    """A minimal chat relay: every message from any client goes to every client."""
    clients = set()

    async def handler(socket):
        clients.add(socket)
        try:
            async for message in socket:
                broadcast(clients, message)
        except ConnectionClosed:
            pass  # the bench hangs up without a closing handshake
        finally:
            clients.discard(socket)

    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None):
        await asyncio.Future()


@contextlib.contextmanager
def relay_process():
    port = servers.free_port()
    process = subprocess.Popen([servers.PYTHON, __file__, "--serve-relay", str(port)])
    try:
        servers.wait_for_port(port)
        yield port, psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- Setup ----------------------------------------------------------------------------------


def open_prompt(port, cookie):
    """The first open question on the phone page, found as a phone's browser finds it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/w/{JOIN_CODE}/", headers={"Cookie": cookie}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        page = response.read().decode()
    found = re.search(r'name="prompt" value="(\d+)"', page)
    if found is None:
        raise RuntimeError(f"no open question on the phone page of {JOIN_CODE}")
    return int(found[1])


def stale_group_members(cookie):
    """How many members the workshop's phone group already has in Redis, before any phone
    joins (None without Redis). A daphne stopped with sockets open leaves them there for a
    day, and every post is then also sent to each of them."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    workshop = re.match(r"cg_participant_(\d+)=", cookie)[1]
    with redis.Redis.from_url(url) as client:
        # "asgi" is channels_redis's default prefix; the group name is live.broadcast's.
        return client.zcard(f"asgi:group:workshop-{workshop}-participants")


# --- Measuring ------------------------------------------------------------------------------


class Board:
    """When each post was sent, and how long each phone took to see it."""

    def __init__(self):
        self.sent = {}
        self.latencies = {}

    def mark_sent(self, seq):
        self.latencies[seq] = []
        self.sent[seq] = time.perf_counter()

    def receiver(self):
        """A phone's frame handler; it counts each post once per phone."""
        seen = set()

        def on_text(frame, now):
            # A frame may batch several posts; a regex over the bytes is far cheaper than
            # decoding and parsing the JSON.
            for match in MARKER.finditer(frame):
                seq = int(match[1])
                if seq not in seen and seq in self.sent:
                    seen.add(seq)
                    self.latencies[seq].append(now - self.sent[seq])

        return on_text

    def received(self, seqs):
        return sum(len(self.latencies[seq]) for seq in seqs)


@dataclass
class Posters:
    """The sockets that post, and what comes back to them: acks, refusals, frame sizes."""

    sockets: list = field(default_factory=list)
    acks: int = 0
    errors: list = field(default_factory=list)
    frame_sizes: list = field(default_factory=list)

    def pick(self, turn):
        """The poster whose turn it is, or the next one the server has not hung up on."""
        count = len(self.sockets)
        for step in range(count):
            socket = self.sockets[(turn + step) % count]
            if socket.is_open:
                return socket
        raise RuntimeError("the server hung up on every poster")

    def on_text(self, frame, now):
        if frame.startswith(b'{"type": "ack"'):
            self.acks += 1
        elif frame.startswith(b'{"type": "error"'):
            self.errors.append(json.loads(frame).get("message"))
        elif frame.startswith(b'{"events"') and len(MARKER.findall(frame)) == 1:
            self.frame_sizes.append(len(frame))


@dataclass
class Target:
    """One server under test: its phones, its posters, and how a post is worded for it."""

    name: str
    phones: list
    posters: Posters
    processes: list
    message: object  # seq -> text to send


def contribution(prompt):
    def message(seq):
        return json.dumps(
            {
                "type": "contribute",
                "prompt": prompt,
                "client_id": str(uuid.uuid4()),
                "text": f"Fan-out bench post mk{seq:07d}k",
            }
        )

    return message


def relay_frame(size):
    """A frame shaped like the app's upsert and padded to the app's frame size."""

    def message(seq):
        html = f'<li id="contribution-{seq}"><p>Fan-out bench post mk{seq:07d}k</p></li>'
        event = {"op": "upsert", "id": f"contribution-{seq}", "into": "feed-1", "html": html}
        bare = json.dumps({"events": [event]})
        event["html"] += " " * max(0, size - len(bare))
        return json.dumps({"events": [event]})

    return message


async def post_at(target, board, rate, seqs):
    """Send one post per 1/rate seconds on a fixed schedule, so a slow send does not drift."""
    start = time.perf_counter()
    for i, seq in enumerate(seqs):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        poster = target.posters.pick(i)
        board.mark_sent(seq)
        poster.send(target.message(seq))


async def wait_delivered(board, seqs, phones, timeout):
    expected = len(seqs) * phones
    deadline = time.perf_counter() + timeout
    while board.received(seqs) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)


def cpu_snapshot(target):
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0)
    return [cpu_seconds(p) for p in target.processes], cpu_seconds(psutil.Process()), busy


def cpu_share(before, after, seconds):
    """CPU used over a phase, in percent of one core: by each server process, by the bench,
    and by everything else on the machine (other work here skews the figures)."""

    def pct(used):
        return round(100 * used / seconds)

    server = [end - start for start, end in zip(before[0], after[0], strict=True)]
    client = after[1] - before[1]
    others = after[2] - before[2] - sum(server) - client
    return {
        "server_pct": [pct(used) for used in server],
        "client_pct": pct(client),
        "others_pct": max(0, pct(others)),
    }


async def wait_quiet(processes, limit=30.0):
    """Wait, bounded, until the servers have worked off any backlog: a backlog left over
    from one phase would otherwise slow the next one's phones."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        before = [cpu_seconds(p) for p in processes]
        await asyncio.sleep(0.5)
        pairs = zip(processes, before, strict=True)
        busiest = max(cpu_seconds(process) - used for process, used in pairs) / 0.5
        if busiest < QUIET_CPU:
            return True
    return False


async def measure(target, board, rate, seqs):
    errors_before = len(target.posters.errors)
    cpu_before, started = cpu_snapshot(target), time.perf_counter()
    await post_at(target, board, rate, seqs)
    await wait_delivered(board, seqs, len(target.phones), STRAGGLER_WAIT)
    cpu = cpu_share(cpu_before, cpu_snapshot(target), time.perf_counter() - started)
    latencies = [value for seq in seqs for value in board.latencies[seq]]
    expected = len(seqs) * len(target.phones)
    result = {
        "posts": len(seqs),
        "delivered": round(len(latencies) / expected, 4),
        **latency_summary(latencies),
        **cpu,
    }
    quiet = await wait_quiet(target.processes)
    # Phones the server hung up on so far in the run: each misses everything after.
    result["phones_dropped"] = sum(phone.lost for phone in target.phones)
    result["posters_dropped"] = sum(poster.lost for poster in target.posters.sockets)
    # What turned up after the straggler wait: late, but not lost.
    result["delivered_eventually"] = round(board.received(seqs) / expected, 4)
    if not quiet:
        result["still_busy"] = True
    if len(target.posters.errors) > errors_before:
        result["errors"] = target.posters.errors[errors_before:][:3]
    await asyncio.sleep(SETTLE)
    return result


# --- The run --------------------------------------------------------------------------------


def sequence(start=1):
    """Post numbers, unique across the whole run so no late frame is counted twice."""
    counter = start

    def take(count):
        nonlocal counter
        taken = range(counter, counter + count)
        counter += count
        return taken

    return take


async def open_target(name, urls, board, cookies, phones, posters, processes):
    """Connect phones, then posters, round-robin across the server's processes."""

    def url(i):
        return urls[i % len(urls)]

    def cookie(i):
        return cookies[i] if cookies else None

    phone_sockets = await open_many([(url(i), cookie(i), board.receiver()) for i in range(phones)])
    poster_group = Posters()
    poster_group.sockets = await open_many(
        [(url(i), cookie(phones + i), poster_group.on_text) for i in range(posters)]
    )
    return Target(name, phone_sockets, poster_group, processes, message=None)


async def warm_up(target, board, take):
    """One unmeasured post per poster: first-use costs (templates, queries, caches, a fresh
    socket's buffers) are not fan-out."""
    seqs = take(len(target.posters.sockets))
    await post_at(target, board, 5, seqs)
    await wait_delivered(board, seqs, len(target.phones), STRAGGLER_WAIT)
    await asyncio.sleep(SETTLE)


async def bench(args, ports, daphnes, relay_port, relay, cookies):
    posters = poster_count(args.rates)
    app_urls = [f"ws://127.0.0.1:{port}/ws/w/{JOIN_CODE}/" for port in ports]
    board, take = Board(), sequence()
    figures = {"daphne_rss_mb_empty": [rss_mb(p) for p in daphnes]}

    app = await open_target("app", app_urls, board, cookies, args.phones, posters, daphnes)
    app.message = contribution(open_prompt(ports[0], cookies[-1]))
    await asyncio.sleep(SETTLE)
    figures["daphne_rss_mb"] = [rss_mb(p) for p in daphnes]
    relay_url = f"ws://127.0.0.1:{relay_port}/"
    relay_target = await open_target(
        "relay", [relay_url], board, None, args.phones, posters, [relay]
    )
    figures["relay_rss_mb"] = rss_mb(relay)
    log(f"connected {args.phones} phones to the app and to the relay, {posters} posters each")

    await warm_up(app, board, take)
    sizes = app.posters.frame_sizes
    relay_target.message = relay_frame(int(median(sizes)) if sizes else FALLBACK_FRAME_BYTES)
    await warm_up(relay_target, board, take)

    # Every relay phase first: the relay never falls behind, so nothing of the app's
    # backlog can reach into its figures.
    relay_results = [
        await measure(relay_target, board, rate, take(posts(rate, args.duration)))
        for rate in args.rates
    ]
    log("relay measured")
    figures["rates"] = {}
    for rate, relay_result in zip(args.rates, relay_results, strict=True):
        app_result = await measure(app, board, rate, take(posts(rate, args.duration)))
        figures["rates"][f"{rate:g}"] = compare(app_result, relay_result)
        log(f"app measured at {rate:g}/s")

    # Hang up on the app politely: a daphne that is stopped with sockets open leaves their
    # channels in Redis's groups for a day, and the next run would pay to send to them.
    await asyncio.gather(*(socket.close() for socket in app.phones + app.posters.sockets))
    await wait_quiet(daphnes, limit=10)
    for socket in relay_target.phones + relay_target.posters.sockets:
        socket.abort()
    figures["frame_bytes"] = int(median(sizes)) if sizes else None
    return figures


def poster_count(rates):
    return max(1, math.ceil(max(rates) / POSTS_PER_POSTER_PER_SECOND))


def posts(rate, duration):
    return max(1, round(rate * duration))


def compare(app_result, relay_result):
    app_p95, relay_p95 = app_result["p95_ms"], relay_result["p95_ms"]
    ratio = round(app_p95 / relay_p95, 1) if app_p95 and relay_p95 else None
    return {"app": app_result, "relay": relay_result, "p95_ratio": ratio}


def describe(result):
    log(
        f"\nLive fan-out: {result['phones']} phones, {result['processes']} daphne process(es), "
        f"{result['database']} + {result['layer']} layer, {result['duration_s']:g} s per rate"
    )
    log(
        f"daphne RSS: {result['daphne_rss_mb_empty']} MB empty, {result['daphne_rss_mb']} MB "
        f"with the phones connected; relay {result['relay_rss_mb']} MB"
    )
    log(
        f"{'rate':>5} {'server':>6} {'delivered':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'in the end':>10}  cpu % of a core: server / bench / other work"
    )
    for rate, pair in result["rates"].items():
        for name in ("relay", "app"):
            row = pair[name]
            log(
                f"{rate + '/s':>5} {name:>6} {row['delivered']:>9.2%} {row['p50_ms']!s:>8} "
                f"{row['p95_ms']!s:>8} {row['p99_ms']!s:>8} {row['delivered_eventually']:>10.2%}"
                f"  {row['server_pct']} / {row['client_pct']} / {row['others_pct']}"
                f"{'  (server still busy after 30 s)' if row.get('still_busy') else ''}"
            )
            if row["phones_dropped"]:
                log(f"      {row['phones_dropped']} phones dropped by the server so far")
            for error in row.get("errors", []):
                log(f"      error from the app: {error}")
        log(f"{'':>5} p95 app / relay = {pair['p95_ratio']}")
    warn_about_surroundings(result)


def warn_about_surroundings(result):
    """Say so when something outside the app probably shaped the figures."""
    if result["layer"] == "redis" and any(
        pair["app"]["delivered_eventually"] == 0 for pair in result["rates"].values()
    ):
        log(
            "warning: nothing reached the phones; if anything else uses this Redis database, "
            "it may have flushed the channel layer's groups (a test run's cache.clear() "
            "does): give the bench a database of its own, e.g. redis://127.0.0.1:6379/11"
        )
    if result["stale_group_members"]:
        log(
            f"warning: the phones' group already had {result['stale_group_members']} members "
            "in Redis before the run, left by servers stopped with sockets open; every post "
            "went to them too"
        )
    busiest = max(
        row["others_pct"]
        for pair in result["rates"].values()
        for row in pair.values()
        if isinstance(row, dict)
    )
    if busiest > BUSY_MACHINE_PCT:
        log(
            f"warning: other work on this machine used up to {busiest}% of a core while "
            "measuring; the figures are skewed by it"
        )


def main():
    args = parse_args()
    if args.serve_relay:
        raise_open_files(4096 + 2 * args.phones)
        asyncio.run(serve_relay(args.serve_relay))
        return
    raise_open_files(4096 + 4 * args.phones)
    posters = poster_count(args.rates)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    database = "postgresql" if on_postgres else "sqlite"
    started = time.strftime("%Y-%m-%d %H:%M")
    log(f"preparing a fresh {database} database")
    with servers.database() as url:
        cookies = servers.participant_cookies(url, args.phones + posters)
        stale = stale_group_members(cookies[0])
        with (
            servers.daphnes(url, args.processes, CONTRIBUTIONS_PER_MINUTE="100000") as ports,
            relay_process() as (relay_port, relay),
        ):
            daphnes = [child_processes("daphne", str(port))[0] for port in ports]
            figures = asyncio.run(bench(args, ports, daphnes, relay_port, relay, cookies))
    result = {
        "date": started,
        "cpus": os.cpu_count(),
        "phones": args.phones,
        "processes": args.processes,
        "duration_s": args.duration,
        "database": database,
        "layer": "redis" if os.environ.get("REDIS_URL") else "memory",
        "stale_group_members": stale,
        **figures,
    }
    describe(result)
    emit(result)


if __name__ == "__main__":
    sys.exit(main())
