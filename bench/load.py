"""Load: a room of phones posting and voting for minutes, then a count of what was saved.

    .venv/bin/python bench/load.py [--phones 300] [--seconds 120] [--processes 1]
                                   [--post-every 20,40] [--vote-every 5,10|off] [--logs DIR]

It starts what it measures: daphne on a fresh migrated and seeded database (servers.py).
With no DATABASE_URL / REDIS_URL that is one daphne on SQLite with the in-memory channel
layer; with them, PostgreSQL and Redis, and `--processes K` daphne processes behind Redis.

Each simulated phone joins the live demo workshop over its own socket and behaves like a
person in the room: it posts every 20-40 s (with jitter, each post with its own client id)
and, every 5-10 s, votes agree, disagree or pass on the newest post it has been shown and
has not yet voted on (never its own). Rate limits are raised for the run.

What is counted:
  server errors  error records in the daphne logs (a line with "ERROR", or a traceback: one
                 per incident, so a socket closed with 1011 counts once, by its logged
                 "Exception inside application"), HTTP 5xx, and sockets dropped without a
                 closing handshake;
  refused        error frames: the app's answers to posts and votes it will not take (this
                 bench sends none it should refuse, so any is reported and fails the run);
  unanswered     posts or votes with no answer 20 s after the last was sent;
  lost           acked posts or votes that are not in the database afterwards;
  duplicated     posts saved more than once.
The database is read afterwards by a Django subprocess. Stderr gets a readable summary; the
last line of stdout is one JSON object with the figures. Exits 1 unless every count of
trouble is zero.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import psutil
import servers
from common import (
    child_processes,
    cpu_seconds,
    emit,
    latency_summary,
    log,
    open_phone,
    raise_open_files,
    rss_mb,
)

JOIN_CODE = "SEND25"
CHOICES = ("agree", "disagree", "pass")
CHOICE_WEIGHTS = (5, 3, 2)
CONNECT_AT_ONCE = 50
DRAIN_SECONDS = 20.0  # how long answers may take after the last post or vote
SETTLE = 1.0
HIGH_LIMIT = "100000"  # per participant per minute: no phone here comes near it

SENTENCES = (
    "Parents should not have to fight for support that the plan already says their child needs.",
    "Early help in nursery would save families years of waiting.",
    "Schools need training and time to make reasonable adjustments properly.",
    "Health and education budgets should be pooled so nobody argues about who pays.",
    "Young people want to be asked, not told, what their support looks like.",
    "Transition to college is where support falls away; plan it a year earlier.",
    "A core offer in every area would make it clear what anyone can expect.",
    "Therapists are too few; families wait so long the need changes.",
    "Mainstream schools can include more children if specialists visit regularly.",
    "Tribunals should be a last resort, not the usual way to get a decision.",
    "Local councils and health boards must share data so families tell their story once.",
    "Agree with the vision, but the sequencing of changes matters as much as the changes.",
)

# Run by a subprocess against the bench database: every post of this run and its votes.
READ_BACK = """
import json, sys
import django
django.setup()
from participants.models import Contribution, Vote
marker = sys.argv[1]
posts = Contribution.objects.filter(text__startswith=marker)
votes = Vote.objects.filter(contribution__text__startswith=marker)
print(json.dumps({
    "posts": [[p.pk, str(p.client_id), p.text, p.participant_id, p.state] for p in posts],
    "votes": list(votes.values_list("participant_id", "contribution_id", "choice")),
}))
"""

UPSERT = re.compile(rb'"op": "upsert", "id": "contribution-(\d+)"')
HTTP_5XX = re.compile(r'"[A-Z]+ [^"]*" 5\d\d ')
TRACEBACK = "Traceback (most recent call last):"
# A traceback after one of these continues the incident before it.
CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=300, help="simulated phones (300)")
    parser.add_argument("--seconds", type=float, default=120.0, help="how long they act (120)")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes (1)")
    parser.add_argument("--seed", type=int, help="seed for the phones' choices (random)")
    parser.add_argument("--logs", metavar="DIR", help="keep the daphne logs in DIR")
    parser.add_argument(
        "--post-every", default="20,40", metavar="MIN,MAX", help="seconds between posts (20,40)"
    )
    parser.add_argument(
        "--vote-every",
        default="5,10",
        metavar="MIN,MAX",
        help="seconds between votes, or 'off' (5,10)",
    )
    args = parser.parse_args()
    try:
        args.post_every = interval(args.post_every)
        args.vote_every = None if args.vote_every == "off" else interval(args.vote_every)
    except ValueError as error:
        parser.error(str(error))
    if args.processes > 1 and not os.environ.get("REDIS_URL"):
        parser.error("--processes above 1 needs REDIS_URL: processes share phones through Redis")
    if args.phones < 2 or args.seconds <= 0 or args.processes < 1:
        parser.error("at least 2 phones, 1 process and a positive number of seconds")
    return args


def busy_seconds():
    """CPU seconds the whole machine has spent busy since boot."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0)


