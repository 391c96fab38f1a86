from datetime import timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import AuditEntry
from facilitation.models import Spotlight
from participants.models import Contribution
from synthesis.selectors import attach_tallies
from workshops.models import Workshop

WALL_LENGTH = 30


def console_workshops():
    """Workshops as the console shows them, each with `spotlight_id`: the post on its wall."""
    on_the_wall = Spotlight.objects.filter(workshop=OuterRef("pk")).values("contribution_id")
    return Workshop.objects.select_related("series").annotate(spotlight_id=Subquery(on_the_wall))


def series_workshops(series):
    return series.workshops.annotate(
        participant_count=Count(
            "participants", filter=Q(participants__is_scribe=False), distinct=True
        ),
    )


def people_joined(workshop):
    """How many have joined on their phones, how many of them in the last minute, and
    whether that minute's count is a spike: one script joining again and again would have
    its votes counted again and again, and only the room can tell it from people arriving."""
    since = timezone.now() - timedelta(minutes=1)
    counts = workshop.participants.filter(is_scribe=False).aggregate(
        total=Count("pk"), last_minute=Count("pk", filter=Q(created__gte=since))
    )
    return {**counts, "spike": counts["last_minute"] >= settings.JOIN_SPIKE_PER_MINUTE}


def workshop_prompts(workshop):
    return workshop.prompts.select_related("recommendation__pillar").annotate(
        contribution_count=Count("contributions", filter=Q(contributions__state="visible"))
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


def wall_contributions(workshop):
    visible = _console_queryset().filter(workshop=workshop, state=Contribution.State.VISIBLE)
    return attach_tallies(visible[:WALL_LENGTH])


def spotlight(workshop_id):
    """The post on this workshop's wall, or None."""
    chosen = (
        Spotlight.objects.select_related("contribution__participant__group")
        .filter(workshop_id=workshop_id)
        .first()
    )
    return chosen.contribution if chosen else None


def is_spotlit(contribution):
    return Spotlight.objects.filter(
        workshop_id=contribution.workshop_id, contribution=contribution
    ).exists()


def organisation_audit(organisation, limit=200):
    """The latest entries of an organisation's audit log: its members and frameworks, and
    everything done in its workshops."""
    workshop_ids = Workshop.objects.filter(series__organisation=organisation).values("pk")
    entries = AuditEntry.objects.filter(
        Q(organisation=organisation) | Q(workshop_id__in=workshop_ids)
    ).select_related("actor")
    return entries[:limit]
