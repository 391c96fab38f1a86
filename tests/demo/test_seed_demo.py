"""Tests for `manage.py seed_demo`: idempotent, usable, and true to the addendum's findings."""

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from sklearn.metrics import adjusted_rand_score

from demo import seed as demo
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis import opinion_map
from synthesis.publication import public_results
from synthesis.selectors import group_tallies
from synthesis.stats import OTHER, Stance, Tally, Verdict, classify
from workshops.models import Series, Workshop

pytestmark = pytest.mark.django_db

PRESENT_GROUPS = ("pcf", "education", "health", "local_government", "young_person")
OPPOSING_SEQUENCING = ("education", "health", "local_government")


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def signs_in(client, username, password):
    """Through the sign-in page, as a person would (and as the sign-in throttle sees it)."""
    client.post("/accounts/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session


def model_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def pooled_classification(statement):
    """The statement's votes pooled by group over every workshop in the series, classified."""
    pooled = {}
    for by_group in group_tallies(demo.statement_contributions(statement)).values():
        for group, tally in by_group.items():
            pooled[group] = pooled.get(group, Tally()) + tally
    return classify(pooled, PRESENT_GROUPS)


def test_running_twice_leaves_the_same_rows(seeded):
    """A second run changes no model's row count: it refreshes rows rather than adding."""
    first = model_counts()
    call_command("seed_demo", stdout=StringIO())
    assert model_counts() == first
    assert first["workshops.Workshop"] == 3
    assert first["participants.Contribution"] == len(demo.POSTS)


def test_command_prints_where_to_go_and_how_to_get_in(seeded):
    """The output ends with the URL, both logins and the join code."""
    for text in (
        demo.URL,
        demo.FACILITATOR_USERNAME,
        demo.FACILITATOR_PASSWORD,
        demo.ANALYST_USERNAME,
        demo.ANALYST_PASSWORD,
        demo.JOIN_CODE,
        f"{demo.URL}r/{demo.RESULTS_CODE}/",
    ):
        assert text in seeded


def test_the_series_has_published_results_with_the_organisers_responses(seeded, client):
    """The public results page shows the final version and what was done about each finding,
    including one not taken forward, with its reason."""
    series = Series.objects.get(name=demo.SERIES_NAME)
    results = public_results(series)
    assert results["version"].number == 1
    responses = {
        finding["title"]: [r.get_status_display() for r in finding["responses"]]
        for finding in results["findings"]
    }
    assert responses == {
        "Everyone in the system is worn out": ["Being considered", "Agreed"],
        "Help must come earlier, from people with the skills to give it": ["In progress"],
        "What should change first": ["Not taken forward"],
    }
    page = client.get(f"/r/{demo.RESULTS_CODE}/").content.decode()
    assert "the law is for Parliament" in page
    assert "Head of SEND services" in page


def test_live_workshop_has_the_join_code_and_three_open_prompts(seeded):
    """Only the national workshop is live, as SEND25, with recommendations 1, 3 and 4 open."""
    live = Workshop.objects.get(status=Workshop.Status.LIVE)
    assert live.join_code == "SEND25" == demo.JOIN_CODE
    assert live.kind == Workshop.Kind.NATIONAL
    open_numbers = live.prompts.filter(is_open=True).values_list(
        "recommendation__number", flat=True
    )
    assert sorted(open_numbers) == [1, 3, 4]
    closed = Workshop.objects.exclude(pk=live.pk)
    assert {w.status for w in closed} == {Workshop.Status.CLOSED}
    assert not closed.filter(prompts__is_open=True).exists()


def test_every_workshop_has_one_prompt_per_recommendation(seeded):
    """workshop_create made the prompts; the seed neither lost nor duplicated any."""
    for workshop in Workshop.objects.all():
        numbers = list(workshop.prompts.values_list("recommendation__number", flat=True))
        assert sorted(numbers) == list(range(1, 9))


@pytest.mark.parametrize(
    ("username", "password", "roles"),
    [
        (demo.FACILITATOR_USERNAME, demo.FACILITATOR_PASSWORD, {"facilitator", "admin"}),
        (demo.ANALYST_USERNAME, demo.ANALYST_PASSWORD, {"analyst"}),
    ],
)
def test_demo_users_can_log_in_with_their_role(seeded, client, username, password, roles):
    """Each demo login works and holds its roles in the demo's organisation, which owns the
    series."""
    assert signs_in(client, username, password)
    user = get_user_model().objects.get(username=username)
    assert {(m.organisation.name, m.role) for m in user.memberships.all()} == {
        (demo.ORGANISATION, role) for role in roles
    }
    assert Series.objects.get(name=demo.SERIES_NAME).organisation.name == demo.ORGANISATION


def test_a_second_run_resets_changed_passwords(seeded, client):
    """Whatever someone changed the password to, the printed login works again."""
    user = get_user_model().objects.get(username=demo.FACILITATOR_USERNAME)
    user.set_password("something-else-entirely")
    user.save()
    call_command("seed_demo", stdout=StringIO())
    assert signs_in(client, demo.FACILITATOR_USERNAME, demo.FACILITATOR_PASSWORD)


def test_every_group_takes_part_in_every_workshop(seeded):
    """All six stakeholder groups have participants, with consent, in all three workshops."""
    all_groups = set(StakeholderGroup.objects.values_list("slug", flat=True))
    assert all_groups == {*PRESENT_GROUPS, OTHER}
    for workshop in Workshop.objects.all():
        participants = Participant.objects.filter(workshop=workshop)
        assert set(participants.values_list("group__slug", flat=True)) == all_groups
        assert not participants.filter(consented_at__isnull=True).exists()


def test_nobody_votes_on_their_own_contribution(seeded):
    """The seed keeps the participants' rule even though it writes votes directly."""
    assert not Vote.objects.filter(participant=F("contribution__participant")).exists()
    assert not Vote.objects.exclude(participant__workshop=F("contribution__workshop")).exists()


def test_one_contribution_is_hidden(seeded):
    """The board shows moderation at work: one post was hidden."""
    assert Contribution.objects.filter(state=Contribution.State.HIDDEN).count() == 1


@pytest.mark.parametrize("statement", demo.COMMON_GROUND_STATEMENTS)
def test_the_addendums_common_ground_comes_out_as_common_ground(seeded, statement):
    """Pooled over the series, each of the seven common-ground statements is common ground."""
    assert demo.statement_contributions(statement).exists()
    assert pooled_classification(statement).verdict is Verdict.COMMON_GROUND


def test_sequencing_is_a_debate_with_pcf_against_the_others(seeded):
    """PCF leaders agree that capacity must come before legal change; the others disagree."""
    result = pooled_classification(demo.SEQUENCING_STATEMENT)
    assert result.verdict is Verdict.DEBATE_OPPOSED
    assert result.groups["pcf"].stance is Stance.AGREES
    for group in OPPOSING_SEQUENCING:
        assert result.groups[group].stance is Stance.DISAGREES


@pytest.mark.parametrize("statement", demo.OTHER_DEBATE_STATEMENTS)
def test_the_other_debates_are_not_common_ground(seeded, statement):
    """Whether Pillar 2 reform is needed, and whether 'broken' helps, stay contested."""
    assert demo.statement_contributions(statement).exists()
    verdict = pooled_classification(statement).verdict
    assert verdict.is_debate or verdict is Verdict.MIXED


@pytest.mark.parametrize("statement", demo.AGREED_AGAINST_STATEMENTS)
def test_a_proposal_every_group_rejected_is_a_shared_rejection(seeded, statement):
    assert demo.statement_contributions(statement).exists()
    result = pooled_classification(statement)
    assert result.verdict is Verdict.SHARED_REJECTION
    stances = {g.stance for g in result.groups.values()} - {Stance.NO_DATA}
    assert stances == {Stance.DISAGREES}


def test_the_board_has_variety_beyond_the_headlines(seeded):
    """Ordinary posts include a majority view and one with too little data to judge."""
    headlines = {
        *demo.COMMON_GROUND_STATEMENTS,
        demo.SEQUENCING_STATEMENT,
        *demo.OTHER_DEBATE_STATEMENTS,
        *demo.AGREED_AGAINST_STATEMENTS,
    }
    others = {post.key for post in demo.POSTS} - headlines
    verdicts = {pooled_classification(key).verdict for key in others}
    assert {Verdict.MAJORITY_VIEW, Verdict.INSUFFICIENT_DATA} <= verdicts


def test_the_cross_cutting_themes_link_their_statements_posts(seeded):
    """Early years and workforce are themes over every post that makes them; early years
    spans two recommendations."""
    series = Workshop.objects.get(join_code=demo.JOIN_CODE).series
    themes = {theme.title: theme for theme in series.themes.all()}
    for spec in demo.CONTENT.series.themes:
        posts = {c for key in spec["statements"] for c in demo.statement_contributions(key)}
        assert set(themes[spec["title"]].contributions.all()) == posts
    numbers = [rec.number for rec in themes["Invest in the early years"].recommendations()]
    assert numbers == [1, 3]


def planted_camps(workshop):
    """{participant id: the camp the content puts them in}."""
    spec = demo.CONTENT.live_workshop
    group_ids = dict(StakeholderGroup.objects.values_list("slug", "pk"))
    people = {
        (p.group_id, p.display_name, p.table_number): p.pk for p in workshop.participants.all()
    }
    return {
        people[(group_ids[seat.group], seat.name, seat.table)]: spec.camps[seat.group][seat.index]
        for seat in demo.seats(spec)
    }


def test_the_live_workshop_has_enough_voters_for_an_opinion_map(seeded):
    """At least 40 people in the live workshop cast the map's minimum of votes."""
    live = Workshop.objects.get(join_code=demo.JOIN_CODE)
    rules = opinion_map.thresholds()
    voters = live.participants.annotate(n=Count("votes")).filter(n__gte=rules.min_votes)
    assert voters.count() >= 40


def test_the_opinion_map_finds_the_rooms_camps(seeded):
    """The map recovers how the room divided, which cuts across the declared groups: parent
    carers split, and education, health and local government in one cluster."""
    live = Workshop.objects.get(join_code=demo.JOIN_CODE)
    found = opinion_map.opinion_map(live.series, live)
    assert not found.reason
    camps = planted_camps(live)
    planted = [camps[person.pk] for person in found.people]
    assert adjusted_rand_score(planted, [person.cluster for person in found.people]) >= 0.7
    assert [split.group.slug for split in found.splits] == ["pcf"]
    allied = {frozenset(g.slug for g, _, _ in a.groups) for a in found.alliances}
    assert {"education", "health", "local_government"} in allied
    assert {"pcf", "young_person"} in allied
