"""The analyst's pages: who may see them, how the filters narrow the list, per-group counts,
a bounded query count, and the tally selector behind them."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Contribution
from synthesis.selectors import group_tallies
from synthesis.stats import Tally
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    VoteFactory,
    make_workshop,
    send_reform,
    stakeholder_group,
)
from tests.helpers import populate

pytestmark = pytest.mark.django_db

# Session, user, their two-step device, their roles, whether the series is one of their
# organisations', the series, posts, tallies, groups, and the choices of the
# five filters (workshops, regions, pillars, recommendations, groups). None is per post.
CONTRIBUTIONS_MAX_QUERIES = 14


def list_url():
    return reverse("synthesis:series_list")


def contributions_url(series):
    return reverse("synthesis:series_contributions", args=[series.pk])


def assert_refused(response):
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


# Access


@pytest.fixture
def series(workshop):
    return workshop.series


@pytest.mark.parametrize("page", ["list", "contributions"])
def test_anonymous_is_refused(client, series, page):
    """Without signing in the analyst pages are refused."""
    url = list_url() if page == "list" else contributions_url(series)
    assert_refused(client.get(url))


@pytest.mark.parametrize("page", ["list", "contributions"])
def test_participant_cookie_is_refused(participant_client, series, page):
    """A participant's join cookie gives no access to analysis."""
    url = list_url() if page == "list" else contributions_url(series)
    assert_refused(participant_client.get(url))


@pytest.mark.parametrize("page", ["list", "contributions"])
def test_facilitator_is_forbidden(client, facilitator, series, page):
    """Facilitators run workshops; analysis is for analysts."""
    client.force_login(facilitator)
    url = list_url() if page == "list" else contributions_url(series)
    assert client.get(url).status_code == 403