def interval(text):
    low, high = (float(part) for part in text.split(","))
    if not 0 < low <= high:
        raise ValueError(f"an interval is MIN,MAX with 0 < MIN <= MAX, not {text!r}")
    return low, high


def participant_id(cookie):
    """The participant id in a join cookie: the token's payload is base64 JSON, then signed."""
    payload = cookie.split("=", 1)[1].split(":", 1)[0]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["p"]


class Tally:
    """Everything the phones saw, for the figures at the end."""

    def __init__(self):
        self.post_latency = []
        self.vote_latency = []
        self.refused = Counter()
        self.acked_posts = {}  # client id -> (contribution id, text, participant id)
        self.acked_votes = Counter()  # (participant id, contribution id, choice)


class LoadPhone:
    """One person's phone: what it sent, what came back, and what it was shown."""

    def __init__(self, number, cookie, url, tally, marker, prompts, rng, every):
        self.number = number
        self.post_every, self.vote_every = every
        self.cookie = cookie
        self.participant = participant_id(cookie)
        self.url = url
        self.tally = tally
        self.marker = marker
        self.prompts = prompts
        self.rng = rng
        self.socket = None
        self.posts_sent = 0
        self.votes_sent = 0
        self.pending_posts = {}  # client id -> (sent at, text)
        self.pending_votes = {}  # contribution id -> (sent at, choice)
        self.mine = set()  # ids of this phone's acked posts
        self.shown = {}  # contribution id -> when it arrived
        self.voted = set()
        self.dropped = False  # the server closed or dropped the socket during the run

    # --- Receiving ---------------------------------------------------------------------

    def on_text(self, frame, now):
        if frame.startswith(b'{"events"'):
            for match in UPSERT.finditer(frame):
                self.shown.setdefault(int(match[1]), now)
            return
        message = json.loads(frame)
        if message.get("type") == "ack" and "client_id" in message:
            sent = self.pending_posts.pop(message["client_id"], None)
            if sent is not None:
                self.tally.post_latency.append(now - sent[0])
                self.tally.acked_posts[message["client_id"]] = (
                    message["id"],
                    sent[1],
                    self.participant,
                )
            self.mine.add(message["id"])
        elif message.get("type") == "ack" and "contribution" in message:
            sent = self.pending_votes.pop(message["contribution"], None)
            if sent is not None:
                self.tally.vote_latency.append(now - sent[0])
                key = (self.participant, message["contribution"], message["choice"])
                self.tally.acked_votes[key] += 1
        elif message.get("type") == "error":
            self.pending_posts.pop(message.get("client_id"), None)
            self.pending_votes.pop(message.get("contribution"), None)
            self.tally.refused[message.get("message", "")] += 1

    # --- Acting ------------------------------------------------------------------------

    def post(self):
        client_id = str(uuid.uuid4())
        text = (
            f"{self.marker} phone {self.number} post {self.posts_sent}] "
            f"{self.rng.choice(SENTENCES)}"
        )
        frame = {
            "type": "contribute",
            "prompt": self.rng.choice(self.prompts),
            "text": text,
            "client_id": client_id,
        }
        self.pending_posts[client_id] = (time.perf_counter(), text)
        self.posts_sent += 1
        self.socket.send(json.dumps(frame))

    def vote(self):
        """Vote on the newest post shown and not voted on. A post of this phone whose ack is
        still on its way is not known to be its own, so nothing shown after the oldest
        unanswered post is a candidate."""
        horizon = min((sent for sent, _ in self.pending_posts.values()), default=float("inf"))
        candidates = [
            (arrived, contribution)
            for contribution, arrived in self.shown.items()
            if contribution not in self.mine
            and contribution not in self.voted
            and arrived < horizon
        ]
        if not candidates:
            return
        _, contribution = max(candidates)
        choice = self.rng.choices(CHOICES, CHOICE_WEIGHTS)[0]
        self.voted.add(contribution)
        self.pending_votes[contribution] = (time.perf_counter(), choice)
        self.votes_sent += 1
        self.socket.send(
            json.dumps({"type": "vote", "contribution": contribution, "choice": choice})
        )

    async def act(self, until):
        """Post and vote on a person's schedule until `until` (a perf_counter time)."""
        now = time.perf_counter()
        next_post = now + self.rng.uniform(0, self.post_every[1])
        never = float("inf")
        next_vote = now + self.rng.uniform(*self.vote_every) if self.vote_every else never
        while True:
            wake = min(next_post, next_vote)
            if wake >= until:
                return
            await asyncio.sleep(max(0.0, wake - time.perf_counter()))
            if not self.socket.is_open:
                self.dropped = True
                return
            if wake == next_post:
                self.post()
                next_post += self.rng.uniform(*self.post_every)
            else:
                self.vote()
                next_vote += self.rng.uniform(*self.vote_every)


