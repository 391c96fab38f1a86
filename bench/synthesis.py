"""Synthesis board: how long the analyst's series board takes to compute on a large series.

    .venv/bin/python bench/synthesis.py [--contributions 5000] [--participants 500]
                                        [--votes 250000] [--repeat 3] [--profile]

It builds a series on a fresh migrated database (see servers.database): five regional
workshops, participants spread over the six stakeholder groups, contributions spread over
the prompts, votes only by people of the post's own workshop and never on one's own post,
leaning so that every class turns up, and a few themes linking posts across workshops.
The random seed is fixed, so every run builds the same series.

It then times, in this process:
  - the aggregate query alone (votes counted per contribution, group and choice), the
    database's own share of the work;
  - synthesis.board.build_board(series), best and median of --repeat, with its query count;
  - the board as it was built before counts were kept (every vote counted afresh, every
    post classified afresh), in turns with the board from kept counts, whose unchanged posts
    are not classified again ("tally_ratio": the median of the one over the other; the
    target is 0.5 or less), and the first build from kept counts ("board_cold_s");
  - the board page rendered to HTML for an analyst through the test client (one run).

With no DATABASE_URL it runs on a SQLite file; with DATABASE_URL (postgres://...) on a fresh
PostgreSQL database of that server, dropped afterwards. The target (2 s) is for the board's
computation and counts as met when the median is within it.

Stderr gets a readable summary; the last line of stdout is one JSON object with the figures.
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import islice

import servers
from common import emit, log
from population import BATCH, make_participants, new_post, save_themes, votes_by

# This file is called synthesis.py, like the app. Python put bench/ first on the path, so
# `import synthesis.board` would find this script: the project root has to come first.
sys.path.insert(0, str(servers.ROOT))

TARGET_S = 2.0
TALLY_RATIO_TARGET = 0.5
SEED = 2025
REGIONS = ["North East", "North West", "Midlands", "London", "South West"]
THEMES = 20
JUDGED_SHARE = 0.01  # posts an analyst has already confirmed or overridden


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributions", type=int, default=5000, help="posts (5000)")
    parser.add_argument("--participants", type=int, default=500, help="people (500)")
    parser.add_argument("--votes", type=int, default=250_000, help="votes (250000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed board builds (3)")
    parser.add_argument("--profile", action="store_true", help="cProfile one board build")
    args = parser.parse_args()
    if min(args.contributions, args.votes, args.repeat) < 1:
        parser.error("contributions, votes and repeat must be positive")
    if args.participants < 2 * len(REGIONS):
        parser.error(f"need at least {2 * len(REGIONS)} participants: two per workshop")
    # A post can have a vote from everyone in its workshop but its author.
    room = args.participants // len(REGIONS) - 1
    if args.votes > args.contributions * room:
        parser.error(f"at most {args.contributions * room} votes fit: one per person per post")
    return args


def main():
    args = parse_args()
    with servers.database(seed=False) as url:
        setup_django(url)
        try:
            result = run(args)
        finally:
            from django.db import connections

            connections.close_all()  # so the database can be dropped
    summarise(result)
    emit(result)


def setup_django(url):
    # Settings read DATABASE_URL when they are imported, which django.setup() does.
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def run(args):
    from django.db import connection

    started = time.perf_counter()
    series, analyst = build_series(args, random.Random(SEED))
    themes = series.themes.count()
    if connection.vendor == "postgresql":
        # Autovacuum would have analysed tables this size within a minute in production;
        # the bench should time the plan a live server uses, not one made without statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result = {
        "contributions": args.contributions,
        "participants": args.participants,
        "votes": args.votes,
        "themes": themes,
        "database": connection.vendor,
        "setup_s": round(time.perf_counter() - started, 1),
        "load_1m": round(os.getloadavg()[0], 1),  # others' work on the machine inflates wall times
    }
    result.update(measure_aggregate(series, args.repeat))
    result.update(measure_board(series, args.repeat))
    result.update(measure_recount_board(series, args.repeat))
    result.update(measure_page(series, analyst))
    result["target_s"] = TARGET_S
    result["met"] = result["board_median_s"] <= TARGET_S
    result["tally_ratio_met"] = result["tally_ratio"] <= TALLY_RATIO_TARGET
    if args.profile:
        profile_board(series)
    return result


# --- The series -----------------------------------------------------------------------------


def build_series(args, rng):
    """The series under test, and an analyst to read its board."""
    from django.db import transaction

    from accounts.services import organisation_create
    from pillars.models import Framework
    from workshops.services import series_create

    log("building the series…")
    with transaction.atomic():  # one transaction: SQLite commits are slow one by one
        organisation = organisation_create(name="Bench organisation")
        analyst = make_analyst(organisation)
        framework = Framework.objects.get(organisation=organisation, slug="send-reform")
        series = series_create(organisation=organisation, framework=framework, name="Bench series")
        workshops = [make_workshop(series, region, n) for n, region in enumerate(REGIONS)]
        people = make_participants(workshops, args.participants, rng)
        posts = make_contributions(workshops, people, args.contributions, rng)
        make_votes(posts, people, args.votes, rng)
        count_votes(posts)
        themed = make_themes(series, posts, analyst, rng)
        make_judgements(series, [p for p in posts if p.pk not in themed], analyst, rng)
    return series, analyst


def make_analyst(organisation):
    from django.contrib.auth.models import User

    from accounts.models import Membership

    analyst = User.objects.create_user("bench-analyst")
    Membership.objects.create(user=analyst, organisation=organisation, role="analyst")
    return analyst


def make_workshop(series, region, n):
    """A closed workshop made as facilitators make one, plus an open-ended question that
    ties to no recommendation, so the board's "not tied" section is filled too."""
    from django.utils import timezone

    from workshops.models import Prompt, Workshop
    from workshops.services import workshop_create

    workshop = workshop_create(
        series=series,
        title=f"{region} regional workshop",
        region=region,
        starts_at=timezone.now() - timedelta(days=30 - 7 * n),
    )
    workshop.status = Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    Prompt.objects.create(workshop=workshop, question="Anything else to tell us?", order=99)
    return workshop


