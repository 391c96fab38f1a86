"""Opinion map: how long one workshop's map takes for 500 people and 5,000 posts.

    .venv/bin/python bench/opinion_map.py [--participants 500] [--contributions 5000]
                                          [--votes 250000]

It builds one closed workshop on a fresh migrated database (servers.database): participants
spread over the six stakeholder groups, posts by them, and votes by people of the workshop,
never on their own posts. People fall into three camps that cut across their declared groups,
each camp agreeing with its own third of the posts and disagreeing with the rest, one vote in
ten a pass, so the map has clusters to find. The random seed is fixed.

Then it draws the map (synthesis.opinion_map.opinion_map) with the cache empty, three times,
and once more from the cache. Target (issue): at most 5 s. Figures: the best and median cold
seconds, the cached seconds, the seconds of the map's own numerical part (PCA, k-means and
silhouettes on the matrix, timed alone), peak RSS, and what the map found (clusters, their
silhouette, and the adjusted Rand index against the planted camps).

Stderr gets a readable summary; the last line of stdout is one JSON object.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from itertools import islice

import servers
from common import emit, log
from population import BATCH, GROUP_WEIGHTS, new_post

sys.path.insert(0, str(servers.ROOT))  # the project's synthesis app, not bench/synthesis.py

SEED = 2026
CAMPS = 3
PASS_SHARE = 0.1
TARGET_S = 5.0
REPEAT = 3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=500, help="people (500)")
    parser.add_argument("--contributions", type=int, default=5000, help="posts (5000)")
    parser.add_argument("--votes", type=int, default=250_000, help="votes (250000)")
    args = parser.parse_args()
    if args.participants < 2 or args.contributions < 1:
        parser.error("need at least two participants and one post")
    if args.votes > args.contributions * (args.participants - 1):
        parser.error("more votes than one per person per post (authors not voting) allows")
    return args


def main():
    args = parse_args()
    with servers.database(seed=False) as url:
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        try:
            result = run(args)
        finally:
            from django.db import connections

            connections.close_all()  # so the database can be dropped
    log(
        f"Opinion map on {result['database']}: {args.participants} people, "
        f"{args.contributions} posts, {args.votes} votes (built in {result['setup_s']} s)\n"
        f"  cold: best {result['map_s']} s, median {result['map_median_s']} s "
        f"(target ≤ {TARGET_S} s: {'met' if result['met'] else 'MISSED'}); "
        f"cached {result['cached_s']} s; numerical part {result['place_s']} s\n"
        f"  {result['clusters']} clusters, silhouette {result['silhouette']}, "
        f"adjusted Rand index against the planted camps {result['adjusted_rand']}; "
        f"peak RSS {result['peak_rss_mb']} MB"
    )
    emit(result)


def run(args):
    from django.core.cache import cache
    from django.db import connection
    from sklearn.metrics import adjusted_rand_score

    from synthesis.opinion_map import _matrix, _workshop_choices, opinion_map, place

    started = time.perf_counter()
    workshop, camp_of = build_workshop(args, random.Random(SEED))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done on a live server
    setup_s = time.perf_counter() - started
    opinion_map(workshop.series, workshop)  # imports scikit-learn, as the first page view would
    cold = []
    for _ in range(REPEAT):
        cache.clear()
        began = time.perf_counter()
        found = opinion_map(workshop.series, workshop)
        cold.append(time.perf_counter() - began)
    began = time.perf_counter()
    opinion_map(workshop.series, workshop)
    cached = time.perf_counter() - began
    people, _, matrix = _matrix(_workshop_choices(workshop)[0], 7)
    began = time.perf_counter()
    place(matrix)
    place_s = time.perf_counter() - began
    labels = {p.pk: p.cluster for p in found.people}
    mapped = [pk for pk in people if pk in labels]
    return {
        "participants": args.participants,
        "contributions": args.contributions,
        "votes": args.votes,
        "mapped": len(found.people),
        "database": connection.vendor,
        "setup_s": round(setup_s, 1),
        "map_s": round(min(cold), 2),
        "map_median_s": round(statistics.median(cold), 2),
        "cached_s": round(cached, 3),
        "place_s": round(place_s, 2),
        "clusters": len(found.clusters),
        "silhouette": round(found.silhouette or 0, 3),
        "adjusted_rand": round(
            adjusted_rand_score([camp_of[pk] for pk in mapped], [labels[pk] for pk in mapped]), 3
        ),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "load_1m": round(os.getloadavg()[0], 1),
        "target_s": TARGET_S,
        "met": min(cold) <= TARGET_S and statistics.median(cold) <= TARGET_S,
    }


def build_workshop(args, rng):
    """A closed workshop with its people, posts and votes; {participant id: camp}."""
    from django.utils import timezone

    from participants.models import Contribution, Participant, StakeholderGroup, Vote
    from workshops.models import Series, Workshop
    from workshops.services import workshop_create

    framework = _framework()
    series = Series.objects.create(
        name="Bench series", organisation=framework.organisation, framework=framework
    )
    workshop = workshop_create(
        series=series, title="Bench workshop", region="North West", starts_at=timezone.now()
    )
    workshop.status = Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    groups = list(StakeholderGroup.objects.filter(slug__in=GROUP_WEIGHTS))
    weights = [GROUP_WEIGHTS[group.slug] for group in groups]
    people = Participant.objects.bulk_create(
        Participant(
            workshop=workshop, group=rng.choices(groups, weights)[0], consented_at=timezone.now()
        )
        for _ in range(args.participants)
    )
    camp_of = {person.pk: rng.randrange(CAMPS) for person in people}
    prompts = list(workshop.prompts.all())
    posts = Contribution.objects.bulk_create(
        (
            new_post(
                workshop,
                {workshop.pk: people},
                {workshop.pk: prompts},
                rng,
                state=Contribution.State.VISIBLE,
            )
            for _ in range(args.contributions)
        ),
        batch_size=BATCH,
    )
    per_person = args.votes // len(people)
    rows = (
        Vote(participant=person, contribution=post, choice=_choice(camp_of[person.pk], n, rng))
        for person in people
        for n, post in _voted(posts, person, per_person, rng)
    )
    while batch := list(islice(rows, BATCH)):
        Vote.objects.bulk_create(batch)
    return workshop, camp_of


def _voted(posts, person, count, rng):
    chosen = rng.sample(range(len(posts)), min(count + 1, len(posts)))
    return [(n, posts[n]) for n in chosen if posts[n].participant_id != person.pk][:count]


def _choice(camp, n, rng):
    if rng.random() < PASS_SHARE:
        return "pass"
    return "agree" if n % CAMPS == camp else "disagree"


def _framework():
    """The SEND framework of the organisation that owns what a fresh database starts with."""
    from pillars.models import Framework

    return Framework.objects.get(organisation__name="Default organisation", slug="send-reform")


if __name__ == "__main__":
    main()
