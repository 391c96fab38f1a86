"""Withdrawing one's own post: it leaves every screen at once, can be undone for 10 s, and
its row is deleted when the 10 s are up."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from facilitation.selectors import console_contributions
from participants import selectors, services, tasks
from participants.models import WITHDRAWAL_UNDO_SECONDS, Contribution, Vote
from tests.factories import ContributionFactory, ParticipantFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The deletions queued, as (args, countdown), instead of run at once."""
    calls = []

    def apply_async(args, countdown=None, **options):
        calls.append((tuple(args), countdown))

    monkeypatch.setattr(tasks.delete_withdrawn_contribution, "apply_async", apply_async)
    return calls


@pytest.fixture
def post(participant):
    return ContributionFactory(participant=participant, text="Changed my mind")


@pytest.fixture
def voter(workshop):
    return ParticipantFactory(workshop=workshop)


def withdraw(participant, post, committed):
    with committed():
        return services.contribution_withdraw(participant=participant, contribution=post)


def test_a_withdrawn_post_is_gone_from_every_reading_and_its_deletion_is_queued(
    participant, post, voter, queued, committed, announced
):
    VoteFactory(participant=voter, contribution=post)
    withdraw(participant, post, committed)

    assert not Contribution.objects.filter(pk=post.pk).exists()
    assert not post.workshop.contributions.exists()
    assert all(not prompt.feed for prompt in selectors.participant_feed(voter))
    assert post.pk not in [c.pk for c in console_contributions(post.workshop)]
    with pytest.raises(ValidationError, match="no longer shown"):
        services.vote_cast(participant=voter, contribution=post, choice="pass")
    assert queued == [((post.pk, post.withdrawn_at.isoformat()), WITHDRAWAL_UNDO_SECONDS)]
    assert [name for name, _ in announced] == ["participants.contribution_withdrawn"]
    # Kept, votes and all, for the undo.
    assert Contribution.with_withdrawn.get(pk=post.pk).withdrawn_from == "visible"
    assert Vote.objects.filter(contribution_id=post.pk).exists()


@pytest.mark.parametrize("state", ["visible", "pending"])
def test_undo_within_10_seconds_brings_it_back_as_it_was(
    participant, post, voter, state, queued, committed, announced
):
    Contribution.objects.filter(pk=post.pk).update(state=state)
    post.refresh_from_db()
    VoteFactory(participant=voter, contribution=post, choice="agree")
    withdraw(participant, post, committed)
    with committed():
        services.contribution_withdraw_undo(participant=participant, contribution_id=post.pk)

    back = Contribution.objects.get(pk=post.pk)
    assert (back.state, back.withdrawn_at, back.withdrawn_from) == (state, None, "")
    assert back.votes.get().choice == "agree"
    assert announced[-1] == (
        "participants.contribution_moderated",
        {"workshop_id": post.workshop_id, "contribution": back, "before": "withdrawn"},
    )


def test_undo_after_10_seconds_is_refused_politely(participant, post, queued, committed):
    withdraw(participant, post, committed)
    late = timezone.now() - timedelta(seconds=WITHDRAWAL_UNDO_SECONDS + 1)
    Contribution.with_withdrawn.filter(pk=post.pk).update(withdrawn_at=late)
    with pytest.raises(ValidationError, match="too late to undo"):
        services.contribution_withdraw_undo(participant=participant, contribution_id=post.pk)


def test_no_one_undoes_someone_elses_withdrawal_or_a_post_never_withdrawn(
    participant, post, voter, queued, committed
):
    withdraw(participant, post, committed)
    other = ContributionFactory(participant=participant)
    for who, contribution_id in [(voter, post.pk), (participant, other.pk), (participant, 0)]:
        with pytest.raises(ValidationError, match="too late to undo"):
            services.contribution_withdraw_undo(participant=who, contribution_id=contribution_id)
    assert Contribution.with_withdrawn.get(pk=post.pk).state == "withdrawn"


def test_the_queued_deletion_removes_the_row_and_its_votes(
    participant, post, voter, queued, committed
):
    VoteFactory(participant=voter, contribution=post)
    withdraw(participant, post, committed)
    ((args, _),) = queued
    tasks.delete_withdrawn_contribution.apply(args)
    assert not Contribution.with_withdrawn.filter(pk=post.pk).exists()
    assert not Vote.objects.exists()


def test_a_post_brought_back_and_withdrawn_again_waits_for_its_own_time(
    participant, post, queued, committed
):
    withdraw(participant, post, committed)
    services.contribution_withdraw_undo(participant=participant, contribution_id=post.pk)
    post.refresh_from_db()
    withdraw(participant, post, committed)
    first, second = (args for args, _ in queued)
    tasks.delete_withdrawn_contribution.apply(first)
    assert Contribution.with_withdrawn.filter(pk=post.pk).exists()
    tasks.delete_withdrawn_contribution.apply(second)
    assert not Contribution.with_withdrawn.filter(pk=post.pk).exists()