def make_contributions(workshops, people, total, rng):
    from participants.models import Contribution

    prompts = {w.pk: list(w.prompts.all()) for w in workshops}
    posts = [new_post(workshops[n % len(workshops)], people, prompts, rng) for n in range(total)]
    return Contribution.objects.bulk_create(posts, batch_size=BATCH)


def make_votes(posts, people, total, rng):
    from participants.models import Vote

    counts = votes_per_post([len(people[p.workshop_id]) - 1 for p in posts], total, rng)
    rows = (
        vote
        for post, count in zip(posts, counts, strict=True)
        for vote in votes_on(post, people[post.workshop_id], count, rng)
    )
    while batch := list(islice(rows, BATCH)):  # never all 250,000 in memory at once
        Vote.objects.bulk_create(batch)


def count_votes(posts):
    """Votes loaded in bulk pass the vote service by: their counts are made from them."""
    from synthesis import tallies

    tallies.recount([post.pk for post in posts])


def votes_per_post(capacities, total, rng):
    """How many votes each post gets: uneven, as in a real room, never above the number of
    people who may vote on it, adding up to `total` exactly."""
    weights = [rng.uniform(0.2, 1.8) for _ in capacities]
    scale = total / sum(weights)
    counts = [min(room, int(w * scale)) for w, room in zip(weights, capacities, strict=True)]
    while (short := total - sum(counts)) > 0:
        open_posts = [i for i, room in enumerate(capacities) if counts[i] < room]
        for i in rng.sample(open_posts, min(short, len(open_posts))):
            counts[i] += 1
    return counts


def votes_on(post, people, count, rng):
    """`count` votes on one post by distinct people of its workshop, never its author."""
    return votes_by(
        rng.sample([p for p in people if p.pk != post.participant_id], count), post, rng
    )


def make_themes(series, posts, analyst, rng):
    """Up to THEMES themes of 2-4 posts on one recommendation from different workshops; a
    post is in one theme at most (the app allows more; one keeps the load even). Returns the
    ids of the posts linked."""
    from synthesis.models import Theme

    places = defaultdict(list)  # (recommendation id, workshop id) -> posts
    for post in posts:
        if post.prompt.recommendation_id:
            places[(post.prompt.recommendation_id, post.workshop_id)].append(post)
    recommendations = sorted({rec for rec, _ in places})
    links = []
    for n in range(THEMES):
        recommendation = recommendations[n % len(recommendations)]
        workshops = [w for rec, w in places if rec == recommendation and places[(rec, w)]]
        if len(workshops) < 2:
            continue  # a small series has run out of posts to link on this recommendation
        chosen = rng.sample(workshops, min(len(workshops), rng.randint(2, 4)))
        members = [take(places[(recommendation, w)], rng) for w in chosen]
        theme = Theme(
            series=series, title=f"Theme {n + 1}: {members[0].text[:60]}", created_by=analyst
        )
        links.append((theme, members))
    save_themes(links)
    return {post.pk for _, members in links for post in members}


