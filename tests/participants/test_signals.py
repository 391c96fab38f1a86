"""The participants app announces each change once it has committed: exactly once per
change, never before the commit, never for a change rolled back or refused."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from participants import services
from participants.models import Contribution
from synthesis.services import workshop_purge
from tests.events import rolled_back
from tests.factories import ContributionFactory, ParticipantFactory, UserFactory, stakeholder_group
from workshops.models import Workshop
from workshops.services import workshop_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(participant):
    return ContributionFactory(participant=participant, text="More speech therapists")


@pytest.fixture
def voter(workshop):
    return ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))


def create(participant, client_id):
    prompt = participant.workshop.prompts.get(is_open=True)
    return services.contribution_create(
        participant=participant, prompt=prompt, text="A fair point", client_id=client_id
    )[0]


def names(announced):
    return [name for name, _ in announced]


def test_a_new_post_is_announced_once_after_commit_and_not_on_a_retry(
    participant, announced, committed
):
    """contribution_created carries the post and its workshop; the retried send is silent."""
    client_id = uuid.uuid4()
    with committed():
        contribution = create(participant, client_id)
        assert announced == []
    with committed():
        create(participant, client_id)
    assert announced == [
        (
            "participants.contribution_created",
            {"workshop_id": participant.workshop_id, "contribution": contribution},
        )
    ]


def test_a_post_entered_for_a_group_is_announced_once(workshop, announced, committed):
    """A scribe's post is a new post like any other."""
    with committed():
        services.contribution_create_for_group(
            prompt=workshop.prompts.get(is_open=True),
            group=stakeholder_group("pcf"),
            text="From a paper card",
            client_id=uuid.uuid4(),
            entered_by=UserFactory(roles=["facilitator"]),
        )
    assert names(announced) == ["participants.contribution_created"]


def test_moderation_is_announced_with_the_state_before(post, announced, committed):
    """contribution_moderated says what the post was before."""
    with committed():
        services.contribution_set_state(contribution=post, state="hidden")
    assert announced == [
        (
            "participants.contribution_moderated",
            {"workshop_id": post.workshop_id, "contribution": post, "before": "visible"},
        )
    ]


@pytest.mark.parametrize("change", ["edit", "release"])
def test_new_words_are_announced_as_an_edit(participant, change, announced, committed):
    """An edit by a facilitator, and released personal data, change what readers see."""
    post = ContributionFactory(participant=participant)
    if change == "release":
        services.contribution_edit(contribution=post, text="Call me on 07700 900123")
    announced.clear()
    with committed():
        if change == "edit":
            services.contribution_edit(contribution=post, text="Reworded")
        else:
            services.contribution_release_personal_data(contribution=post, by=None)
    assert announced == [
        (
            "participants.contribution_edited",
            {"workshop_id": post.workshop_id, "contribution": post},
        )
    ]


def test_a_merge_is_announced_once_with_both_posts(post, voter, announced, committed):
    into = ContributionFactory(participant=voter)
    with committed():
        services.contribution_merge(duplicate=post, into=into)
    assert announced == [
        (
            "participants.contribution_merged",
            {"workshop_id": post.workshop_id, "contribution": post, "into": into},
        )
    ]


def test_a_withdrawal_is_announced_by_id(participant, post, announced, committed):
    """The row is gone, so the event carries its id."""
    post_id = post.pk
    with committed():
        services.contribution_withdraw(participant=participant, contribution=post)
    assert announced == [
        (
            "participants.contribution_withdrawn",
            {"workshop_id": participant.workshop_id, "contribution_id": post_id},
        )
    ]


def test_a_vote_is_announced_as_votes_changed(post, voter, announced, committed):
    with committed():
        services.vote_cast(participant=voter, contribution=post, choice="agree")
    assert announced == [
        (
            "participants.votes_changed",
            {"workshop_id": post.workshop_id, "contribution_ids": [post.pk]},
        )
    ]


def test_an_erasure_is_announced_by_id(participant, announced, committed):
    participant_id = participant.pk
    with committed():
        services.participant_erase(participant=participant, by=None)
    assert announced == [
        (
            "participants.participant_erased",
            {"workshop_id": participant.workshop_id, "participant_id": participant_id},
        )
    ]


def test_a_purge_is_announced_once(workshop, post, announced, committed):
    """Purging a closed workshop announces its status change first, then the purge."""
    workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    announced.clear()
    with committed():
        workshop_purge(workshop=workshop)
    assert announced == [("participants.workshop_purged", {"workshop_id": workshop.pk})]


def rolled_back_actions(participant, post, voter):
    into = ContributionFactory(participant=voter)
    return {
        "create": lambda: create(participant, uuid.uuid4()),
        "moderate": lambda: services.contribution_set_state(contribution=post, state="hidden"),
        "edit": lambda: services.contribution_edit(contribution=post, text="Reworded"),
        "merge": lambda: services.contribution_merge(duplicate=post, into=into),
        "withdraw": lambda: services.contribution_withdraw(
            participant=participant, contribution=post
        ),
        "vote": lambda: services.vote_cast(
            participant=participant, contribution=into, choice="pass"
        ),
        "erase": lambda: services.participant_erase(participant=voter, by=None),
    }


@pytest.mark.parametrize(
    "action", ["create", "moderate", "edit", "merge", "withdraw", "vote", "erase"]
)
def test_nothing_is_announced_for_a_rolled_back_change(
    participant, post, voter, action, announced, committed
):
    """A change that never commits is never announced."""
    act, post_id = rolled_back_actions(participant, post, voter)[action], post.pk
    with committed(), rolled_back():
        act()
    assert announced == []
    assert Contribution.objects.filter(pk=post_id, state="visible").exists()


def test_nothing_is_announced_for_a_refused_change(participant, post, announced, committed):
    """A refusal saves nothing and says nothing."""
    with committed():
        with pytest.raises(ValidationError):
            services.vote_cast(participant=participant, contribution=post, choice="agree")
        with pytest.raises(ValidationError):
            services.contribution_set_state(contribution=post, state="bogus")
        with pytest.raises(ValidationError):
            services.contribution_edit(contribution=post, text="   ")
    assert announced == []