def test_any_deletion_also_sweeps_withdrawals_whose_time_is_up(participant, queued, committed):
    """A process that restarted never ran its queued deletions: the next one catches up."""
    forgotten, recent, mine = (ContributionFactory(participant=participant) for _ in range(3))
    for contribution in (forgotten, recent, mine):
        withdraw(participant, contribution, committed)
    long_ago = timezone.now() - timedelta(minutes=5)
    Contribution.with_withdrawn.filter(pk=forgotten.pk).update(withdrawn_at=long_ago)
    tasks.delete_withdrawn_contribution.apply(queued[-1][0])
    left = set(Contribution.with_withdrawn.values_list("pk", flat=True))
    assert left == {recent.pk}


def test_the_scheduled_sweep_deletes_withdrawals_whose_time_is_up_and_keeps_the_rest(
    participant, queued, committed
):
    """Run every minute by the scheduler, for deletions lost with a stopped worker."""
    forgotten, recent = (ContributionFactory(participant=participant) for _ in range(2))
    kept = ContributionFactory(participant=participant)
    for contribution in (forgotten, recent):
        withdraw(participant, contribution, committed)
    long_ago = timezone.now() - timedelta(seconds=11)
    Contribution.with_withdrawn.filter(pk=forgotten.pk).update(withdrawn_at=long_ago)
    tasks.delete_withdrawn_contributions.apply()
    left = set(Contribution.with_withdrawn.values_list("pk", flat=True))
    assert left == {recent.pk, kept.pk}
    assert "participants.tasks.delete_withdrawn_contributions" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_a_retry_of_a_withdrawn_post_is_that_post_not_an_error(
    participant, post, queued, committed
):
    withdraw(participant, post, committed)
    again, created = services.contribution_create(
        participant=participant, prompt=post.prompt, text=post.text, client_id=post.client_id
    )
    assert (again.pk, created) == (post.pk, False)


# The phone's pages, without their script


def test_withdrawing_shows_post_withdrawn_with_an_undo(
    participant_client, participant, post, queued, committed
):
    code = participant.workshop.join_code
    with committed():
        response = participant_client.post(reverse("participants:withdraw", args=[code, post.pk]))
    assert response.url == f"/w/{code}/?withdrawn={post.pk}"
    page = participant_client.get(response.url).content.decode()
    assert "Post withdrawn." in page
    assert reverse("participants:withdraw_undo", args=[code, post.pk]) in page
    assert "Changed my mind" not in page

    with committed():
        back = participant_client.post(
            reverse("participants:withdraw_undo", args=[code, post.pk]), follow=True
        )
    assert "Your post is back." in back.content.decode()
    assert "Changed my mind" in back.content.decode()
    assert Contribution.objects.filter(pk=post.pk).exists()


def test_the_undo_is_not_offered_once_the_time_is_up(participant_client, participant, post):
    late = timezone.now() - timedelta(seconds=WITHDRAWAL_UNDO_SECONDS + 1)
    Contribution.objects.filter(pk=post.pk).update(
        state="withdrawn", withdrawn_from="visible", withdrawn_at=late
    )
    code = participant.workshop.join_code
    page = participant_client.get(f"/w/{code}/?withdrawn={post.pk}").content.decode()
    assert "Post withdrawn." not in page
    refused = participant_client.post(
        reverse("participants:withdraw_undo", args=[code, post.pk]), follow=True
    )
    assert "too late to undo" in refused.content.decode()
    assert not Contribution.objects.filter(pk=post.pk).exists()


@pytest.mark.parametrize(
    "value", ["", "abc", "-1", "0", "1.5", "²", "9" * 40, "1e400", "<script>", "%00"]
)
def test_a_nonsense_withdrawn_query_is_ignored(participant_client, participant, post, value):
    response = participant_client.get(f"/w/{participant.workshop.join_code}/", {"withdrawn": value})
    assert response.status_code == 200
    assert "Post withdrawn." not in response.content.decode()


def test_the_withdraw_button_asks_first(participant_client, participant, post):
    """The GOV.UK warning pattern, in a disclosure that works without the page's script."""
    page = participant_client.get(f"/w/{participant.workshop.join_code}/").content.decode()
    assert "<summary>Withdraw this post</summary>" in page
    assert "You can undo this for 10 seconds." in page
    assert "Yes, withdraw this post" in page


def test_your_own_vote_is_shown_as_chosen(participant_client, participant, workshop):
    theirs = ContributionFactory(participant__workshop=workshop)
    VoteFactory(participant=participant, contribution=theirs, choice="disagree")
    page = participant_client.get(f"/w/{workshop.join_code}/").content.decode()
    assert 'value="disagree" aria-pressed="true"' in page
    assert 'value="agree" aria-pressed="false"' in page
