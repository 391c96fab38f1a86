from django.db.models import Count, Q

from participants.models import Contribution
from synthesis.selectors import attach_tallies
from workshops.models import JOIN_CODE_ALPHABET, Series, Workshop


def normalise_join_code(code):
    """Codes are forgiving to type: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def workshop_by_code(code):
    code = normalise_join_code(code)
    if not code or any(ch not in JOIN_CODE_ALPHABET for ch in code):
        return None
    return Workshop.objects.select_related("series").filter(join_code=code).first()


def series_list():
    return Series.objects.select_related("framework").annotate(
        workshop_count=Count("workshops", distinct=True)
    )


def series_workshops(series):
    return series.workshops.annotate(
        participant_count=Count(
            "participants", filter=Q(participants__is_scribe=False), distinct=True
        ),
    )


def _console_queryset():
    return Contribution.objects.select_related("workshop", "participant__group", "prompt").order_by(
        "-created", "-pk"
    )


def console_contributions(workshop, *, group=None, table=None):
    contributions = _console_queryset().filter(workshop=workshop)
    if group:
        contributions = contributions.filter(participant__group=group)
    if table:
        contributions = contributions.filter(participant__table_number=table)
    return attach_tallies(contributions, classify_in=workshop)


def console_contributions_by_id(contribution_ids):
    """Posts (of one workshop) as the console shows them, with tallies and suggested class."""
    contributions = list(_console_queryset().filter(pk__in=contribution_ids))
    if not contributions:
        return []
    return attach_tallies(contributions, classify_in=contributions[0].workshop)


def console_contribution(contribution_id):
    return console_contributions_by_id([contribution_id])[0]


WALL_LENGTH = 30


def wall_contributions(workshop):
    visible = _console_queryset().filter(workshop=workshop, state=Contribution.State.VISIBLE)
    return attach_tallies(visible[:WALL_LENGTH])


def workshop_prompts(workshop):
    return workshop.prompts.select_related("recommendation__pillar").annotate(
        contribution_count=Count("contributions", filter=Q(contributions__state="visible"))
    )
