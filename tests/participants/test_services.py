"""Tests for participants.services: joining, posting and voting, and what each refuses."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from participants import services
from participants.models import Contribution, Participant, Vote
from participants.ratelimit import RateLimited
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    make_workshop,
    stakeholder_group,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_prompt(workshop):
    prompt = workshop.prompts.get(is_open=True)
    assert prompt.accepts_contributions()
    return prompt


@pytest.fixture
def other(workshop):
    """Another participant in the same workshop."""
    return ParticipantFactory(workshop=workshop, group=stakeholder_group("education"))


def post(participant, prompt, text="A fair point", client_id=None):
    return services.contribution_create(
        participant=participant, prompt=prompt, text=text, client_id=client_id or uuid.uuid4()
    )


# participant_join


def test_join_creates_a_participant_with_consent_time_and_tidy_name(workshop):
    """Joining a live workshop with consent saves the group, a trimmed name and when they agreed."""
    participant = services.participant_join(
        workshop=workshop,
        group=stakeholder_group("health"),
        display_name="  Sam  ",
        table_number=4,
        consent=True,
    )
    participant.refresh_from_db()
    assert participant.workshop == workshop
    assert participant.group.slug == "health"
    assert participant.display_name == "Sam"
    assert participant.table_number == 4
    assert participant.consented_at is not None


@pytest.mark.parametrize("status", [Workshop.Status.DRAFT, Workshop.Status.CLOSED])
def test_join_refused_when_workshop_not_live(status):
    """Nobody can join a workshop that has not started or has finished."""
    workshop = make_workshop(status=status)
    with pytest.raises(ValidationError):
        services.participant_join(workshop=workshop, group=stakeholder_group("pcf"), consent=True)
    assert not Participant.objects.filter(workshop=workshop).exists()


def test_join_requires_consent(workshop):
    """Without consent the join is refused, with the message on the consent field."""
    with pytest.raises(ValidationError) as excinfo:
        services.participant_join(workshop=workshop, group=stakeholder_group("pcf"), consent=False)
    assert "consent" in excinfo.value.message_dict
    assert not Participant.objects.filter(workshop=workshop).exists()


# contribution_create


def test_contribution_create_saves_trimmed_text(participant, open_prompt):
    """A post is saved once, trimmed, in the participant's workshop, and reported as created."""
    contribution, created = post(participant, open_prompt, text="  We need more SENCO time \n")
    assert created is True
    contribution.refresh_from_db()
    assert contribution.text == "We need more SENCO time"
    assert contribution.workshop == participant.workshop
    assert contribution.prompt == open_prompt
    assert contribution.state == Contribution.State.VISIBLE


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t  ", "x" * 1001, "before\x00after", None],
    ids=["empty", "whitespace-only", "over-1000-chars", "null-byte", "none"],
)
def test_contribution_create_rejects_bad_text_with_a_field_message(participant, open_prompt, text):
    """Empty, blank, over-long or unstorable text is refused with a message on `text`."""
    with pytest.raises(ValidationError) as excinfo:
        post(participant, open_prompt, text=text)
    assert excinfo.value.message_dict["text"][0]
    assert not Contribution.objects.exists()


def test_contribution_create_accepts_exactly_1000_chars(participant, open_prompt):
    """The limit is inclusive: 1,000 characters is fine."""
    contribution, created = post(participant, open_prompt, text="y" * 1000)
    assert created
    assert len(contribution.text) == 1000


def test_over_long_message_says_the_limit_and_the_length(participant, open_prompt):
    """The over-long message tells the participant the limit and how long their text is."""
    with pytest.raises(ValidationError) as excinfo:
        post(participant, open_prompt, text="x" * 1234)
    message = excinfo.value.message_dict["text"][0]
    assert "1,000" in message
    assert "1,234" in message


def test_contribution_create_refuses_closed_prompt(participant, workshop):
    """A closed question takes no posts."""
    closed = workshop.prompts.filter(is_open=False).first()
    with pytest.raises(ValidationError) as excinfo:
        post(participant, closed)
    assert "closed" in " ".join(excinfo.value.messages)
    assert not Contribution.objects.exists()


def test_contribution_create_refuses_open_prompt_of_a_workshop_that_is_not_live(participant):
    """An open prompt in a workshop that is not live takes no posts either."""
    workshop = participant.workshop
    prompt = workshop.prompts.get(is_open=True)
    workshop.status = Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    prompt.refresh_from_db()
    with pytest.raises(ValidationError):
        post(participant, prompt)
    assert not Contribution.objects.exists()


def test_contribution_create_refuses_prompt_of_another_workshop(participant):
    """A participant cannot post to a question in another workshop, even an open one."""
    elsewhere = make_workshop().prompts.get(is_open=True)
    with pytest.raises(ValidationError) as excinfo:
        post(participant, elsewhere)
    assert "not part of your workshop" in " ".join(excinfo.value.messages)
    assert not Contribution.objects.exists()


def test_contribution_create_is_idempotent_on_client_id(participant, open_prompt):
    """A retried send with the same client id returns the first row and saves nothing new."""
    client_id = uuid.uuid4()
    first, first_created = post(participant, open_prompt, text="Once", client_id=client_id)
    again, again_created = post(participant, open_prompt, text="Once", client_id=client_id)
    assert first_created is True
    assert again_created is False
    assert again.pk == first.pk
    assert Contribution.objects.count() == 1


