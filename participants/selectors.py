from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from participants.models import WITHDRAWAL_UNDO_SECONDS, Contribution, Participant, Vote
from workshops.selectors import short_address


def participant_get(*, workshop, participant_id):
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("group", "workshop")
        .filter(workshop=workshop, pk=participant_id)
        .first()
    )


def participant_feed(participant):
    """The questions on the participant's phone, open ones first, each with `.feed`, newest
    first, each post carrying `my_vote` (this participant's choice or None).

    An open question's feed is its visible posts and the participant's own still waiting for
    approval. A closed question stays, read-only, if the room posted on it (one never opened
    has no posts): its feed is the participant's own such posts only.
    """
    shown = Q(state=Contribution.State.VISIBLE) | Q(
        state=Contribution.State.PENDING, participant=participant
    )
    posted_on = Contribution.objects.filter(shown, prompt=OuterRef("pk"))
    prompts = list(
        participant.workshop.prompts.filter(Q(is_open=True) | Exists(posted_on)).select_related(
            "recommendation__pillar"
        )
    )
    prompts.sort(key=lambda prompt: not prompt.is_open)
    my_vote = Vote.objects.filter(participant=participant, contribution=OuterRef("pk"))
    contributions = (
        Contribution.objects.filter(prompt__in=prompts)
        .filter(shown)
        .filter(Q(prompt__is_open=True) | Q(participant=participant))
        .select_related("participant__group")
        .annotate(my_vote=Subquery(my_vote.values("choice")[:1]))
    )
    by_prompt = {prompt.pk: prompt for prompt in prompts}
    for prompt in prompts:
        prompt.feed = []
    for contribution in contributions:
        by_prompt[contribution.prompt_id].feed.append(contribution)
    return prompts


def feed_contribution(*, participant, contribution_id):
    """One post as the participant's feed shows it (for re-rendering after a vote)."""
    my_vote = Vote.objects.filter(participant=participant, contribution=OuterRef("pk"))
    return (
        Contribution.objects.filter(workshop=participant.workshop, pk=contribution_id)
        .select_related("participant__group")
        .annotate(my_vote=Subquery(my_vote.values("choice")[:1]))
        .first()
    )


def withdrawal_undo_deadline():
    """Posts withdrawn before this can no longer be brought back."""
    return timezone.now() - timedelta(seconds=WITHDRAWAL_UNDO_SECONDS)


def withdrawal_to_undo(*, participant, contribution_id):
    """The participant's post withdrawn so lately that it can still be brought back, or None
    (for any other id, including one that is no id at all)."""
    try:
        contribution_id = int(contribution_id)
    except (TypeError, ValueError):
        return None
    if not 0 < contribution_id < 2**63:
        return None
    return (
        Contribution.with_withdrawn.filter(
            pk=contribution_id,
            participant=participant,
            state=Contribution.State.WITHDRAWN,
            withdrawn_at__gt=withdrawal_undo_deadline(),
        )
        .select_related("workshop")
        .first()
    )


def results_address(workshop):
    """Where a closed workshop's series publishes its results, as people type it: on the
    site's own address (as the wall gives it), no scheme, no "www.", no slash at the end.
    None while the workshop is not closed: there is nothing to follow yet."""
    if workshop.status != workshop.Status.CLOSED:
        return None
    return short_address(workshop.series.results_url)
