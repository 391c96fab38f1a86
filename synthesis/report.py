"""What a report says: the board's readings arranged for people who were not in the room.

Quotes are attributed to a stakeholder group only; display names never leave the app.
Hidden and unapproved contributions are left out, and the method section says how many.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis.board import VERDICT_ORDER, build_board
from synthesis.selectors import thresholds
from synthesis.stats import Verdict

DEBATES = {Verdict.DEBATE_OPPOSED, Verdict.DEBATE_DIVERGENT}
AGREEMENT = {Verdict.COMMON_GROUND, Verdict.SHARED_REJECTION}
QUOTES_PER_ITEM = 3
# A report is read, not searched: the strongest items of each kind are printed in full, the
# rest counted (they are all in the appendix and the data exports).
ITEMS_PER_SECTION = 5


@dataclass
class Bar:
    """One bar of a chart: a label, a count and its length as a share of the longest."""

    label: str
    count: int
    share: float


def bars(counts):
    """Bars for {label: count}, keeping the order given."""
    longest = max(counts.values(), default=0) or 1
    return [Bar(label, count, 100 * count / longest) for label, count in counts.items()]


def views_in_words(item):
    """Who holds which view: "Parent carer forum: 9 of 11 agree; Local government: 2 of 8 …"."""
    return "; ".join(line.text for line in item.lines if line.judged)


def quotes(item):
    """Representative words for an item: its own text, or for a theme some of its posts."""
    if item.kind == "theme":
        return [(m.public_text, m.participant.group.name) for m in item.members[:QUOTES_PER_ITEM]]
    return [(item.text, item.author_group.name)]


def report_context(series, *, workshop=None, include_appendix=False):
    board = build_board(series, workshop=workshop)
    scope = Q(workshop=workshop) if workshop else Q(workshop__series=series)
    for item in board.items:
        item.in_words = views_in_words(item)
        item.quotes = quotes(item)
        item.voted_lines = [line for line in item.lines if line.tally.total]
    return {
        "series": series,
        "workshop": workshop,
        "title": f"{workshop.title}: {series.name}" if workshop else series.name,
        "about": _about(series, workshop, scope),
        "findings": _findings(series),
        "pillars": [
            _pillar_sections(pillar, recommendations) for pillar, recommendations in board.pillars
        ],
        "method": _method(board, scope),
        "appendix": _appendix(scope) if include_appendix else None,
        "is_empty": not board.items,
    }


def _about(series, workshop, scope):
    workshops = [workshop] if workshop else list(series.workshops.all())
    people = Participant.objects.filter(scope, is_scribe=False)
    by_group = dict(people.values_list("group__slug").annotate(n=Count("pk")).order_by())
    by_region = dict(people.values_list("workshop__region").annotate(n=Count("pk")).order_by())
    starts = [w.starts_at for w in workshops]
    return {
        "workshops": workshops,
        "first": min(starts, default=None),
        "last": max(starts, default=None),
        "regions": sorted({w.region for w in workshops if w.region}),
        "people": sum(by_group.values()),
        "by_group": bars({g.name: by_group.get(g.slug, 0) for g in StakeholderGroup.objects.all()}),
        "by_region": bars({region or "No region": n for region, n in sorted(by_region.items())}),
    }


def _findings(series):
    return series.findings.select_related("pillar").prefetch_related(
        "contributions__participant__group", "themes__contributions__participant__group"
    )


def _shown(items):
    """The strongest few of a list, and how many more the report only counts."""
    return {"items": items[:ITEMS_PER_SECTION], "more": max(0, len(items) - ITEMS_PER_SECTION)}


def _pillar_sections(pillar, recommendations):
    sections = []
    for recommendation, class_groups in recommendations:
        items = {group.verdict: group.items for group in class_groups}

        def of(verdicts, items=items):
            return [i for v in VERDICT_ORDER if v in verdicts for i in items.get(v, [])]

        sections.append(
            {
                "recommendation": recommendation,
                "agreement": _shown(of(AGREEMENT)),
                "debate": _shown(of(DEBATES)),
                "other": _shown(
                    of(set(VERDICT_ORDER) - AGREEMENT - DEBATES - {Verdict.INSUFFICIENT_DATA})
                ),
                "too_few": len(items.get(Verdict.INSUFFICIENT_DATA, [])),
            }
        )
    return {"pillar": pillar, "recommendations": sections}


def _method(board, scope):
    contributions = Contribution.objects.filter(scope)
    states = dict(contributions.values_list("state").annotate(n=Count("pk")).order_by())
    votes = Vote.objects.filter(contribution__in=contributions.values("pk"))
    return {
        "thresholds": thresholds().as_rows(),
        "votes": votes.count(),
        "voters": votes.values("participant").distinct().count(),
        "items": len(board.items),
        "overridden": [i for i in board.items if i.judgement and i.judgement.is_override],
        "confirmed": sum(1 for i in board.items if i.judgement and not i.judgement.is_override),
        "hidden": states.get(Contribution.State.HIDDEN, 0),
        "pending": states.get(Contribution.State.PENDING, 0),
        "merged": states.get(Contribution.State.MERGED, 0),
        "groups_present": len(board.groups_present),
        "classes": Counter(item.verdict for item in board.items),
    }


def _appendix(scope):
    return (
        Contribution.objects.filter(scope, state=Contribution.State.VISIBLE)
        .select_related("participant__group", "prompt__recommendation")
        .order_by("prompt__recommendation__number", "created")
    )


def data_version(series, workshop=None):
    """A fingerprint of everything a report of this scope shows; it changes when any does."""
    scope = Q(workshop=workshop) if workshop else Q(workshop__series=series)
    contributions = Contribution.objects.filter(scope)
    state = (
        list(
            contributions.filter(state=Contribution.State.VISIBLE)
            .order_by("pk")
            .values_list("pk", "edited_at", "personal_data_released")
        ),
        Vote.objects.filter(contribution__in=contributions).aggregate(
            n=Count("pk"), last=Max("updated")
        ),
        series.judgements.aggregate(n=Count("pk"), last=Max("decided_at")),
        series.findings.aggregate(n=Count("pk"), last=Max("updated")),
        list(
            series.themes.values_list("pk", "title", "contributions").order_by(
                "pk", "contributions"
            )
        ),
        (series.name, series.organisation, series.description),
        list(
            series.workshops.order_by("pk").values_list(
                "pk", "title", "region", "venue", "starts_at"
            )
        ),
        thresholds(),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()