# --- Setup ----------------------------------------------------------------------------------


def get(url, cookie, timeout=60):
    """A page's text. Its status is in daphne's log, where any 5xx is counted."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode()


def open_prompts(port, cookie):
    page = get(f"http://127.0.0.1:{port}/w/{JOIN_CODE}/", cookie)
    prompts = sorted({int(p) for p in re.findall(r'name="prompt" value="(\d+)"', page)})
    if not prompts:
        raise RuntimeError("the live workshop has no open question")
    return prompts


async def connect_all(phones):
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one(phone):
        async with gate:
            phone.socket = await open_phone(phone.url, phone.on_text, phone.cookie)

    await asyncio.gather(*(one(phone) for phone in phones))
    await asyncio.sleep(0.5)
    # A socket the app refuses (4xxx) is the bench set up wrong; any other close is the
    # server failing, counted with the rest at the end.
    refused = [p.socket.close_code for p in phones if 4000 <= (p.socket.close_code or 0) < 5000]
    if refused:
        raise RuntimeError(f"{len(refused)} sockets were refused on joining, codes {refused[:5]}")


# --- The run --------------------------------------------------------------------------------


async def run_phones(args, ports, daphnes, cookies, prompts, tally, marker, rng):
    urls = [f"ws://127.0.0.1:{port}/ws/w/{JOIN_CODE}/" for port in ports]
    every = (args.post_every, args.vote_every)
    phones = [
        LoadPhone(
            n, cookie, urls[n % len(urls)], tally, marker, prompts, random.Random(rng()), every
        )
        for n, cookie in enumerate(cookies)
    ]
    await connect_all(phones)
    log(
        f"{len(phones)} phones connected to {len(ports)} daphne process(es); acting for "
        f"{args.seconds:g} s"
    )
    bench = psutil.Process()
    cpu_before = [cpu_seconds(p) for p in daphnes]
    bench_before = cpu_seconds(bench)
    machine_before = busy_seconds()
    started = time.perf_counter()
    until = started + args.seconds
    progress = asyncio.ensure_future(report_progress(phones, tally, started, until))
    try:
        await asyncio.gather(*(phone.act(until) for phone in phones))
    finally:
        progress.cancel()
    acting = time.perf_counter() - started
    cpu = [
        round(100 * (cpu_seconds(p) - used) / acting)
        for p, used in zip(daphnes, cpu_before, strict=True)
    ]
    bench_cpu = round(100 * (cpu_seconds(bench) - bench_before) / acting)
    # Everything else the machine did meanwhile, in % of one core: other work here takes
    # CPU from the server, and its figures with it.
    others_cpu = max(
        0, round(100 * (busy_seconds() - machine_before) / acting) - sum(cpu) - bench_cpu
    )
    # Answers still on their way, and the last posts reaching every phone.
    deadline = time.perf_counter() + DRAIN_SECONDS
    while time.perf_counter() < deadline and any(
        p.pending_posts or p.pending_votes for p in phones if p.socket.is_open
    ):
        await asyncio.sleep(0.1)
    await asyncio.sleep(SETTLE)
    for phone in phones:
        if not phone.socket.is_open or phone.socket.lost:
            phone.dropped = True
    closes = Counter(p.socket.close_code or "dropped" for p in phones if p.dropped)
    acked_ids = {value[0] for value in tally.acked_posts.values()}
    live = [p for p in phones if not p.dropped]
    per_phone = sorted(len(acked_ids & p.shown.keys()) for p in live)
    delivered, expected = sum(per_phone), len(acked_ids) * len(live)
    figures = {
        "posts": sum(p.posts_sent for p in phones),
        "votes": sum(p.votes_sent for p in phones),
        "unanswered": sum(len(p.pending_posts) + len(p.pending_votes) for p in phones),
        "closes": {str(code): count for code, count in closes.items()},
        "delivered": round(delivered / expected, 4) if expected else None,
        # The share of acked posts the worst-served and the median phone were shown.
        "delivered_min": round(per_phone[0] / len(acked_ids), 4) if expected else None,
        "delivered_median": round(per_phone[len(per_phone) // 2] / len(acked_ids), 4)
        if expected
        else None,
        "acting_s": round(acting, 1),
        "daphne_cpu_pct": cpu,
        "bench_cpu_pct": bench_cpu,
        "others_cpu_pct": others_cpu,
        "daphne_rss_mb": [rss_mb(p) for p in daphnes],
    }
    # People leave as they came, a few dozen at a time. (Every phone of a room dropping at
    # the same moment is a fault of its own: tests/test_faults.py.)
    for start in range(0, len(phones), CONNECT_AT_ONCE):
        for phone in phones[start : start + CONNECT_AT_ONCE]:
            phone.socket.abort()
        await asyncio.sleep(0.5)
    return figures


async def report_progress(phones, tally, started, until, every=15.0):
    while True:
        await asyncio.sleep(every)
        elapsed = time.perf_counter() - started
        log(
            f"  {elapsed:5.0f} s: {sum(p.posts_sent for p in phones)} posts "
            f"({len(tally.acked_posts)} acked), {sum(p.votes_sent for p in phones)} votes, "
            f"{sum(p.dropped or not p.socket.is_open for p in phones)} phones dropped"
        )
        if time.perf_counter() >= until:
            return


def read_back(database_url, marker):
    env = servers.app_env(database_url, DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [servers.PYTHON, "-c", READ_BACK, marker],
        cwd=servers.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(done.stdout.splitlines()[-1])


def verify(saved, tally):
    """Lost and duplicated posts and votes, from what the database holds."""
    rows_by_text = Counter(text for _, _, text, _, _ in saved["posts"])
    duplicated = sum(count - 1 for count in rows_by_text.values() if count > 1)
    saved_posts = {(pk, text, participant) for pk, _, text, participant, _ in saved["posts"]}
    lost_posts = sum(1 for value in tally.acked_posts.values() if value not in saved_posts)
    saved_votes = Counter(tuple(vote) for vote in saved["votes"])
    lost_votes = sum((tally.acked_votes - saved_votes).values())
    return {
        "posts_saved": len(saved["posts"]),
        "votes_saved": len(saved["votes"]),
        "lost": lost_posts + lost_votes,
        "lost_posts": lost_posts,
        "lost_votes": lost_votes,
        "duplicated": duplicated,
        # Votes in the database that no ack accounts for (a vote saved, its answer lost).
        "votes_unacked_in_db": sum((saved_votes - tally.acked_votes).values()),
    }


def log_trouble(log_folder):
    """Error incidents in the daphne logs, as {summary: count}, and the HTTP 5xx they record.

    A logged error is one incident however many lines its traceback takes, and chained
    tracebacks ("During handling of the above exception...") belong to the first. An
    incident is summed up by the line logged before its traceback and its last exception.
    """
    incidents, http_5xx = Counter(), 0

    def record(incident):
        if incident:
            incidents[f"{incident[0]} -> {incident[1]}"[:240]] += 1

    for path in sorted(Path(log_folder).glob("daphne-*.log")):
        previous, incident, in_traceback = "", None, False
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith(TRACEBACK):
                if not (incident and previous.startswith(CHAINED)):
                    record(incident)
                    incident = [previous.strip() or "traceback", ""]
                in_traceback = True
            elif in_traceback and line and not line.startswith(" "):
                incident[1] = line.strip()  # the exception ends this traceback
                in_traceback = False
            elif "ERROR" in line:
                incidents[line.strip()[:240]] += 1
            elif HTTP_5XX.search(line):
                http_5xx += 1
            if line.strip():
                previous = line
        record(incident)
    return incidents, http_5xx


def describe(result, incidents, refusals):
    log(
        f"\nLoad: {result['phones']} phones for {result['seconds']:g} s on "
        f"{result['processes']} daphne process(es), {result['database']} + "
        f"{result['layer']} layer"
    )
    log(
        f"posts:  {result['posts']} sent, {result['post_acks']} acked, "
        f"{result['posts_saved']} saved ({result['posts_per_s']}/s); ack p50 / p95 / p99 = "
        f"{result['p50_ack_ms']} / {result['p95_ack_ms']} / {result['p99_ack_ms']} ms"
    )
    log(
        f"votes:  {result['votes']} sent, {result['vote_acks']} acked, "
        f"{result['votes_saved']} saved ({result['votes_per_s']}/s); ack p50 / p95 / p99 = "
        f"{result['p50_vote_ack_ms']} / {result['p95_vote_ack_ms']} / "
        f"{result['p99_vote_ack_ms']} ms"
    )
    log(
        f"live:   phones were shown {result['delivered']:.2%} of acked posts (median phone "
        f"{result['delivered_median']:.2%}, worst {result['delivered_min']:.2%})"
        if result["delivered"] is not None
        else "live:   no posts to deliver"
    )
    log(
        f"daphne: {result['daphne_cpu_pct']} % of a core, {result['daphne_rss_mb']} MB RSS; "
        f"bench {result['bench_cpu_pct']} %; other work on the machine "
        f"{result['others_cpu_pct']} % of the {result['cpus']} cores' {100 * result['cpus']} %"
    )
    log(
        f"trouble: {result['server_errors']} server errors, {result['refused']} refused, "
        f"{result['unanswered']} unanswered, {result['lost']} lost, "
        f"{result['duplicated']} duplicated, {result['votes_unacked_in_db']} votes saved "
        f"without an ack; socket closes {result['closes'] or 'none'}"
    )
    for message, count in refusals.most_common(5):
        log(f"  refused {count}x: {message}")
    for summary, count in incidents.most_common(10):
        log(f"  logged {count}x: {summary}")
    log("OK" if result["ok"] else "NOT OK")


def main():
    args = parse_args()
    raise_open_files(4096 + 2 * args.phones)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    marker = f"[load {''.join(rng.choices('abcdefghijklmnopqrstuvwxyz', k=8))}"
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    layer = "redis" if os.environ.get("REDIS_URL") else "memory"
    log(f"preparing a fresh {'postgresql' if on_postgres else 'sqlite'} database (seed {seed})")
    tally = Tally()
    with (
        tempfile.TemporaryDirectory(prefix="cg-load-") as scratch,
        servers.database() as url,
    ):
        log_folder = Path(args.logs or scratch)
        log_folder.mkdir(parents=True, exist_ok=True)
        cookies = servers.participant_cookies(url, args.phones)
        with servers.daphnes(
            url,
            args.processes,
            log_folder,
            CONTRIBUTIONS_PER_MINUTE=HIGH_LIMIT,
            VOTES_PER_MINUTE=HIGH_LIMIT,
        ) as ports:
            daphnes = [child_processes("daphne", str(port))[0] for port in ports]
            prompts = open_prompts(ports[0], cookies[0])
            figures = asyncio.run(
                run_phones(
                    args,
                    ports,
                    daphnes,
                    cookies,
                    prompts,
                    tally,
                    marker,
                    lambda: rng.randrange(2**32),
                )
            )
        saved = read_back(url, marker)
        incidents, logged_5xx = log_trouble(log_folder)
    checked = verify(saved, tally)
    closes = figures["closes"]
    # A 1011 close is logged ("Exception inside application"), so it is counted there;
    # every HTTP answer is logged too, the bench's own requests included.
    server_errors = sum(incidents.values()) + logged_5xx + closes.get("dropped", 0)
    acting = figures["acting_s"]
    post_ms = latency_summary(tally.post_latency)
    vote_ms = latency_summary(tally.vote_latency)
    result = {
        "phones": args.phones,
        "seconds": args.seconds,
        "processes": args.processes,
        "database": "postgresql" if on_postgres else "sqlite",
        "layer": layer,
        "posts": figures["posts"],
        "votes": figures["votes"],
        "post_acks": len(tally.post_latency),
        "vote_acks": len(tally.vote_latency),
        **{key: checked[key] for key in ("posts_saved", "votes_saved")},
        "posts_per_s": round(figures["posts"] / acting, 1),
        "votes_per_s": round(figures["votes"] / acting, 1),
        "server_errors": server_errors,
        "refused": sum(tally.refused.values()),
        "unanswered": figures["unanswered"],
        "lost": checked["lost"],
        "duplicated": checked["duplicated"],
        "votes_unacked_in_db": checked["votes_unacked_in_db"],
        "closes": closes,
        "p50_ack_ms": post_ms["p50_ms"],
        "p95_ack_ms": post_ms["p95_ms"],
        "p99_ack_ms": post_ms["p99_ms"],
        "p50_vote_ack_ms": vote_ms["p50_ms"],
        "p95_vote_ack_ms": vote_ms["p95_ms"],
        "p99_vote_ack_ms": vote_ms["p99_ms"],
        "delivered": figures["delivered"],
        "delivered_min": figures["delivered_min"],
        "delivered_median": figures["delivered_median"],
        "daphne_cpu_pct": figures["daphne_cpu_pct"],
        "daphne_rss_mb": figures["daphne_rss_mb"],
        "bench_cpu_pct": figures["bench_cpu_pct"],
        "others_cpu_pct": figures["others_cpu_pct"],
        "cpus": os.cpu_count(),
        # Other work on the machine slows the server's every round trip: say how busy it was.
        "load_avg_1m": round(os.getloadavg()[0], 1),
        "seed": seed,
    }
    trouble = ("server_errors", "refused", "unanswered", "lost", "duplicated")
    result["ok"] = (
        all(result[key] == 0 for key in trouble)
        and result["votes_unacked_in_db"] == 0
        and not closes
    )
    describe(result, incidents, tally.refused)
    emit(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
