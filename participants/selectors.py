from django.db.models import OuterRef, Q, Subquery

from participants.models import Contribution, Participant, Vote


def participant_get(*, workshop, participant_id):
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("group", "workshop")
        .filter(workshop=workshop, pk=participant_id)
        .first()
    )


def participant_feed(participant):
    """The open prompts of the participant's workshop, each with `.feed`: visible posts and
    the participant's own posts still waiting for approval, newest first, each carrying
    `my_vote` (this participant's choice or None)."""
    prompts = list(
        participant.workshop.prompts.filter(is_open=True).select_related("recommendation__pillar")
    )
    my_vote = Vote.objects.filter(participant=participant, contribution=OuterRef("pk"))
    contributions = (
        Contribution.objects.filter(prompt__in=prompts)
        .filter(
            Q(state=Contribution.State.VISIBLE)
            | Q(state=Contribution.State.PENDING, participant=participant)
        )
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
