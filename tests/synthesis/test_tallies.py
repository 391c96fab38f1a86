"""Each post's votes per group are kept as they change, and always equal a count of the votes:
after votes cast and changed, merges, withdrawals, hides, erasures, bulk loads and purges."""

import importlib
import random
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from participants import services
from participants.models import Contribution, Participant, Vote
from synthesis import tallies
from synthesis.models import GroupTally
from synthesis.selectors import group_tallies
from synthesis.stats import Tally
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import populate

pytestmark = pytest.mark.django_db

GROUPS = ("pcf", "education", "health", "other")
CHOICES = list(Vote.Choice.values)


@pytest.fixture(autouse=True)
def no_vote_limit(settings):
    settings.VOTES_PER_MINUTE = 1_000_000


def every_post():
    return Contribution._base_manager.all()


def assert_tallies_match_votes():
    assert tallies.stored(every_post()) == tallies.counted_from_votes(every_post())


def a_room(workshop, people=8):
    """People of several groups, each with a post."""
    for n in range(people):
        person = ParticipantFactory(workshop=workshop, group=stakeholder_group(GROUPS[n % 4]))
        ContributionFactory(participant=person, prompt=workshop.prompts.first())


def shown(workshop):
    return list(Contribution.objects.filter(workshop=workshop, state=Contribution.State.VISIBLE))


def people(workshop):
    return list(Participant.objects.filter(workshop=workshop))


def random_step(rng, workshop):
    """One thing that happens in a live room, chosen at random; returns its name."""
    posts, room = shown(workshop), people(workshop)
    step = rng.choices(
        ["vote", "hide", "show", "merge", "withdraw", "erase", "join"],
        weights=[60, 5, 5, 5, 5, 3, 5],
    )[0]
    if step == "vote" and posts and room:
        voter, post = rng.choice(room), rng.choice(posts)
        if voter.pk != post.participant_id:
            services.vote_cast(participant=voter, contribution=post, choice=rng.choice(CHOICES))
    elif step == "hide" and posts:
        services.contribution_set_state(contribution=rng.choice(posts), state="hidden")
    elif step == "show":
        hidden = Contribution.objects.filter(workshop=workshop, state="hidden").first()
        if hidden:
            services.contribution_set_state(contribution=hidden, state="visible")
    elif step == "merge" and len(posts) > 2:
        duplicate, into = rng.sample(posts, 2)
        services.contribution_merge(duplicate=duplicate, into=into)
    elif step == "withdraw" and posts:
        post = rng.choice(posts)
        services.contribution_withdraw(participant=post.participant, contribution=post)
        # Deleted for good, as it is once the time to undo has passed.
        Contribution._base_manager.filter(pk=post.pk).delete()
    elif step == "erase" and len(room) > 4:
        services.participant_erase(participant=rng.choice(room), by=None)
    elif step == "join":
        a_room(workshop, people=1)
    return step


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_equal_a_recount_after_any_sequence_of_changes(seed):
    rng = random.Random(seed)
    north, south = make_workshop(), make_workshop()
    populate(south, posts=6, voters_per_post=5)  # loaded in bulk, past the vote service
    for workshop in (north, south):
        a_room(workshop)
    done = set()
    for _ in range(200):
        done.add(random_step(rng, rng.choice([north, south])))
        assert_tallies_match_votes()
    assert done >= {"vote", "hide", "show", "merge", "withdraw", "erase"}
    assert GroupTally.objects.exists()

    services.workshop_participants_purge(workshop=north)

    assert not GroupTally.objects.filter(contribution__workshop=north).exists()
    assert GroupTally.objects.filter(contribution__workshop=south).exists()
    assert_tallies_match_votes()


def test_a_changed_vote_moves_from_one_count_to_the_other():
    workshop = make_workshop()
    post = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    voter = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))

    services.vote_cast(participant=voter, contribution=post, choice="agree")
    services.vote_cast(participant=voter, contribution=post, choice="agree")
    assert group_tallies(Contribution.objects.filter(pk=post.pk)) == {
        post.pk: {"health": Tally(agree=1)}
    }
    services.vote_cast(participant=voter, contribution=post, choice="pass")
    assert group_tallies(Contribution.objects.filter(pk=post.pk)) == {
        post.pk: {"health": Tally(passes=1)}
    }


def test_the_authors_own_vote_never_counts():
    workshop = make_workshop()
    author = ParticipantFactory(workshop=workshop)
    post = ContributionFactory(participant=author)
    with pytest.raises(ValidationError):
        services.vote_cast(participant=author, contribution=post, choice="agree")
    # However it got there (an old import, a merge), their vote on their own post is left out.
    Vote.objects.create(participant=author, contribution=post, choice="agree")
    VoteFactory(contribution=post, choice="disagree")

    assert tallies.recount([post.pk]) == set()
    assert group_tallies(Contribution.objects.filter(pk=post.pk)) == {
        post.pk: {"pcf": Tally(disagree=1)}
    }


def test_a_vote_whose_count_cannot_be_kept_is_not_saved_either():
    """The count is written in the vote's own transaction: one never stands without the other."""
    workshop = make_workshop()
    post = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    voter = ParticipantFactory(workshop=workshop)

    with (
        mock.patch.object(tallies, "count_vote", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.vote_cast(participant=voter, contribution=post, choice="agree")

    assert not Vote.objects.exists()
    assert not GroupTally.objects.exists()


def test_repair_finds_and_fixes_drift_and_says_where():
    leeds = make_workshop(title="Leeds")
    york = make_workshop(series=leeds.series, title="York")
    posts = populate(leeds, posts=4, voters_per_post=3)
    populate(york, posts=2, voters_per_post=3)
    kept = GroupTally.objects.filter(contribution__in=posts)
    kept.filter(pk=kept.first().pk).update(agree=99)  # wrong
    kept.filter(pk=kept.last().pk).delete()  # missing
    GroupTally.objects.create(
        contribution=posts[0], group=stakeholder_group("young_person"), passes=3
    )  # counts votes nobody cast

    out = StringIO()
    call_command("repair_tallies", stdout=out)

    assert out.getvalue().splitlines() == [
        f"{leeds.series} — Leeds: 3 counts did not match the votes and were recounted.",
        "3 counts put right in 1 of 2 workshops.",
    ]
    assert_tallies_match_votes()
    out = StringIO()
    call_command("repair_tallies", "--organisation", leeds.series.organisation.name, stdout=out)
    assert out.getvalue() == "Every count agrees with the votes (2 workshops checked).\n"


def test_repair_refuses_an_organisation_it_does_not_know():
    with pytest.raises(CommandError, match="There is no organisation called “Nobody”."):
        call_command("repair_tallies", "--organisation", "Nobody", stdout=StringIO())


def test_the_migration_counts_the_votes_cast_before_counts_were_kept():
    migration = importlib.import_module(
        "synthesis.migrations.0009_group_tallies_kept_as_votes_change"
    )
    workshop = make_workshop()
    populate(workshop, posts=5, voters_per_post=4)
    author = Contribution.objects.first().participant
    Vote.objects.create(
        participant=author, contribution=author.contributions.first(), choice="agree"
    )
    GroupTally.objects.all().delete()

    migration.count_existing_votes(django_apps, schema_editor=None)

    assert GroupTally.objects.count() > 5
    assert_tallies_match_votes()
