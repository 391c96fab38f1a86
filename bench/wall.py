"""The wall in results mode under a room's votes: how soon a vote shows on the projector.

    .venv/bin/python bench/wall.py [--phones 500] [--votes-per-second 40] [--duration 20]

It starts what it measures: the app (daphne, on a fresh migrated and seeded database, see
servers.py). Four posts are added to a new question of the live demo workshop with enough
votes to be results (two common ground, two where the groups differ), and the wall is
switched to results for that question from the console's service. N phones join over
/ws/w/SEND25/ and one wall over /ws/wall/<id>/; the phones then vote at the given rate in
all, each phone at most once on each post, agreeing with the common-ground posts and, on the
others, agreeing or disagreeing by their group, so the four stay results throughout.

A vote's latency runs from its sending to the first wall frame whose results count it: every
results frame shows each post's votes in all, so the k-th vote sent on a post is on the wall
once the frame shows k more votes on it than before the run.

With no DATABASE_URL / REDIS_URL it runs embedded (SQLite, in-memory channel layer); with
them, on PostgreSQL and Redis. Stderr gets a readable summary; the last line of stdout is one
JSON object with the figures.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections import deque

import servers
from common import (
    child_processes,
    cpu_seconds,
    emit,
    latency_summary,
    log,
    open_many,
    raise_open_files,
)

JOIN_CODE = "SEND25"
STRAGGLER_WAIT = 5.0
SETTLE = 1.0
WARM_UP = 2.0  # seconds of votes, not measured
# On each result the wall prints its text, then "<class> · <n> votes".
# Frames are JSON, so the HTML's quotes and line breaks arrive escaped.
RESULT = re.compile(
    rb'Wall bench post (\w)</p>(?:\\n| )*<p class=\\"wall-verdict\\">[^<]*?(\d+) votes?'
)
SEEDERS_PER_GROUP = 10

SETUP = """
import json, sys
from django.test import Client
from django.contrib.auth import get_user_model
from django.utils import timezone
from facilitation.services import wall_set_showing
from participants import services
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from participants.tokens import cookie_name, make_token
from workshops.models import Prompt, Workshop

workshop = Workshop.objects.get(join_code=sys.argv[-2])
# A question of the bench's own, shown alone: the demo's posts never crowd its four out.
prompt = Prompt.objects.create(workshop=workshop, question="Wall bench question", is_open=True)
groups = list(StakeholderGroup.objects.exclude(slug="other").order_by("pk"))

def people(count):
    return Participant.objects.bulk_create(
        Participant(workshop=workshop, group=groups[n % len(groups)], consented_at=timezone.now())
        for n in range(count)
    )

author, *seeders = people(1 + int(sys.argv[-3]) * len(groups))
posts = {}
for letter in "ABCD":
    post, _ = services.contribution_create(
        participant=author, prompt=prompt, text=f"Wall bench post {letter}",
        client_id=f"00000000-0000-4000-8000-00000000000{'ABCD'.index(letter)}",
    )
    Contribution.objects.filter(pk=post.pk).update(state=Contribution.State.VISIBLE)
    posts[letter] = post.pk
for n, seeder in enumerate(seeders):
    for letter, pk in posts.items():
        common = letter in "AB"
        choice = "agree" if common or n % len(groups) % 2 == 0 else "disagree"
        services.vote_cast(participant=seeder, contribution=Contribution.objects.get(pk=pk),
                           choice=choice)
