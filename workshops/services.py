from django.core.exceptions import ValidationError
from django.db import transaction

from workshops.models import Prompt, Series, Workshop


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
def workshop_create(*, series, title, starts_at, kind=Workshop.Kind.REGIONAL, region="", venue=""):
    """A workshop starts with one prompt per recommendation of its series' framework."""
    workshop = Workshop(
        series=series, title=title, starts_at=starts_at, kind=kind, region=region, venue=venue
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


@transaction.atomic
def workshop_set_status(*, workshop, status):
    if status not in Workshop.Status.values:
        raise ValidationError("Unknown workshop status.")
    workshop.status = status
    workshop.save(update_fields=["status"])
    if status != Workshop.Status.LIVE:
        # A workshop that is not live takes no posts, so no prompt should look open.
        workshop.prompts.update(is_open=False)
    return workshop


def prompt_set_open(*, prompt, is_open):
    if is_open and not prompt.workshop.is_live:
        raise ValidationError("Start the workshop before opening a question.")
    prompt.is_open = is_open
    prompt.save(update_fields=["is_open"])
    return prompt
