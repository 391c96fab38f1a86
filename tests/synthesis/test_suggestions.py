"""Suggested themes: alike posts across workshops, made into themes only by an analyst."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from participants.models import Contribution, Vote
from synthesis import vectors
from synthesis.board import build_board
from synthesis.models import DismissedSuggestion, Theme
from synthesis.suggestions import suggested_themes
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop

pytestmark = pytest.mark.django_db

POSTS = {
    "autism-1": ("north", "Families wait far too long for an autism assessment."),
    "autism-2": ("south", "The wait for an autism assessment is far too long for families."),
    "autism-3": ("south", "Autism assessments take years to happen for our children."),
    "transport-1": ("north", "School transport for disabled children is unreliable."),
    "transport-2": ("south", "Transport to special school is unreliable and often late."),
    "voice": ("north", "Young people want to be asked directly about their own plans."),
    "contact-1": ("north", "Parents need one named contact at the council who replies."),
    "contact-2": ("north", "Parents need a single named council contact who answers."),
}


@pytest.fixture
def series_posts():
    """Two workshops of one series; every post visible and worked out."""
    north = make_workshop(title="North workshop", region="North West")
    south = make_workshop(series=north.series, title="South workshop", region="South West")
    workshops = {"north": north, "south": south}
    posts = {
        key: ContributionFactory(
            participant=ParticipantFactory(workshop=workshops[where]), text=text
        )
        for key, (where, text) in POSTS.items()
    }
    vectors.refresh(Contribution.objects.filter(workshop__series=north.series))
    return north.series, posts


def ids(*posts):
    return sorted(post.pk for post in posts)


def test_alike_posts_across_workshops_are_suggested_together(series_posts):
    series, posts = series_posts
    found = {tuple(sorted(s.contribution_ids)): s for s in suggested_themes(series)}
    autism = found[tuple(ids(posts["autism-1"], posts["autism-2"], posts["autism-3"]))]
    assert autism.title in {post.public_text for post in autism.posts}
    assert autism.workshops == ["North workshop", "South workshop"]
    assert autism.regions == ["North West", "South West"]
    assert tuple(ids(posts["transport-1"], posts["transport-2"])) in found
    assert all(posts["voice"].pk not in key for key in found)


def test_alike_posts_of_one_workshop_and_question_are_left_to_merging(series_posts):
    series, posts = series_posts
    pair = set(ids(posts["contact-1"], posts["contact-2"]))
    assert all(set(s.contribution_ids) != pair for s in suggested_themes(series))


def test_an_accepted_suggestion_becomes_a_theme_whose_votes_pool(series_posts, client, analyst):
    series, posts = series_posts
    members = [posts["transport-1"], posts["transport-2"]]
    voter = ParticipantFactory(workshop=members[0].workshop)
    for post in members:
        Vote.objects.create(participant=voter, contribution=post, choice="agree")
    client.force_login(analyst)
    response = client.post(
        reverse("synthesis:themes", args=[series.pk]),
        {"title": "Transport is unreliable", "contributions": ", ".join(map(str, ids(*members)))},
    )
    assert response.status_code == 302
    theme = Theme.objects.get(series=series)
    assert sorted(theme.contributions.values_list("pk", flat=True)) == ids(*members)
    item = next(i for i in build_board(series).items if i.kind == "theme")
    assert item.total.agree == 1  # one person's votes on both posts count once
    left = {tuple(sorted(s.contribution_ids)) for s in suggested_themes(series)}
    assert tuple(ids(*members)) not in left


def test_a_dismissed_suggestion_stays_dismissed(series_posts, client, analyst):
    series, posts = series_posts
    autism = ids(posts["autism-1"], posts["autism-2"], posts["autism-3"])
    client.force_login(analyst)
    client.post(
        reverse("synthesis:suggestion_dismiss", args=[series.pk]),
        {"contributions": ",".join(map(str, autism))},
    )
    assert DismissedSuggestion.objects.get(series=series).contribution_ids == autism
    # A new post saying the same joins the group: it still shares half its posts.
    later = ContributionFactory(
        participant=ParticipantFactory(workshop=posts["autism-1"].workshop),
        text="Getting an autism assessment for a child takes far too long.",
    )
    vectors.refresh(Contribution.objects.filter(pk=later.pk))
    assert all(
        len(set(s.contribution_ids) & set(autism)) * 2 < len(s.contribution_ids)
        for s in suggested_themes(series)
    )


def test_dismissing_posts_of_another_series_is_refused_politely(series_posts, client, analyst):
    series, _ = series_posts
    elsewhere = ContributionFactory()
    client.force_login(analyst)
    for typed in (f"{elsewhere.pk}", "twelve"):
        response = client.post(
            reverse("synthesis:suggestion_dismiss", args=[series.pk]),
            {"contributions": typed},
            follow=True,
        )
        assert "That suggestion could not be dismissed" in response.content.decode()
    assert not DismissedSuggestion.objects.exists()


def test_the_themes_page_shows_suggestions_ready_to_accept(series_posts, client, analyst):
    series, posts = series_posts
    client.force_login(analyst)
    page = client.get(reverse("synthesis:themes", args=[series.pk])).content.decode()
    assert "<h2>Suggested themes</h2>" in page
    assert f"Post {posts['autism-2'].pk} (" in page
    assert "Make it a theme" in page and "Dismiss" in page


def test_the_command_prints_suggestions_and_each_posts_similar_posts(series_posts):
    series, posts = series_posts
    out = StringIO()
    call_command("suggest_themes", str(series.pk), "--json", stdout=out)
    printed = json.loads(out.getvalue().strip().splitlines()[-1])
    assert ids(posts["autism-1"], posts["autism-2"], posts["autism-3"]) in [
        sorted(theme["contributions"]) for theme in printed["themes"]
    ]
    assert set(printed["similar"]) == {str(post.pk) for post in posts.values()}
    nearest = printed["similar"][str(posts["transport-1"].pk)]
    assert nearest[0] == posts["transport-2"].pk and len(nearest) == vectors.SIMILAR


def test_the_command_refuses_bad_input_politely():
    with pytest.raises(CommandError, match="There is no series 999999"):
        call_command("suggest_themes", "999999")
    series = make_workshop().series
    with pytest.raises(CommandError, match="--similar must be at least 1"):
        call_command("suggest_themes", str(series.pk), "--similar", "0")