def take(posts, rng):
    return posts.pop(rng.randrange(len(posts)))


def make_judgements(series, posts, analyst, rng):
    from synthesis.models import Judgement
    from synthesis.stats import Verdict

    Judgement.objects.bulk_create(
        Judgement(
            series=series,
            contribution=post,
            verdict=rng.choice(list(Verdict)),
            computed=rng.choice(list(Verdict)),
            reason="Checked against the session notes.",
            decided_by=analyst,
        )
        for post in rng.sample(posts, min(len(posts), max(1, int(len(posts) * JUDGED_SHARE))))
    )


# --- Measurements ---------------------------------------------------------------------------


def timings(work, repeat):
    """Best and median wall time, and the best CPU time of this process: on a shared
    machine the wall time grows with others' load, the CPU time hardly does."""
    seconds, cpu = [], []
    for _ in range(repeat):
        gc.collect()  # so no run pays for the garbage the one before it left
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(seconds), statistics.median(seconds), min(cpu)


class GarbageClock:
    """Adds up the time the garbage collector runs while the block does."""

    def __enter__(self):
        self.seconds, self._started = 0.0, None
        gc.callbacks.append(self._tick)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._tick)

    def _tick(self, phase, info):
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started


def aggregate_sql():
    """The count the board cannot do without, written by hand: votes per contribution, group
    and choice over the series' visible posts, the author's own vote left out."""
    from participants.models import Contribution, Participant, StakeholderGroup, Vote
    from workshops.models import Workshop

    tables = {m.__name__: m._meta.db_table for m in (Vote, Contribution, Participant, Workshop)}
    tables["Group"] = StakeholderGroup._meta.db_table
    return """
        SELECT v.contribution_id, g.slug, v.choice, COUNT(*)
        FROM {Vote} v
        JOIN {Contribution} c ON c.id = v.contribution_id
        JOIN {Workshop} w ON w.id = c.workshop_id
        JOIN {Participant} p ON p.id = v.participant_id
        JOIN {Group} g ON g.id = p.group_id
        WHERE w.series_id = %s AND c.state = %s AND v.participant_id <> c.participant_id
        GROUP BY v.contribution_id, g.slug, v.choice
    """.format(**tables)


def measure_aggregate(series, repeat):
    from django.db import connection

    from participants.models import Contribution

    sql, rows = aggregate_sql(), []

    def count():
        with connection.cursor() as cursor:
            cursor.execute(sql, [series.pk, Contribution.State.VISIBLE])
            rows[:] = cursor.fetchall()

    best, middle, _ = timings(count, repeat)
    return {
        "aggregate_s": round(best, 3),
        "aggregate_median_s": round(middle, 3),
        "aggregate_rows": len(rows),
    }