def test_analyst_sees_the_series_list(client, analyst, series):
    """Analysts see every series with its number of workshops, linked to its board."""
    make_workshop(series=series)
    client.force_login(analyst)
    response = client.get(list_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert series.name in content
    assert "2 workshops" in content
    assert f"/analyse/series/{series.pk}/" in content


def test_analyst_sees_the_contributions_page(client, analyst, series, participant):
    """Analysts see every contribution in the series, hidden ones marked as such."""
    ContributionFactory(participant=participant, text="Shown to the room")
    ContributionFactory(participant=participant, text="Hidden by the facilitator", state="hidden")
    client.force_login(analyst)
    response = client.get(contributions_url(series))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Shown to the room" in content
    assert "Hidden by the facilitator" in content
    assert "2 contributions" in content


def test_unknown_series_is_404(client, analyst):
    """A series that does not exist is a 404."""
    client.force_login(analyst)
    assert client.get(reverse("synthesis:series_contributions", args=[999999])).status_code == 404


# Filters


@pytest.fixture
def spread():
    """One series, two workshops in two regions, posts on several recommendations by several
    groups; plus a post in another series that must never show."""
    series = SeriesFactory(name="National programme")
    leeds = make_workshop(series=series, title="Leeds", region="Yorkshire")
    london = make_workshop(series=series, title="London", region="London")

    def post(workshop, rec_number, slug, text):
        person = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
        prompt = workshop.prompts.get(recommendation__number=rec_number)
        return ContributionFactory(participant=person, prompt=prompt, text=text)

    post(leeds, 1, "pcf", "Leeds rec1 pcf")
    post(leeds, 2, "education", "Leeds rec2 education")
    post(leeds, 3, "health", "Leeds rec3 health")
    post(london, 3, "education", "London rec3 education")
    post(london, 4, "pcf", "London rec4 pcf")
    post(make_workshop(), 1, "pcf", "Another series entirely")
    return SimpleNamespace(series=series, leeds=leeds, london=london)


ALL_TEXTS = {
    "Leeds rec1 pcf",
    "Leeds rec2 education",
    "Leeds rec3 health",
    "London rec3 education",
    "London rec4 pcf",
}


def shown(client, series, **params):
    response = client.get(contributions_url(series), params)
    assert response.status_code == 200
    texts = set(re.findall(r'<p class="contribution-text">([^<]*)</p>', response.content.decode()))
    assert "Another series entirely" not in texts
    return texts


def test_unfiltered_shows_the_whole_series_only(client, analyst, spread):
    """With no filter, every post in the series, and none from other series."""
    client.force_login(analyst)
    assert shown(client, spread.series) == ALL_TEXTS


def test_filter_by_workshop(client, analyst, spread):
    """Choosing a workshop shows only its posts."""
    client.force_login(analyst)
    assert shown(client, spread.series, workshop=spread.london.pk) == {
        "London rec3 education",
        "London rec4 pcf",
    }


def test_filter_by_region(client, analyst, spread):
    """Choosing a region shows only posts from workshops in it."""
    client.force_login(analyst)
    assert shown(client, spread.series, region="Yorkshire") == {
        "Leeds rec1 pcf",
        "Leeds rec2 education",
        "Leeds rec3 health",
    }


def test_filter_by_pillar(client, analyst, spread):
    """Choosing pillar 2 shows posts on recommendations 2, 4, 6 and 7 only."""
    client.force_login(analyst)
    pillar_2 = send_reform().pillars.get(number=2)
    assert shown(client, spread.series, pillar=pillar_2.pk) == {
        "Leeds rec2 education",
        "London rec4 pcf",
    }


def test_filter_by_recommendation(client, analyst, spread):
    """Choosing a recommendation shows its posts from every workshop."""
    client.force_login(analyst)
    rec_3 = send_reform().recommendations().get(number=3)
    assert shown(client, spread.series, recommendation=rec_3.pk) == {
        "Leeds rec3 health",
        "London rec3 education",
    }


def test_filter_by_stakeholder_group(client, analyst, spread):
    """Choosing a group shows only posts written by that group."""
    client.force_login(analyst)
    education = stakeholder_group("education")
    assert shown(client, spread.series, group=education.pk) == {
        "Leeds rec2 education",
        "London rec3 education",
    }


def test_filters_combine(client, analyst, spread):
    """Filters narrow together."""
    client.force_login(analyst)
    rec_3 = send_reform().recommendations().get(number=3)
    params = {"recommendation": rec_3.pk, "region": "London"}
    assert shown(client, spread.series, **params) == {"London rec3 education"}


def test_each_region_is_offered_once(client, analyst, spread):
    """Two workshops in one region give one region choice, in alphabetical order."""
    make_workshop(series=spread.series, title="Sheffield", region="Yorkshire")
    client.force_login(analyst)
    response = client.get(contributions_url(spread.series))
    assert response.context["filters"].fields["region"].choices == [
        ("", "All regions"),
        ("London", "London"),
        ("Yorkshire", "Yorkshire"),
    ]
    assert response.content.decode().count('<option value="Yorkshire"') == 1


def test_workshop_of_another_series_is_not_a_valid_filter(client, analyst, spread):
    """A workshop from another series is not offered, and choosing it narrows nothing."""
    client.force_login(analyst)
    other = make_workshop()
    assert shown(client, spread.series, workshop=other.pk) == ALL_TEXTS


# Per-group counts


@pytest.fixture
def voted_post(workshop):
    """A pcf post with, from others: 2 pcf agree, 1 education disagree, 1 health pass,
    1 education agree; and the author's own agree, which must not count."""
    post = ContributionFactory(
        participant=ParticipantFactory(workshop=workshop, group=stakeholder_group("pcf"))
    )
    for slug, choice in [
        ("pcf", "agree"),
        ("pcf", "agree"),
        ("education", "disagree"),
        ("education", "agree"),
        ("health", "pass"),
    ]:
        VoteFactory(contribution=post, participant__group=stakeholder_group(slug), choice=choice)
    VoteFactory(contribution=post, participant=post.participant, choice="agree")
    return post


def tally_row(content, short_name):
    match = re.search(
        rf'<th scope="row">{re.escape(short_name)}</th>\s*'
        r"<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>",
        content,
    )
    assert match, short_name
    return tuple(int(n) for n in match.groups())


def test_contributions_page_shows_per_group_counts(client, analyst, voted_post):
    """Each post shows agree, disagree and pass per group, without the author's own vote."""
    client.force_login(analyst)
    response = client.get(contributions_url(voted_post.workshop.series))
    content = response.content.decode()
    assert tally_row(content, "PCF") == (2, 0, 0)
    assert tally_row(content, "Education") == (1, 1, 0)
    assert tally_row(content, "Health") == (0, 0, 1)
    assert tally_row(content, "Young person") == (0, 0, 0)
    (shown_post,) = response.context["contributions"]
    tallies = {group.slug: tally for group, tally in shown_post.tallies}
    assert tallies["pcf"] == Tally(agree=2)
    assert list(tallies) == [
        "pcf",
        "education",
        "health",
        "local_government",
        "young_person",
        "other",
    ]


def test_group_tallies_counts_per_group_and_leaves_out_the_authors_vote(voted_post):
    """group_tallies gives a Tally per voting group, never counting the author's own vote."""
    result = group_tallies(Contribution.objects.filter(pk=voted_post.pk))
    assert result == {
        voted_post.pk: {
            "pcf": Tally(agree=2),
            "education": Tally(agree=1, disagree=1),
            "health": Tally(passes=1),
        }
    }


def test_group_tallies_only_own_vote_means_no_tally(workshop):
    """A post whose only vote is its author's has no tallies at all."""
    post = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    VoteFactory(contribution=post, participant=post.participant, choice="agree")
    assert group_tallies(Contribution.objects.filter(pk=post.pk)) == {}


def test_group_tallies_keeps_posts_apart_and_respects_the_queryset(workshop):
    """Votes are counted per post, and only for the posts asked about."""
    first = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    second = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    VoteFactory(contribution=first, choice="agree")
    VoteFactory(contribution=second, choice="disagree")
    VoteFactory(
        contribution=second, choice="disagree", participant__group=stakeholder_group("other")
    )
    both = group_tallies(Contribution.objects.filter(pk__in=[first.pk, second.pk]))
    assert both == {
        first.pk: {"pcf": Tally(agree=1)},
        second.pk: {"pcf": Tally(disagree=1), "other": Tally(disagree=1)},
    }
    assert group_tallies(Contribution.objects.filter(pk=first.pk)) == {
        first.pk: {"pcf": Tally(agree=1)}
    }


# Query count


def page_queries(client, series):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(contributions_url(series))
    assert response.status_code == 200
    return len(queries)


def test_contributions_page_query_count_does_not_grow(
    client, analyst, django_assert_max_num_queries
):
    """The page costs the same few queries with 3 posts as with 120 posts and 360 votes."""
    client.force_login(analyst)
    small, large = make_workshop(region="North"), make_workshop(region="South")
    populate(small, posts=3)
    populate(large, posts=120)
    assert page_queries(client, large.series) == page_queries(client, small.series)
    with django_assert_max_num_queries(CONTRIBUTIONS_MAX_QUERIES):
        response = client.get(contributions_url(large.series))
    assert "120 contributions" in response.content.decode()
    assert all(post.tallies for post in response.context["contributions"])