wall_set_showing(workshop=workshop, showing="results", prompt=prompt)
phones = people(int(sys.argv[-1]))
client = Client()
client.force_login(get_user_model().objects.get(username="facilitator"))
print(json.dumps({
    "workshop": workshop.pk,
    "posts": posts,
    "votes_before": {
        letter: Vote.objects.filter(contribution=pk).count() for letter, pk in posts.items()
    },
    "wall_cookie": f"sessionid={client.cookies['sessionid'].value}",
    "phones": [
        [f"{cookie_name(workshop)}={make_token(p)}", groups.index(p.group)] for p in phones
    ],
}))
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=500, help="simulated phones (500)")
    parser.add_argument(
        "--votes-per-second", type=float, default=40.0, help="votes a second in all (40)"
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of voting (20)")
    args = parser.parse_args()
    if min(args.phones, args.votes_per_second, args.duration) <= 0:
        parser.error("phones, votes a second and duration must be positive")
    if args.votes_per_second * (args.duration + WARM_UP) > 4 * args.phones:
        parser.error("each phone votes at most once on each of the four posts: add phones")
    return args


def prepare(database_url, phones):
    """The bench's posts, votes, phones and the wall's session, made in the app's own code."""
    result = subprocess.run(
        [
            servers.PYTHON,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); exec(open(0).read())",
            str(SEEDERS_PER_GROUP),
            JOIN_CODE,
            str(phones),
        ],
        cwd=servers.ROOT,
        env=servers.app_env(database_url),
        input=SETUP,
        text=True,
        capture_output=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


class Wall:
    """The wall's socket: when each results frame came, and what it counted on each post."""

    def __init__(self):
        self.frames = []  # (arrival, {letter: votes})

    def on_text(self, frame, now):
        if b"wall-results" in frame:
            counts = {m[1].decode(): int(m[2]) for m in RESULT.finditer(frame)}
            self.frames.append((now, counts))

    def shown(self, letter):
        """The votes the wall showed on a post most recently, or None before it showed it."""
        for _, counts in reversed(self.frames):
            if letter in counts:
                return counts[letter]
        return None

    def first_showing(self, letter, votes, after):
        for arrival, counts in self.frames:
            if arrival >= after and counts.get(letter, -1) >= votes:
                return arrival
        return None


def vote_plan(phones, count, letters):
    """(phone index, post letter, choice) for each vote: each phone votes at most once on a
    post, the common-ground posts (A, B) always agreed with, the others split by group."""
    plan = []
    for i in range(count):
        phone, round_ = i % len(phones), i // len(phones)
        letter = letters[(phone + round_) % len(letters)]
        group = phones[phone][1]
        choice = "agree" if letter in "AB" or group % 2 == 0 else "disagree"
        plan.append((phone, letter, choice))
    return plan


class Acks:
    """How long each phone waited for its votes to be acknowledged: the vote's own path."""

    def __init__(self, phones):
        self.waiting = [deque() for _ in range(phones)]
        self.latencies = []

    def sent(self, phone, at):
        self.waiting[phone].append(at)

    def receiver(self, phone):
        def on_text(frame, now):
            if frame.startswith(b'{"type": "ack"') and self.waiting[phone]:
                self.latencies.append(now - self.waiting[phone].popleft())

        return on_text


async def bench(args, port, daphne, setup):
    base = f"ws://127.0.0.1:{port}"
    wall = Wall()
    acks = Acks(len(setup["phones"]))
    phones = await open_many(
        [
            (f"{base}/ws/w/{JOIN_CODE}/", cookie, acks.receiver(i))
            for i, (cookie, _) in enumerate(setup["phones"])
        ]
    )
    (screen,) = await open_many(
        [(f"{base}/ws/wall/{setup['workshop']}/", setup["wall_cookie"], wall.on_text)]
    )
    log(f"connected {len(phones)} phones and the wall")
    await asyncio.sleep(SETTLE)

    letters = sorted(setup["posts"])
    warm = round(args.votes_per_second * WARM_UP)
    plan = vote_plan(setup["phones"], warm + round(args.votes_per_second * args.duration), letters)
    before = setup["votes_before"]
    sent = []  # (time sent, letter, how many of the run's votes on it, this one included)
    on_post = dict.fromkeys(letters, 0)

    async def cast(votes):
        started = time.perf_counter()
        for i, (phone, letter, choice) in enumerate(votes):
            delay = started + i / args.votes_per_second - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            on_post[letter] += 1
            sent.append((time.perf_counter(), letter, on_post[letter]))
            acks.sent(phone, sent[-1][0])
            message = {"type": "vote", "contribution": setup["posts"][letter], "choice": choice}
            phones[phone].send(json.dumps(message))

    # First-use costs (templates, queries, caches) are not what the wall costs in a room.
    await cast(plan[:warm])
    await asyncio.sleep(SETTLE)
    cpu_before, frames_before, measured_from = cpu_seconds(daphne), len(wall.frames), len(sent)
    acked_before = len(acks.latencies)
    started = time.perf_counter()
    await cast(plan[warm:])
    voting = time.perf_counter() - started
    cpu_voting = cpu_seconds(daphne) - cpu_before
    frames_voting = len(wall.frames) - frames_before
    await asyncio.sleep(STRAGGLER_WAIT)

    missing = [letter for letter in letters if wall.shown(letter) is None]
    if missing:
        raise RuntimeError(f"the wall never showed post(s) {missing} as results")
    latencies, unseen = [], 0
    for at, letter, nth in sent[measured_from:]:
        shown = wall.first_showing(letter, before[letter] + nth, at)
        if shown is None:
            unseen += 1
        else:
            latencies.append(shown - at)
    during = wall.frames[frames_before : frames_before + frames_voting]
    gaps = [later[0] - earlier[0] for earlier, later in zip(during, during[1:], strict=False)]
    dropped = sum(phone.lost for phone in phones)
    await asyncio.gather(*(socket.close() for socket in [*phones, screen]))
    return {
        "votes": len(sent) - measured_from,
        "votes_shown": round(len(latencies) / (len(sent) - measured_from), 4),
        "votes_not_shown": unseen,
        **latency_summary(latencies),
        "vote_ack_p95_ms": latency_summary(acks.latencies[acked_before:])["p95_ms"],
        "results_frames": frames_voting,
        # Between the first and last frame of the voting: a window's edges cannot round it up.
        "results_frames_per_s": (
            round((len(during) - 1) / (during[-1][0] - during[0][0]), 2)
            if len(during) > 1
            else None
        ),
        "min_frame_gap_ms": round(min(gaps) * 1000, 1) if gaps else None,
        "daphne_cpu_pct": round(100 * cpu_voting / voting, 1),
        "phones_dropped": dropped,
        # Other work on a small machine stalls the server and skews every figure.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main():
    args = parse_args()
    raise_open_files(4096 + 2 * args.phones)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    database = "postgresql" if on_postgres else "sqlite"
    started = time.strftime("%Y-%m-%d %H:%M")
    log(f"preparing a fresh {database} database")
    with servers.database() as url:
        setup = prepare(url, args.phones)
        with servers.daphnes(url, 1, VOTES_PER_MINUTE="100000") as (port,):
            daphne = child_processes("daphne", str(port))[0]
            figures = asyncio.run(bench(args, port, daphne, setup))
    result = {
        "date": started,
        "cpus": os.cpu_count(),
        "phones": args.phones,
        "votes_per_second": args.votes_per_second,
        "duration_s": args.duration,
        "database": database,
        "layer": "redis" if os.environ.get("REDIS_URL") else "memory",
        **figures,
    }
    log(
        f"\nWall in results mode: {args.phones} phones voting {args.votes_per_second:g}/s for "
        f"{args.duration:g} s ({database} + {result['layer']} layer)\n"
        f"vote to wall: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 "
        f"{result['p99_ms']} ms; {result['votes_shown']:.2%} of votes shown\n"
        f"results frames: {result['results_frames_per_s']}/s (closest two "
        f"{result['min_frame_gap_ms']} ms apart); daphne CPU {result['daphne_cpu_pct']}% of a core"
    )
    # The figures the issue asks for lead the line.
    leading = ("p95_ms", "results_frames_per_s", "daphne_cpu_pct")
    emit({**{key: result[key] for key in leading}, **result})


if __name__ == "__main__":
    sys.exit(main())