def test_same_client_id_from_two_participants_is_two_posts(participant, other, open_prompt):
    """Client ids are per participant: two phones choosing the same id do not collide."""
    client_id = uuid.uuid4()
    post(participant, open_prompt, client_id=client_id)
    _, created = post(other, open_prompt, client_id=client_id)
    assert created
    assert Contribution.objects.count() == 2


def test_contribution_create_rate_limited_on_the_seventh_in_a_minute(
    participant, open_prompt, settings, fixed_window
):
    """Six posts a minute are fine; the seventh raises RateLimited and is not saved."""
    settings.CONTRIBUTIONS_PER_MINUTE = 6
    for n in range(6):
        post(participant, open_prompt, text=f"Post {n}")
    with pytest.raises(RateLimited):
        post(participant, open_prompt, text="One too many")
    assert Contribution.objects.count() == 6


def test_rate_limit_is_per_participant(participant, other, open_prompt, settings, fixed_window):
    """One busy participant does not use up anyone else's allowance."""
    settings.CONTRIBUTIONS_PER_MINUTE = 6
    for n in range(6):
        post(participant, open_prompt, text=f"Post {n}")
    _, created = post(other, open_prompt, text="My first")
    assert created


def test_retry_of_a_saved_post_is_not_rate_limited(
    participant, open_prompt, settings, fixed_window
):
    """A retried send of a saved post returns it even when the participant is at the limit."""
    settings.CONTRIBUTIONS_PER_MINUTE = 6
    client_id = uuid.uuid4()
    first, _ = post(participant, open_prompt, client_id=client_id)
    for n in range(5):
        post(participant, open_prompt, text=f"Post {n}")
    again, created = post(participant, open_prompt, client_id=client_id)
    assert (again.pk, created) == (first.pk, False)


# vote_cast


@pytest.fixture
def their_post(other):
    return ContributionFactory(participant=other)


def test_vote_cast_saves_the_choice(participant, their_post):
    """A participant can agree with someone else's post."""
    vote = services.vote_cast(participant=participant, contribution=their_post, choice="agree")
    assert Vote.objects.get() == vote
    assert (vote.participant, vote.contribution, vote.choice) == (participant, their_post, "agree")


def test_vote_is_changeable_and_stays_one_row(participant, their_post):
    """Voting again changes the one vote rather than adding another."""
    services.vote_cast(participant=participant, contribution=their_post, choice="agree")
    services.vote_cast(participant=participant, contribution=their_post, choice="disagree")
    services.vote_cast(participant=participant, contribution=their_post, choice="pass")
    assert Vote.objects.count() == 1
    assert Vote.objects.get().choice == Vote.Choice.PASS


def test_vote_on_own_contribution_refused(participant):
    """Nobody votes on their own post."""
    mine = ContributionFactory(participant=participant)
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, contribution=mine, choice="agree")
    assert not Vote.objects.exists()


def test_vote_on_another_workshops_contribution_refused(participant):
    """Votes only count within the voter's own workshop."""
    elsewhere = ContributionFactory()
    assert elsewhere.workshop_id != participant.workshop_id
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, contribution=elsewhere, choice="agree")
    assert not Vote.objects.exists()


def test_vote_on_hidden_contribution_refused(participant, their_post):
    """A post the facilitator has hidden takes no votes."""
    services.contribution_set_state(contribution=their_post, state=Contribution.State.HIDDEN)
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, contribution=their_post, choice="agree")
    assert not Vote.objects.exists()


@pytest.mark.parametrize("choice", ["", None, "yes", "AGREE", "agree "])
def test_vote_with_bad_choice_refused(participant, their_post, choice):
    """Only agree, disagree and pass are choices."""
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, contribution=their_post, choice=choice)
    assert not Vote.objects.exists()


def test_vote_refused_once_workshop_is_closed(participant, their_post):
    """When the workshop closes, voting closes with it."""
    workshop = participant.workshop
    workshop.status = Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        services.vote_cast(participant=participant, contribution=their_post, choice="agree")
    assert not Vote.objects.exists()


def test_vote_cast_rate_limited(participant, their_post, settings, fixed_window):
    """Past VOTES_PER_MINUTE in one minute, a vote raises RateLimited and changes nothing."""
    settings.VOTES_PER_MINUTE = 3
    for choice in ["agree", "disagree", "agree"]:
        services.vote_cast(participant=participant, contribution=their_post, choice=choice)
    with pytest.raises(RateLimited):
        services.vote_cast(participant=participant, contribution=their_post, choice="pass")
    assert Vote.objects.get().choice == Vote.Choice.AGREE


# contribution_set_state


def test_contribution_set_state_hides_and_shows_again(their_post):
    """A facilitator can hide a post and show it again."""
    services.contribution_set_state(contribution=their_post, state="hidden")
    their_post.refresh_from_db()
    assert their_post.state == Contribution.State.HIDDEN
    services.contribution_set_state(contribution=their_post, state="visible")
    their_post.refresh_from_db()
    assert their_post.state == Contribution.State.VISIBLE


@pytest.mark.parametrize("state", ["", None, "deleted", "HIDDEN"])
def test_contribution_set_state_refuses_unknown_state(their_post, state):
    """An unknown moderation state is refused and the post keeps its state."""
    with pytest.raises(ValidationError):
        services.contribution_set_state(contribution=their_post, state=state)
    their_post.refresh_from_db()
    assert their_post.state == Contribution.State.VISIBLE