def measure_board(series, repeat):
    """Timed builds run without query capture, whose bookkeeping would count against the
    board; one more build afterwards counts the queries, their time in the database and the
    time Python spent collecting garbage, the two parts of the board that are not its code."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from synthesis.board import VERDICT_ORDER, build_board

    best, middle, cpu = timings(lambda: build_board(series), repeat)
    gc.collect()
    with CaptureQueriesContext(connection) as queries, GarbageClock() as collecting:
        board = build_board(series)
    return {
        "board_s": round(best, 3),
        "board_median_s": round(middle, 3),
        "board_cpu_s": round(cpu, 3),
        "board_queries": len(queries),
        "board_db_s": round(sum(float(q["time"]) for q in queries.captured_queries), 3),
        "board_gc_s": round(collecting.seconds, 3),
        "board_items": len(board.items),
        "classes": {v.value: board.count(v) for v in VERDICT_ORDER if board.count(v)},
    }


def measure_recount_board(series, repeat):
    """The board as it was built before counts were kept: every vote counted afresh and
    every post classified afresh. Timed in turns with the board from kept counts so both
    meet the same load: "tally_ratio" is the median of the first over the median of the
    second. The board from kept counts is timed as a server reads it, again and again, with
    the posts whose counts did not change not classified again; "board_cold_s" is its first
    build after the classifications were forgotten."""
    from unittest import mock

    from synthesis import stats, tallies
    from synthesis.board import build_board

    def recounted(contributions, groups=None):
        counted = tallies.counted_from_votes(contributions.values("pk"), group_key="slug")
        return tallies.by_post(counted)

    def board_recounted():
        with (
            mock.patch("synthesis.board.group_tallies", recounted),
            mock.patch("synthesis.stats.classify_counts", stats.classify_counts.__wrapped__),
        ):
            build_board(series)

    stats.classify_counts.cache_clear()
    _, cold, _ = timings(lambda: build_board(series), 1)
    kept, recount = [], []
    for _ in range(repeat):
        for work, seconds in ((lambda: build_board(series), kept), (board_recounted, recount)):
            seconds.append(timings(work, 1))
    kept_median = statistics.median(wall for _, wall, _ in kept)
    recount_median = statistics.median(wall for _, wall, _ in recount)
    return {
        "board_cold_s": round(cold, 3),
        "recount_board_s": round(min(wall for wall, _, _ in recount), 3),
        "recount_board_median_s": round(recount_median, 3),
        "recount_board_cpu_s": round(min(cpu for _, _, cpu in recount), 3),
        "tally_ratio": round(kept_median / recount_median, 2),
        "tally_ratio_cpu": round(
            min(cpu for _, _, cpu in kept) / min(cpu for _, _, cpu in recount), 2
        ),
    }


def measure_page(series, analyst):
    """One GET of the series board as an analyst: the view, the board and the template."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")  # a host the settings allow, unlike "testserver"
    client.force_login(analyst)
    url = reverse("synthesis:series_board", args=[series.pk])
    with CaptureQueriesContext(connection) as queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if response.status_code != 200:
        raise RuntimeError(f"the board page answered {response.status_code}")
    return {
        "page_s": round(seconds, 3),
        "page_cpu_s": round(cpu, 3),
        "page_queries": len(queries),
        "page_kb": round(len(response.content) / 1024),
    }


def profile_board(series):
    from synthesis.board import build_board

    profiler = cProfile.Profile()
    profiler.runcall(build_board, series)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(20)
        log(f"--- build_board profile, by {order} ---\n{out.getvalue()}")


def summarise(r):
    classes = ", ".join(f"{name} {n}" for name, n in Counter(r["classes"]).most_common())
    lines = [
        f"Synthesis board on {r['database']}: {r['contributions']} contributions, "
        f"{r['participants']} participants, {r['votes']} votes, {r['themes']} themes "
        f"(built in {r['setup_s']} s; load average {r['load_1m']:.1f})",
        f"  aggregate query alone  best {r['aggregate_s']:.3f} s  median "
        f"{r['aggregate_median_s']:.3f} s  ({r['aggregate_rows']} rows)",
        f"  build_board(series)    best {r['board_s']:.3f} s  median {r['board_median_s']:.3f} s"
        f"  (CPU in this process {r['board_cpu_s']:.3f} s)",
        f"                         {r['board_queries']} queries; one build spent "
        f"{r['board_db_s']:.3f} s in the database, {r['board_gc_s']:.3f} s collecting garbage",
        f"                         its first build, nothing classified before: "
        f"{r['board_cold_s']:.3f} s",
        f"  board as before counts were kept (all recounted, all classified) best "
        f"{r['recount_board_s']:.3f} s  median {r['recount_board_median_s']:.3f} s  "
        f"(CPU {r['recount_board_cpu_s']:.3f} s)",
        f"  tally ratio            {r['tally_ratio']:.2f} by wall time, "
        f"{r['tally_ratio_cpu']:.2f} by CPU (kept counts over recount, in turns; "
        f"target {TALLY_RATIO_TARGET})",
        f"  board page (HTML)      {r['page_s']:.3f} s  one run (CPU in this process "
        f"{r['page_cpu_s']:.3f} s), {r['page_queries']} queries, {r['page_kb']} KB",
        f"  {r['board_items']} items: {classes}",
        f"  target {TARGET_S} s for the board (median): {'met' if r['met'] else 'MISSED'}",
    ]
    log("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
