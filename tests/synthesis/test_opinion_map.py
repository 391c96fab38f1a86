"""The opinion map finds who votes alike, beside the groups people declared."""

import json
import random
from io import StringIO

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.urls import reverse
from sklearn.metrics import adjusted_rand_score

from participants.models import Vote
from synthesis.models import Theme
from synthesis.opinion_map import opinion_map, place
from synthesis.report import report_context
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    make_workshop,
    stakeholder_group,
)

pytestmark = pytest.mark.django_db

# Two camps that cut across the declared groups: parent carers are split between them, and
# camp Y holds all of local government and education.
CAMPS = {
    "X": [("pcf", 10), ("health", 8)],
    "Y": [("pcf", 6), ("local_government", 8), ("education", 8)],
}
POSTS = 30


def planted_workshop(camps=CAMPS, seed=7):
    """A workshop whose voters fall into the camps: camp X agrees with the first half of the
    posts and disagrees with the rest, camp Y the other way round, each person voting on 20
    of the 30 posts with one vote in ten a pass. Returns the workshop and {participant: camp}."""
    rng = random.Random(seed)
    workshop = make_workshop()
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group("other"))
    posts = [
        ContributionFactory(workshop=workshop, participant=author, text=f"Idea {n}")
        for n in range(POSTS)
    ]
    camp_of, votes = {}, []
    for camp, members in camps.items():
        for slug, count in members:
            for _ in range(count):
                person = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
                camp_of[person.pk] = camp
                for n in rng.sample(range(POSTS), 20):
                    agrees = (n < POSTS // 2) == (camp == "X")
                    choice = "agree" if agrees else "disagree"
                    if rng.random() < 0.1:
                        choice = "pass"
                    votes.append(Vote(participant=person, contribution=posts[n], choice=choice))
    Vote.objects.bulk_create(votes)
    return workshop, camp_of


def test_a_planted_population_is_recovered_with_its_split_and_alliance():
    workshop, camp_of = planted_workshop()
    found = opinion_map(workshop.series, workshop)
    assert not found.reason
    assert len(found.clusters) == 2
    truth = [camp_of[p.pk] for p in found.people]
    assert adjusted_rand_score(truth, [p.cluster for p in found.people]) >= 0.9
    # Clusters are named by size: camp Y (22 people) is A, camp X (18) is B.
    assert [s.sentence for s in found.splits] == [
        "Parent carer forum split: 10 in cluster B, 6 in cluster A."
    ]
    camp_y = next(a for a in found.alliances if a.cluster.name == "A")
    assert camp_y.sentence.startswith(
        "Cluster A brings together Education setting (8 of 8), Local government (8 of 8) "
        "and Parent carer forum (6 of 16), above all "
    )
    # What sets camp Y apart: it agrees with the second half of the posts, not the first.
    for text, distinction in camp_y.cluster.distinctive:
        second_half = int(text.split()[-1]) >= POSTS // 2
        assert distinction.direction == ("agree" if second_half else "disagree")


def test_the_same_votes_draw_the_same_map():
    workshop, _ = planted_workshop()
    first = opinion_map(workshop.series, workshop)
    cache.clear()
    second = opinion_map(workshop.series, workshop)
    assert [(p.pk, p.cluster, p.x, p.y) for p in first.people] == [
        (p.pk, p.cluster, p.x, p.y) for p in second.people
    ]


def test_too_few_people_draw_no_map_and_say_why():
    workshop, _ = planted_workshop({"X": [("pcf", 6)], "Y": [("health", 6)]})
    found = opinion_map(workshop.series, workshop)
    assert found.reason == (
        "No clear opinion groups yet: 12 people have voted on 7 posts or more, and a map needs 20."
    )
    printed = found.as_json()
    assert printed == {"clusters": [], "splits": [], "alliances": [], "reason": found.reason}


def test_people_with_few_votes_are_left_out(settings):
    settings.OPINION_MAP_THRESHOLDS = {**settings.OPINION_MAP_THRESHOLDS, "min_votes": 21}
    workshop, _ = planted_workshop()
    assert opinion_map(workshop.series, workshop).reason.startswith(
        "No clear opinion groups yet: 0 people have voted on 21 posts or more"
    )


def test_votes_that_fall_into_no_groups_draw_no_map():
    rng = np.random.default_rng(3)
    noise = rng.choice([-1.0, 0.0, 1.0], size=(60, 40))
    layout = place(noise)
    assert layout.silhouette < 0.5  # k-means always finds something; the threshold judges it


def test_a_new_vote_redraws_the_map():
    workshop, _ = planted_workshop()
    before = opinion_map(workshop.series, workshop)
    person = before.people[0]
    post = workshop.contributions.exclude(votes__participant_id=person.pk).first()
    Vote.objects.create(participant_id=person.pk, contribution=post, choice="pass")
    assert opinion_map(workshop.series, workshop) is not before


def test_small_groups_numbers_are_not_shown_on_their_own():
    camps = {"X": [("pcf", 10), ("young_person", 2)], "Y": [("health", 8), ("young_person", 2)]}
    workshop, _ = planted_workshop(camps)
    found = opinion_map(workshop.series, workshop)
    rows = dict((group.slug, counts) for group, counts in found.table())
    assert rows["young_person"] is None
    assert rows["pcf"] == [10, 0]
    young = next(s for s in found.splits if s.group.slug == "young_person")
    assert young.sentence == "Young person split between cluster A, cluster B."


def test_a_series_is_mapped_over_its_themes():
    workshop, _ = planted_workshop()
    theme = Theme.objects.create(series=workshop.series, title="Early help")
    theme.contributions.set(workshop.contributions.all()[:3])
    found = opinion_map(workshop.series)
    assert found.scope == "series"
    assert found.reason.startswith("No clear opinion groups yet: 0 people have voted on 7 themes")


def test_the_command_prints_the_map_as_json():
    workshop, camp_of = planted_workshop()
    out = StringIO()
    series, scope = str(workshop.series.pk), str(workshop.pk)
    call_command("opinion_map", series, "--workshop", scope, "--json", stdout=out)
    printed = json.loads(out.getvalue().strip().splitlines()[-1])
    assert [len(c["participants"]) for c in printed["clusters"]] == [22, 18]
    assert sorted(p for c in printed["clusters"] for p in c["participants"]) == sorted(camp_of)
    assert printed["splits"][0]["group"] == "pcf"
    assert {"cluster", "groups", "sentence"} <= set(printed["alliances"][0])


def test_the_command_refuses_a_workshop_of_another_series_politely():
    workshop, _ = planted_workshop()
    other = make_workshop()
    with pytest.raises(CommandError, match="is not part of series"):
        call_command("opinion_map", str(workshop.series.pk), "--workshop", str(other.pk))
    with pytest.raises(CommandError, match="There is no series 999999"):
        call_command("opinion_map", "999999")


def test_the_page_shows_the_map_its_table_and_what_it_found(client, analyst):
    workshop, _ = planted_workshop()
    client.force_login(analyst)
    page = client.get(reverse("synthesis:workshop_opinion_map", args=[workshop.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<circle") + html.count("<polygon") >= 40
    assert "Parent carer forum split: 10 in cluster B, 6 in cluster A." in html
    assert "<caption>People in each cluster, by declared group</caption>" in html
    assert '<th scope="row">Parent carer forum</th><td>6</td><td>10</td>' in html


def test_the_page_says_plainly_when_there_is_no_map(client, analyst):
    workshop, _ = planted_workshop({"X": [("pcf", 3)], "Y": [("health", 3)]})
    client.force_login(analyst)
    page = client.get(reverse("synthesis:series_opinion_map", args=[workshop.series.pk]))
    assert "No clear opinion groups yet: 0 people have voted on 7 themes" in page.content.decode()
    page = client.get(reverse("synthesis:workshop_opinion_map", args=[workshop.pk]))
    assert "No clear opinion groups yet: 6 people have voted on 7 posts" in page.content.decode()


def test_an_unknown_workshop_is_not_found(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("synthesis:workshop_opinion_map", args=[999999])).status_code == 404


def test_a_report_gives_one_page_to_a_map_the_votes_support():
    """A workshop's report has its own map. A series' has its map over themes, or else that
    of its biggest workshop with one; a workshop with no clear groups has no page."""
    workshop, _ = planted_workshop()
    quiet = make_workshop(series=workshop.series, title="A quiet workshop")
    ContributionFactory(workshop=quiet, participant=ParticipantFactory(workshop=quiet))
    title, found = report_context(workshop.series)["opinion_map"]
    assert title == workshop.title and len(found.clusters) == 2
    assert report_context(workshop.series, workshop=workshop)["opinion_map"][0] == workshop.title
    assert report_context(quiet.series, workshop=quiet)["opinion_map"] is None
    html = render_to_string("synthesis/report/report.html", report_context(workshop.series))
    assert html.count('id="opinion-map-title"') == 1
    assert "this is the map of the workshop with the most people that has one" in html
    assert "Parent carer forum split: 10 in cluster B, 6 in cluster A." in html
