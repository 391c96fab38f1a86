from collections import Counter
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from participants.models import Contribution, Vote
from workshops import audit, realtime
from workshops.models import Prompt, Series, Workshop, WorkshopSummary

MAX_TIMER_MINUTES = 120


def series_create(*, framework, name, description="", organisation=""):
    series = Series(
        framework=framework, name=name, description=description, organisation=organisation
    )
    series.full_clean()
    series.save()
    return series


def default_question(recommendation):
    return f"{recommendation.title}. What would help, and what worries you?"


@transaction.atomic
def workshop_create(
    *,
    series,
    title,
    starts_at,
    kind=Workshop.Kind.REGIONAL,
    region="",
    venue="",
    premoderation=True,
):
    """A workshop starts with one prompt per recommendation of its series' framework."""
    workshop = Workshop(
        series=series,
        title=title,
        starts_at=starts_at,
        kind=kind,
        region=region,
        venue=venue,
        premoderation=premoderation,
    )
    workshop.full_clean()
    workshop.save()
    Prompt.objects.bulk_create(
        Prompt(
            workshop=workshop,
            recommendation=recommendation,
            question=default_question(recommendation),
            order=recommendation.number,
        )
        for recommendation in series.framework.recommendations()
    )
    return workshop


def _everyone_resyncs(workshop):
    realtime.publish(workshop.pk, realtime.resync_all)


@transaction.atomic
def workshop_set_status(*, workshop, status):
    if status not in Workshop.Status.values:
        raise ValidationError("Unknown workshop status.")
    workshop.status = status
    workshop.save(update_fields=["status"])
    if status != Workshop.Status.LIVE:
        # A workshop that is not live takes no posts, so no prompt should look open.
        workshop.prompts.update(is_open=False)
    _everyone_resyncs(workshop)
    return workshop


def workshop_set_premoderation(*, workshop, premoderation):
    workshop.premoderation = premoderation
    workshop.save(update_fields=["premoderation"])
    _everyone_resyncs(workshop)
    return workshop


def workshop_spotlight(*, workshop, contribution):
    """Show one visible contribution large on the wall; None clears the spotlight."""
    if contribution is not None and (
        contribution.workshop_id != workshop.pk or contribution.state != Contribution.State.VISIBLE
    ):
        raise ValidationError("Only a visible post from this workshop can be put on the wall.")
    workshop.spotlight = contribution
    workshop.save(update_fields=["spotlight"])
    _everyone_resyncs(workshop)
    return workshop


def prompt_set_open(*, prompt, is_open):
    if is_open and not prompt.workshop.is_live:
        raise ValidationError("Start the workshop before opening a question.")
    prompt.is_open = is_open
    if not is_open:
        prompt.timer_ends_at = None
    prompt.save(update_fields=["is_open", "timer_ends_at"])
    _everyone_resyncs(prompt.workshop)
    return prompt


def prompt_set_timer(*, prompt, minutes):
    """Start a countdown shown on phones and the wall (0 stops it). It closes nothing."""
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_TIMER_MINUTES:
        raise ValidationError(f"Choose between 0 and {MAX_TIMER_MINUTES} minutes.")
    if minutes and not prompt.is_open:
        raise ValidationError("Open the question before starting its timer.")
    prompt.timer_ends_at = timezone.now() + timedelta(minutes=minutes) if minutes else None
    prompt.save(update_fields=["timer_ends_at"])
    _everyone_resyncs(prompt.workshop)
    return prompt


@transaction.atomic
def workshop_purge(*, workshop, by=None):
    """Delete a closed workshop's participant-level data, keeping only counts.

    Participants, their contributions and votes go; what stays is a summary of how many
    took part from each group, how many posts and votes there were, and how the posts were
    classed. Series findings stay, without the posts they quoted.
    """
    from synthesis.board import build_board

    if workshop.status != Workshop.Status.CLOSED:
        raise ValidationError("Only a closed workshop can be purged.")
    people = workshop.participants.filter(is_scribe=False)
    board = build_board(workshop.series, workshop=workshop)
    WorkshopSummary.objects.update_or_create(
        workshop=workshop,
        defaults={
            "participants_by_group": dict(
                people.values_list("group__slug").annotate(n=Count("pk")).order_by()
            ),
            "contributions": workshop.contributions.count(),
            "votes": Vote.objects.filter(contribution__workshop=workshop).count(),
            "classes": dict(Counter(item.verdict.value for item in board.items)),
        },
    )
    audit.record("purge", workshop, actor=by, workshop_id=workshop.pk)
    workshop.spotlight = None
    workshop.save(update_fields=["spotlight"])
    workshop.participants.all().delete()
