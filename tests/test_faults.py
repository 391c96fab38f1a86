"""Faults, tested with real processes: Redis, the Celery worker and daphne go away
mid-workshop; a room falls quiet, votes in a burst, and loses its Wi-Fi all at once.

Each test runs its own redis-server on a free port, so it can kill and restart it without
touching the shared one, and no other run's sockets, queued tasks or FLUSHDB (the test
suite's cache.clear()) mix with its own. The database is one fresh migrated and seeded
PostgreSQL database for the module (servers.py). Every wait is bounded; every process
started here is stopped in a `finally`.
"""

import asyncio
import contextlib
import html
import json
import random
import re
import string
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
import websockets

from bench.common import open_phone
from bench.servers import (
    PYTHON,
    ROOT,
    app_env,
    daphne_command,
    database,
    free_port,
    participant_cookies,
    wait_for_port,
)
from tests.helpers import page_origin, reply_to_sender, run_async

pytestmark = pytest.mark.services

JOIN_CODE = "SEND25"
# What live.js treats as "do not reconnect": any other close means "paused, reconnecting".
FINAL_CLOSE_CODES = (4403, 4404)
HIGH_LIMITS = {"CONTRIBUTIONS_PER_MINUTE": "10000", "VOTES_PER_MINUTE": "10000"}


# --- Processes ------------------------------------------------------------------------------


def stop(process, timeout=10):
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


class RedisServer:
    """A redis-server of our own on a fixed port, which a test may kill and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=10)
        assert self.process.poll() is None, f"redis-server could not start on {self.port}"

    def kill(self):
        """Gone at once, as a crashed or unplugged Redis is: no goodbye to any client."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None:
            stop(self.process)


