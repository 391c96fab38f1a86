from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from live.events import announce
from workshops import signals
from workshops.models import Prompt, Series, Workshop

MAX_TIMER_MINUTES = 120


def series_create(*, organisation, framework, name, description=""):
    series = Series(
        framework=framework, name=name, description=description, organisation=organisation
    )
    series.full_clean()
    series.save()
    return series


def default_question(recommendation):
    return f"{recommendation.title}. What would help, and what worries you?"


def default_prompt(*, workshop, recommendation):
    """A recommendation's question for a workshop, unsaved, with its Easy Read words."""
    return Prompt(
        workshop=workshop,
        recommendation=recommendation,
        question=default_question(recommendation),
        easy_read=recommendation.easy_read,
        order=recommendation.number,
    )


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
    easy_read_default=False,
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
        easy_read_default=easy_read_default,
    )
    workshop.full_clean()
    workshop.save()
    Prompt.objects.bulk_create(
        default_prompt(workshop=workshop, recommendation=recommendation)
        for recommendation in series.framework.recommendations()
    )
    return workshop


def _announce_update(workshop):
    announce(signals.workshop_updated, Workshop, workshop_id=workshop.pk, workshop=workshop)


@transaction.atomic
def workshop_set_status(*, workshop, status):
    if status not in Workshop.Status.values:
        raise ValidationError("Unknown workshop status.")
    before = workshop.status
    workshop.status = status
    workshop.save(update_fields=["status"])
    if before == Workshop.Status.LIVE and status != Workshop.Status.LIVE:
        # A workshop that is not live takes no posts, so no prompt should look open; each
        # remembers whether it was, to open again with the workshop.
        workshop.prompts.update(open_before_closing=F("is_open"), is_open=False)
    elif status == Workshop.Status.LIVE and before != Workshop.Status.LIVE:
        workshop.prompts.filter(open_before_closing=True).update(
            is_open=True, open_before_closing=False
        )
    announce(
        signals.workshop_status_changed,
        Workshop,
        workshop_id=workshop.pk,
        workshop=workshop,
        before=before,
    )
    return workshop


def workshop_set_premoderation(*, workshop, premoderation):
    workshop.premoderation = premoderation
    workshop.save(update_fields=["premoderation"])
    _announce_update(workshop)
    return workshop


def workshop_set_easy_read_default(*, workshop, easy_read_default):
    """Whether phones that have not chosen for themselves show the workshop in Easy Read."""
    workshop.easy_read_default = easy_read_default
    workshop.save(update_fields=["easy_read_default"])
    _announce_update(workshop)
    return workshop


def prompt_save(*, prompt):
    """A question saved from the questions page. A new one left without Easy Read words
    starts with its recommendation's; after that they are the facilitator's to change."""
    if prompt.pk is None and not prompt.easy_read.strip() and prompt.recommendation:
        prompt.easy_read = prompt.recommendation.easy_read
    prompt.save()
    return prompt


def _check_can_open(prompt):
    if not prompt.workshop.is_live:
        raise ValidationError("Start the workshop before opening a question.")
    # A placeholder recommendation has no Easy Read words to fall back on, and its question
    # is the facilitator's own: phones in Easy Read would have nothing they can read.
    recommendation = prompt.recommendation
    if recommendation and recommendation.needs_completion and not prompt.easy_read.strip():
        raise ValidationError(
            "Please add an Easy Read version of this question before you open it. Its "
            "recommendation is still a placeholder, so there are no Easy Read words to "
            "start from. You can add them on the Questions page."
        )


def prompt_set_open(*, prompt, is_open):
    if is_open:
        _check_can_open(prompt)
    prompt.is_open = is_open
    if not is_open:
        prompt.timer_ends_at = None
    prompt.save(update_fields=["is_open", "timer_ends_at"])
    _announce_update(prompt.workshop)
    return prompt


def prompt_set_timer(*, prompt, minutes):
    """Start a countdown shown on phones and the wall (0 stops it). It closes nothing."""
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_TIMER_MINUTES:
        raise ValidationError(f"Choose between 0 and {MAX_TIMER_MINUTES} minutes.")
    if minutes and not prompt.is_open:
        raise ValidationError("Open the question before starting its timer.")
    prompt.timer_ends_at = timezone.now() + timedelta(minutes=minutes) if minutes else None
    prompt.save(update_fields=["timer_ends_at"])
    _announce_update(prompt.workshop)
    return prompt