@contextlib.contextmanager
def redis_server():
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Daphne:
    """One daphne process on a fixed port, which a test may stop and start again there."""

    def __init__(self, env, log_folder, port=None):
        self.env = env
        self.port = port or free_port()
        self.log_folder = log_folder
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        with open(self.log_folder / f"daphne-{self.port}-{self.starts}.log", "w") as log:
            self.process = subprocess.Popen(
                daphne_command(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, timeout=30)

    def stop(self):
        if self.process is not None:
            stop(self.process)


@contextlib.contextmanager
def daphne(env, log_folder):
    server = Daphne(env, log_folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --- The module's database and people -------------------------------------------------------


@pytest.fixture(scope="module")
def server_db():
    """One fresh database for the module: making one costs several seconds."""
    with database() as url:
        yield url


@pytest.fixture(scope="module")
def people(server_db):
    """Cookie headers of new participants of the live workshop; each test takes its own."""
    return iter(participant_cookies(server_db, 200))


def take(people, count):
    taken = [next(people) for _ in range(count)]
    return taken[0] if count == 1 else taken


@pytest.fixture(scope="module")
def steady_server(server_db, tmp_path_factory):
    """A daphne on a Redis of its own that nothing here stops, for tests of steady running;
    yields the daphne and its log folder."""
    log_folder = tmp_path_factory.mktemp("steady")
    with redis_server() as redis_box:
        env = app_env(server_db, REDIS_URL=redis_box.url, **HIGH_LIMITS)
        with daphne(env, log_folder) as server:
            yield server, log_folder


class Log:
    """The steady daphne's log, read from a mark: tests sharing the daphne see only their
    own part of it."""

    def __init__(self, folder):
        self.paths = sorted(folder.glob("daphne-*.log"))
        self.start = {path: path.stat().st_size for path in self.paths}

    def lines(self, *needles):
        found = []
        for path in self.paths:
            with open(path) as log:
                log.seek(self.start[path])
                found += [
                    line for line in log.read().splitlines() if any(n in line for n in needles)
                ]
        return found


# A consumer that raised: daphne closes its socket with 1011 and logs this.
CRASHED = "Exception inside application"


def query(database_url, sql, *params):
    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def run_marker():
    """Letters only: digits and letters mixed could look like a postcode and be masked."""
    return "".join(random.choices(string.ascii_lowercase, k=10))


# --- HTTP as a phone's browser ---------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(port, path, cookie, data=None, timeout=30):
    """(status, body, Set-Cookie headers) of one request; redirects are not followed."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=urllib.parse.urlencode(data).encode() if data is not None else None,
        headers={"Cookie": cookie},
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers.get_all("Set-Cookie")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get_all("Set-Cookie")


def feed(port, cookie):
    status, page, _ = http(port, f"/w/{JOIN_CODE}/", cookie)
    assert status == 200, page[:500]
    return html.unescape(page)


def post_over_http(port, cookie, prompt, text, client_id):
    """Post as the page's form does: the CSRF cookie and token come from the feed page."""
    status, page, set_cookies = http(port, f"/w/{JOIN_CODE}/", cookie)
    assert status == 200, page[:500]
    csrf_cookie = next(c.split(";")[0] for c in set_cookies or [] if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return http(
        port,
        f"/w/{JOIN_CODE}/post/",
        f"{cookie}; {csrf_cookie}",
        {"csrfmiddlewaretoken": token, "prompt": prompt, "text": text, "client_id": client_id},
    )


def open_prompt(port, cookie):
    page = feed(port, cookie)
    return int(re.search(r'name="prompt" value="(\d+)"', page).group(1))


# --- Sockets as a phone's page ---------------------------------------------------------------


def socket_url(port):
    return f"ws://127.0.0.1:{port}/ws/w/{JOIN_CODE}/"


async def connect(port, cookie, timeout=5):
    return await asyncio.wait_for(
        websockets.connect(
            socket_url(port),
            additional_headers={**page_origin(port), "Cookie": cookie},
            open_timeout=timeout,
        ),
        timeout,
    )


def contribute_frame(prompt, text, client_id):
    return json.dumps(
        {"type": "contribute", "prompt": prompt, "text": text, "client_id": str(client_id)}
    )


async def wait_for_text(socket, text, timeout):
    """True once an event carrying `text` arrives on the socket within `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if any(text in op.get("html", "") for op in frame.get("events", [])):
                return True


async def closed_within(socket, timeout):
    """The close code if the server closes the socket within `timeout` seconds, else None.

    Frames that arrive meanwhile are read and dropped: a page that stops hearing is what
    matters, and a closed socket is how live.js learns to say live updates are paused.
    """
    try:
        async with asyncio.timeout(timeout):
            while True:
                await socket.recv()
    except websockets.ConnectionClosed:
        return socket.close_code if socket.close_code is not None else 1006
    except TimeoutError:
        return None


async def reconnect(port, cookie, deadline):
    """Connect as live.js does after a close: back off and try again until the deadline."""
    delay = 0.2
    last_error = None
    while time.monotonic() < deadline:
        try:
            socket = await connect(port, cookie)
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            last_error = error
        else:
            # The app accepts, then closes a socket it cannot serve: give it a moment.
            try:
                await asyncio.wait_for(asyncio.shield(socket.wait_closed()), 0.5)
            except TimeoutError:
                return socket
            last_error = ConnectionError(f"closed at once with {socket.close_code}")
        await asyncio.sleep(delay * (0.5 + random.random() / 2))
        delay = min(delay * 2, 2.0)
    raise AssertionError(f"the socket could not reconnect: {last_error!r}")


# --- Redis down mid-workshop ------------------------------------------------------------------


def test_redis_down_http_posts_still_save_and_sockets_recover(server_db, people, tmp_path):
    """With Redis gone, a post over HTTP saves and sockets close (the page says live updates
    are paused); with Redis back, a reconnecting socket hears new posts and a re-sync shows
    the post sent while Redis was down."""
    author, listener, other = take(people, 3)
    marker = run_marker()
    offline_text = f"Sent while redis was down {marker}"
    after_text = f"Sent after redis came back {marker}"

    async def scenario(server, redis_box):
        prompt = open_prompt(server.port, author)
        socket = await connect(server.port, listener)
        try:
            # Live updates work to begin with.
            async with await connect(server.port, other) as poster:
                await poster.send(contribute_frame(prompt, f"Before {marker}", uuid.uuid4()))
                assert await wait_for_text(socket, f"Before {marker}", timeout=10)

            redis_box.kill()
            code = await closed_within(socket, timeout=10)
            assert code is not None, "the socket neither closed nor failed with Redis down"
            assert code not in FINAL_CLOSE_CODES, f"closed with {code}: live.js would give up"

            # Posting over HTTP still works, and the post is saved.
            client_id = str(uuid.uuid4())
            status, body, _ = await asyncio.to_thread(
                post_over_http, server.port, author, prompt, offline_text, client_id
            )
            assert status == 302, (status, body[:1000])
            saved = query(
                server_db,
                "SELECT count(*) FROM participants_contribution WHERE client_id = %s "
                "AND text = %s AND state = 'visible'",
                uuid.UUID(client_id),
                offline_text,
            )
            assert saved == [(1,)]
            assert offline_text in await asyncio.to_thread(feed, server.port, author)

            redis_box.start()  # the same port: the app's REDIS_URL is unchanged
            socket = await reconnect(server.port, listener, time.monotonic() + 20)
            # The reconnected socket is in the workshop's group again: a new post reaches it.
            delivered = False
            async with await reconnect(server.port, other, time.monotonic() + 10) as poster:
                await poster.send(contribute_frame(prompt, after_text, uuid.uuid4()))
                reply = await reply_to_sender(poster)
                assert reply["type"] == "ack", reply
                with contextlib.suppress(TimeoutError):
                    delivered = await wait_for_text(socket, after_text, timeout=10)
            assert delivered, "a socket reconnected after Redis came back heard no new post"
        finally:
            await socket.close()

        # live.js re-syncs on reconnect by fetching the page: everything said is there.
        page = await asyncio.to_thread(feed, server.port, listener)
        assert offline_text in page
        assert after_text in page

    with redis_server() as redis_box:
        env = app_env(server_db, REDIS_URL=redis_box.url, **HIGH_LIMITS)
        with daphne(env, tmp_path) as server:
            run_async(asyncio.wait_for(scenario(server, redis_box), 75))


# --- A quiet spell ------------------------------------------------------------------------------

QUIET_SECONDS = 12  # more than two of the channel layer's 5 s blocking reads on Redis


def test_phone_sockets_stay_open_through_a_quiet_spell(steady_server, people):
    """Nothing is posted for a while (the facilitator is talking): phones' sockets stay
    open, and hear the next post. A close here would make every page re-connect and
    re-fetch itself in turn, over and over, for as long as the room is quiet."""
    author, *listeners = take(people, 3)
    server, log_folder = steady_server
    log = Log(log_folder)
    text = f"After a quiet spell {run_marker()}"

    async def scenario():
        prompt = open_prompt(server.port, author)
        sockets = [await connect(server.port, cookie) for cookie in listeners]
        try:
            codes = await asyncio.gather(
                *(closed_within(socket, QUIET_SECONDS) for socket in sockets)
            )
            assert codes == [None] * len(sockets), f"closed while quiet, with codes {codes}"
            async with await connect(server.port, author) as poster:
                await poster.send(contribute_frame(prompt, text, uuid.uuid4()))
                for socket in sockets:
                    assert await wait_for_text(socket, text, timeout=10)
        finally:
            for socket in sockets:
                await socket.close()

    run_async(asyncio.wait_for(scenario(), 60))
    assert log.lines(CRASHED) == []


# --- A burst of votes --------------------------------------------------------------------------

VOTERS = 5
TALLY_ROW = re.compile(r'<th scope="row">[^<]*</th><td>(\d+)</td>')


def staff_cookie(port, username, password):
    """Log in through the login form, as a facilitator's browser does."""
    status, page, set_cookies = http(port, "/accounts/login/", "")
    assert status == 200, page[:500]
    csrf = next(c.split(";")[0] for c in set_cookies if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
    status, page, set_cookies = http(port, "/accounts/login/", csrf, form)
    assert status == 302, page[:1000]
    return next(c.split(";")[0] for c in set_cookies if c.startswith("sessionid="))


def test_a_burst_of_votes_all_reach_the_console_tallies(steady_server, people):
    """Votes cast close together are batched into one tally update for the console; the
    batch sent after the first must arrive too, and fail nowhere in the server."""
    author, *voters = take(people, 1 + VOTERS)
    marker = run_marker()

    async def scenario(port):
        prompt = open_prompt(port, author)
        session = await asyncio.to_thread(staff_cookie, port, "facilitator", "facilitator-demo")
        workshop_id = int(author.split("=", 1)[0].rpartition("_")[2])  # cg_participant_<pk>
        async with (
            websockets.connect(
                f"ws://127.0.0.1:{port}/ws/facilitate/{workshop_id}/",
                additional_headers={**page_origin(port), "Cookie": session},
            ) as console,
            await connect(port, author) as phone,
        ):
            await phone.send(contribute_frame(prompt, f"Vote on me {marker}", uuid.uuid4()))
            reply = await reply_to_sender(phone)
            assert reply["type"] == "ack", reply
            contribution = reply["id"]
            sockets = [await connect(port, cookie) for cookie in voters]
            try:
                for socket in sockets:  # as fast as a room of thumbs
                    await socket.send(
                        json.dumps(
                            {"type": "vote", "contribution": contribution, "choice": "agree"}
                        )
                    )
                for socket in sockets:
                    reply = await reply_to_sender(socket)
                    assert reply["type"] == "ack", reply
            finally:
                for socket in sockets:
                    await socket.close()
            # The console's tallies for the post end up counting every vote.
            agreed = 0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    while agreed < VOTERS:
                        frame = json.loads(await console.recv())
                        for op in frame.get("events", []):
                            if op.get("id") == f"tallies-{contribution}":
                                agreed = sum(map(int, TALLY_ROW.findall(op["html"])))
            return agreed

    server, log_folder = steady_server
    log = Log(log_folder)
    agreed = run_async(asyncio.wait_for(scenario(server.port), 60))
    failures = log.lines("Live flush", "CurrentThreadExecutor")
    # (With the deferred batch failing, the console shows fewer votes than were cast.)
    assert (agreed, failures) == (VOTERS, [])


# --- The room's Wi-Fi drops ---------------------------------------------------------------------

ROOM = 150  # more phones than a Redis connection pool's default 100 connections


def test_every_phone_dropping_at_once_then_coming_back(steady_server, people):
    """The venue's Wi-Fi drops: every phone's socket goes at the same moment. The server
    lets them all go without failing, and when they reconnect each hears the next post."""
    room, author = take(people, ROOM), take(people, 1)
    server, log_folder = steady_server
    log = Log(log_folder)
    url = socket_url(server.port)
    text = f"After the Wi-Fi came back {run_marker()}"

    async def join(cookies, heard):
        """Connect the room, 50 at a time, on thin sans-I/O sockets (bench/common.py)."""
        gate = asyncio.Semaphore(50)

        async def one(cookie):
            def on_text(frame, now):
                if text.encode() in frame:
                    heard.add(cookie)

            async with gate:
                return await open_phone(url, on_text, cookie)

        return await asyncio.gather(*(one(cookie) for cookie in cookies))

    async def scenario():
        prompt = open_prompt(server.port, author)
        phones = await join(room, set())
        await asyncio.sleep(0.5)
        for phone in phones:
            phone.abort()  # no closing handshake: the network is simply gone
        await asyncio.sleep(2)  # the server notices and lets every socket go
        heard = set()
        phones = await join(room, heard)
        try:
            async with await connect(server.port, author) as poster:
                await poster.send(contribute_frame(prompt, text, uuid.uuid4()))
                deadline = time.monotonic() + 10
                while len(heard) < ROOM and time.monotonic() < deadline:
                    await asyncio.sleep(0.1)
        finally:
            for phone in phones:
                phone.abort()
        closed = [phone.close_code for phone in phones if phone.close_code]
        return len(heard), closed

    heard, closed = run_async(asyncio.wait_for(scenario(), 60))
    assert (heard, closed) == (ROOM, [])
    # A consumer failing to leave its group leaves it behind in Redis, holding messages.
    assert log.lines(CRASHED) == []


# --- Celery worker down -----------------------------------------------------------------------

REQUEST_EXPORT = """
import django
django.setup()
from django.contrib.auth import get_user_model
from synthesis import services
from demo import seed as demo
from workshops.models import Series
analyst = get_user_model().objects.get(username=demo.ANALYST_USERNAME)
series = Series.objects.get(name=demo.SERIES_NAME)
export, created = services.export_request(series=series, kind="contributions_csv", user=analyst)
assert created, "an export of this scope already existed"
print(export.pk)
"""


def export_row(database_url, export_id):
    rows = query(
        database_url,
        "SELECT status, file, error FROM synthesis_reportexport WHERE id = %s",
        export_id,
    )
    return rows[0] if rows else None


def test_an_export_waits_for_a_worker_and_completes_when_one_starts(server_db, tmp_path):
    """With no Celery worker an export stays queued (in Redis, not lost); a worker started
    later builds it."""
    with redis_server() as redis_box:
        env = app_env(
            server_db,
            REDIS_URL=redis_box.url,
            DJANGO_SETTINGS_MODULE="config.settings",
            MEDIA_ROOT=str(tmp_path / "media"),
        )
        requested = subprocess.run(
            [PYTHON, "-c", REQUEST_EXPORT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert requested.returncode == 0, requested.stderr[-2000:]
        export_id = int(requested.stdout.strip().splitlines()[-1])

        # No worker: it waits, queued, with its task held by the broker.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            assert export_row(server_db, export_id)[0] == "queued"
            time.sleep(0.5)
        assert redis.Redis.from_url(redis_box.url).llen("celery") == 1

        log_path = tmp_path / "worker.log"
        with open(log_path, "w") as log:
            worker = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 45
            row = export_row(server_db, export_id)
            while row[0] != "done" and time.monotonic() < deadline:
                assert worker.poll() is None, log_path.read_text()[-2000:]
                time.sleep(0.3)
                row = export_row(server_db, export_id)
        finally:
            stop(worker)
        status, file, error = row
        assert status == "done", (row, log_path.read_text()[-2000:])
        assert file and not error
        assert (tmp_path / "media" / file).stat().st_size > 0


# --- daphne restarted while phones post -------------------------------------------------------

CLIENTS = 20
POSTS_EACH = 10


class Poster:
    """One phone posting its own numbered posts; un-acked posts are sent again after each
    reconnect, with the same client id, as live.js sends its outbox."""

    def __init__(self, number, cookie, prompt, marker):
        self.number = number
        self.cookie = cookie
        self.posts = {
            str(uuid.uuid4()): f"Restart {marker} phone {number} post {n}"
            for n in range(POSTS_EACH)
        }
        self.prompt = prompt
        self.acks = {}  # client id -> contribution id
        self.errors = []
        self.connects = 0

    def unacked(self, sent):
        return [client_id for client_id in sent if client_id not in self.acks]

    async def run(self, port, deadline, on_ack):
        order = list(self.posts)
        sent = []  # client ids handed to the socket, like live.js's outbox
        delay = 0.2
        while len(self.acks) < len(self.posts) and time.monotonic() < deadline:
            try:
                socket = await connect(port, self.cookie)
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                await asyncio.sleep(delay * (0.5 + random.random() / 2))
                delay = min(delay * 2, 2.0)
                continue
            self.connects += 1
            delay = 0.2
            try:
                await self._session(socket, order, sent, deadline, on_ack)
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                pass
            finally:
                await socket.close()

    async def _session(self, socket, order, sent, deadline, on_ack):
        for client_id in self.unacked(sent):  # the outbox, again
            await socket.send(contribute_frame(self.prompt, self.posts[client_id], client_id))
        reader = asyncio.ensure_future(self._read(socket, on_ack))
        try:
            while len(sent) < len(order):
                if reader.done():
                    return reader.result()
                client_id = order[len(sent)]
                sent.append(client_id)
                await socket.send(contribute_frame(self.prompt, self.posts[client_id], client_id))
                await asyncio.sleep(random.uniform(0.2, 0.4))
            # Everything is sent: wait for the answers, or a close that sends them again.
            remaining = max(0.1, deadline - time.monotonic())
            await asyncio.wait_for(asyncio.shield(reader), min(remaining, 5))
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    async def _read(self, socket, on_ack):
        while len(self.acks) < len(self.posts):
            reply = json.loads(await socket.recv())
            if reply.get("type") == "ack" and reply.get("client_id") in self.posts:
                if reply["client_id"] not in self.acks:
                    self.acks[reply["client_id"]] = reply["id"]
                    on_ack()
            elif reply.get("type") == "error":
                self.errors.append(reply)


def test_daphne_restart_while_phones_post_loses_and_duplicates_nothing(server_db, people, tmp_path):
    """20 phones post 10 posts each with retries while daphne is stopped and started again
    on the same port: exactly 200 posts are saved, none twice, and every feed shows all."""
    cookies = take(people, CLIENTS)
    marker = run_marker()
    like = f"Restart {marker} %"
    before = query(server_db, "SELECT count(*) FROM participants_contribution")[0][0]

    async def scenario(server):
        prompt = open_prompt(server.port, cookies[0])
        posters = [Poster(n, cookie, prompt, marker) for n, cookie in enumerate(cookies)]
        half = asyncio.Event()
        acked = 0

        def on_ack():
            nonlocal acked
            acked += 1
            if acked >= CLIENTS * POSTS_EACH // 2:
                half.set()

        deadline = time.monotonic() + 60
        phones = asyncio.gather(*(p.run(server.port, deadline, on_ack) for p in posters))
        try:
            await asyncio.wait_for(half.wait(), 30)
            acked_at_stop = acked
            await asyncio.to_thread(server.stop)
            await asyncio.to_thread(server.start)  # the same port, as a supervisor would
            await asyncio.wait_for(phones, max(1, deadline - time.monotonic() + 5))
        finally:
            phones.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await phones
        return posters, acked_at_stop

    with redis_server() as redis_box:
        env = app_env(server_db, REDIS_URL=redis_box.url, **HIGH_LIMITS)
        with daphne(env, tmp_path) as server:
            posters, acked_at_stop = run_async(scenario(server))
            assert server.starts == 2
            assert acked_at_stop < CLIENTS * POSTS_EACH, "every post was in before the restart"
            # The restart cut phones off mid-stream: they reconnected and sent again.
            assert sum(p.connects >= 2 for p in posters) >= CLIENTS // 2
            assert [p.errors for p in posters if p.errors] == []
            unacked = {p.number: len(p.posts) - len(p.acks) for p in posters}
            assert sum(unacked.values()) == 0, unacked

            rows = query(
                server_db,
                "SELECT id, text, client_id FROM participants_contribution WHERE text LIKE %s",
                like,
            )
            texts = [text for _, text, _ in rows]
            wanted = {text for p in posters for text in p.posts.values()}
            assert len(rows) == CLIENTS * POSTS_EACH
            assert len(set(texts)) == len(texts), "a post was saved twice"
            assert set(texts) == wanted
            after = query(server_db, "SELECT count(*) FROM participants_contribution")[0][0]
            assert after - before == CLIENTS * POSTS_EACH
            # Each ack named the post that was saved.
            acked_ids = {i for p in posters for i in p.acks.values()}
            assert acked_ids == {row_id for row_id, _, _ in rows}

            def missing_from_feed(cookie):
                page = feed(server.port, cookie)
                return [text for text in wanted if text not in page]

            with ThreadPoolExecutor(4) as pool:
                missing = list(pool.map(missing_from_feed, cookies))
            assert missing == [[]] * CLIENTS
