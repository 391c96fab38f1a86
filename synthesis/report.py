"""What a report says: the board's readings arranged for people who were not in the room.

Quotes are attributed to a stakeholder group only; display names never leave the app.
Hidden and unapproved contributions are left out, and the method section says how many.
"""

import hashlib
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis import opinion_map as maps
from synthesis import overview
from synthesis.board import build_board
from synthesis.models import ReportText
from synthesis.selectors import (
    findings_with_figures,
    next_report_version,
    recommendations_to_complete,
    report_text,
    thresholds,
)
from synthesis.stats import Stance, Verdict

QUOTES_PER_ITEM = 3
YOUNG_PERSON = "young_person"
HEARD_NOT_TESTED = "Heard, not yet tested"
# The body's headings, in order, and the classes under each. A report is read, not searched:
# the strongest items of each are printed in full, the rest counted (they are all in the
# appendix and the data exports).
HEADINGS = (
    ("Common ground", {Verdict.COMMON_GROUND}),
    ("Agreed against", {Verdict.SHARED_REJECTION}),
    ("Points of debate", {Verdict.DEBATE_OPPOSED, Verdict.DEBATE_DIVERGENT}),
    ("Other views", {Verdict.MAJORITY_VIEW, Verdict.MAJORITY_REJECTS, Verdict.MIXED}),
    (HEARD_NOT_TESTED, {Verdict.INSUFFICIENT_DATA}),
)
# Where it helps to say who holds which view in one sentence.
SAY_WHO = {"Points of debate", "Other views"}


@dataclass
class Bar:
    """One bar of a chart: a label, a count and its length as a share of the longest; a
    count too small to show on its own is `hidden` (no number, no bar)."""

    label: str
    count: int
    share: float
    hidden: bool = False


def bars(counts, *, protect=False):
    """Bars for {label: count}, keeping the order given; with `protect`, counts of people
    below the small-numbers threshold (but not none) are hidden."""
    small = settings.REPORT_SMALL_NUMBER if protect else 0
    longest = max(counts.values(), default=0) or 1
    return [
        Bar(label, count, 0 if 0 < count < small else 100 * count / longest, 0 < count < small)
        for label, count in counts.items()
    ]


def views_in_words(item):
    """Who holds which view: "Parent carer forum: 9 of 11 agree; Local government: 2 of 8 …"."""
    return "; ".join(line.text for line in item.lines if line.judged)


def who_holds_which_view(item):
    """One sentence: "Parent carer forum agrees; Education setting and Health service disagree"."""
    parts = []
    for stance, one, many in (
        (Stance.AGREES, "agrees", "agree"),
        (Stance.DISAGREES, "disagrees", "disagree"),
        (Stance.UNSETTLED, "is unsettled", "are unsettled"),
    ):
        names = [line.group.name for line in item.lines if line.stance == stance]
        if names:
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            parts.append(f"{listed} {one if len(names) == 1 else many}")
    return "; ".join(parts)


def enough_people(group, workshop, people):
    """Whether a group had enough people in a workshop to name the workshop beside it."""
    return people.get((workshop.pk, group.pk), 0) >= settings.REPORT_SMALL_NUMBER


def unnamed_workshop(workshop):
    """How a workshop is spoken of where naming it could point to a few people."""
    return f"a {workshop.get_kind_display().lower()} workshop"


def attribution(group, workshop, people):
    """Who said it, naming the workshop only where the group had enough people there."""
    if not enough_people(group, workshop, people):
        return f"{group.name}, {unnamed_workshop(workshop)}"
    place = f" ({workshop.region})" if workshop.region else ""
    return f"{group.name}, {workshop.title}{place}"


def protected_groups(item, people, groups):
    """Of `groups`, those whose numbers on an item must not show: beside a workshop its
    quote names, a group with fewer people there than the threshold could be picked out."""
    if item.kind != "contribution" or not enough_people(item.author_group, item.workshop, people):
        return set()
    return {group.slug for group in groups if not enough_people(group, item.workshop, people)}


def quotes(item, people):
    """Representative words for an item: its own text, or for a theme some of its posts."""
    if item.kind == "theme":
        return [
            (m.public_text, attribution(m.participant.group, m.workshop, people))
            for m in item.members[:QUOTES_PER_ITEM]
        ]
    return [(item.text, attribution(item.author_group, item.workshop, people))]


def in_scope(series, workshop=None):
    """Rows (participants, contributions) of one workshop, or of every workshop of a series."""
    return Q(workshop=workshop) if workshop else Q(workshop__series=series)


def report_context(series, *, workshop=None, include_appendix=False, final=None):
    board = build_board(series, workshop=workshop)
    scope = in_scope(series, workshop)
    people = people_by_place(scope)
    workshops = [workshop] if workshop else list(series.workshops.all())
    for item in board.items:
        item.in_words = views_in_words(item)
        item.who = who_holds_which_view(item)
        item.quotes = quotes(item, people)
        item.protected = protected_groups(item, people, [line.group for line in item.lines])
        item.voted_lines = [line for line in item.lines if line.tally.total]
    pillars = [_pillar_sections(pillar, recs, people) for pillar, recs in board.pillars]
    return {
        "series": series,
        "workshop": workshop,
        "title": f"{workshop.title}: {series.name}" if workshop else series.name,
        "about": _about(workshops, scope, one_workshop=workshop is not None),
        "findings": findings_with_figures(series),
        "overview": _overview(board, pillars, people, workshops),
        "pillars": pillars,
        "themes": _themes(board),
        "opinion_map": _opinion_map_page(series, workshop),
        "opinion_map_rules": maps.thresholds(),
        "to_complete": recommendations_to_complete(series),
        "text": report_text(series, workshop),
        "produced": timezone.now(),
        # A workshop's report is always a working draft; a series report is the draft of
        # its next version unless it is being made final.
        "final": final,
        "version_number": None if workshop else next_report_version(series),
        "method": _method(board, scope),
        "appendix": _appendix(scope) if include_appendix else None,
        "is_empty": not board.items,
        "items_per_heading": settings.REPORT_ITEMS_PER_HEADING,
        "small_number": settings.REPORT_SMALL_NUMBER,
    }


def people_by_place(scope):
    """{(workshop id, group id): people}, scribes left out."""
    rows = (
        Participant.objects.filter(scope, is_scribe=False)
        .values_list("workshop_id", "group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(workshop_id, group_id): n for workshop_id, group_id, n in rows}


def _about(workshops, scope, *, one_workshop):
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
        # A workshop's groups, and every region, are small enough to pick people out.
        "by_group": bars(
            {g.name: by_group.get(g.slug, 0) for g in StakeholderGroup.objects.all()},
            protect=one_workshop,
        ),
        "by_region": bars(
            {region or "No region": n for region, n in sorted(by_region.items())}, protect=True
        ),
    }


def _shown(items):
    """The strongest few of a list and every item an analyst pinned, in the list's order,
    and how many more the report only counts."""
    shown, chosen_by_rule = [], 0
    for item in items:
        if item.pinned or chosen_by_rule < settings.REPORT_ITEMS_PER_HEADING:
            shown.append(item)
            chosen_by_rule += not item.pinned
    return {"items": shown, "more": len(items) - len(shown)}


def _untested_order(people):
    """Posts not yet tested: young people's first, then the groups with fewest people."""
    by_group = Counter()
    for (_, group_id), n in people.items():
        by_group[group_id] += n

    def order(item):
        group = item.author_group
        slug = group.slug if group else ""
        return (slug != YOUNG_PERSON, by_group[group.pk] if group else 0)

    return order


def _pillar_sections(pillar, recommendations, people):
    sections = []
    for recommendation, class_groups in recommendations:
        if recommendation.needs_completion:
            continue  # a placeholder is not a heading; the cover and method say so
        items = [item for group in class_groups for item in group.items if not item.left_out]
        headings = []
        for heading, verdicts in HEADINGS:
            chosen = [item for item in items if item.verdict in verdicts]
            if heading == HEARD_NOT_TESTED:
                chosen.sort(key=_untested_order(people))
            if chosen:
                headings.append({"title": heading, "say_who": heading in SAY_WHO, **_shown(chosen)})
        sections.append({"recommendation": recommendation, "items": items, "headings": headings})
    return {"pillar": pillar, "recommendations": sections}


def _overview(board, pillars, people, workshops):
    by_group, by_region = Counter(), Counter()
    regions = {w.pk: w.region for w in workshops}
    for (workshop_id, group_id), n in people.items():
        by_group[group_id] += n
        by_region[regions.get(workshop_id, "")] += n
    recommendations = [
        (rec["recommendation"], rec["items"])
        for section in pillars
        for rec in section["recommendations"]
    ]
    groups = list(StakeholderGroup.objects.all())
    shown_groups, stances = overview.stance_table(
        recommendations, groups, {g.slug: by_group[g.pk] for g in groups}
    )
    kinds = [verdicts for _, verdicts in HEADINGS]
    return {
        "groups": shown_groups,
        "stances": stances,
        "headings": [title for title, _ in HEADINGS],
        "classes": [(rec, overview.class_counts(items, kinds)) for rec, items in recommendations],
        "regions": overview.region_table(board.items, by_region, kinds),
    }


def _themes(board):
    """Every theme, strongest agreement first: the cross-cutting findings, each read once
    with its votes pooled across workshops and recommendations."""
    return [item for item in board.items if item.kind == "theme" and not item.left_out]


def _opinion_map_page(series, workshop):
    """(title, map) for the report's one page of who votes alike, or None when no map can be
    drawn. A workshop's report has its own map. A series' has its map over themes where enough
    people voted on them, else that of its workshop with the most people that has one: the
    analysts' pages have every workshop's."""
    if workshop:
        candidates = [(workshop.title, workshop)]
    else:
        by_size = series.workshops.annotate(people=Count("participants")).order_by("-people", "pk")
        candidates = [("Across the series, over its themes", None)]
        candidates += [(each.title, each) for each in by_size]
    for title, scope in candidates:
        found = maps.opinion_map(series, scope)
        if not found.reason:
            return title, found
    return None


def _sample_sizes(items):
    """The median votes a covered group gave a judged item, and the share of items judged."""
    judged = overview.judged(items)
    group_votes = sorted(line.tally.total for item in judged for line in item.lines if line.judged)
    return {
        "median_group_votes": statistics.median(group_votes) if group_votes else 0,
        "judged_share": round(100 * len(judged) / len(items)) if items else 0,
    }


def _method(board, scope):
    contributions = Contribution.objects.filter(scope)
    states = dict(contributions.values_list("state").annotate(n=Count("pk")).order_by())
    votes = Vote.objects.filter(contribution__in=contributions.values("pk"))
    return {
        "thresholds": thresholds().as_rows(),
        "confidence": round(100 * thresholds().confidence),
        "votes": votes.count(),
        "voters": votes.values("participant").distinct().count(),
        "items": len(board.items),
        "overridden": [i for i in board.items if i.judgement and i.judgement.is_override],
        "confirmed": sum(1 for i in board.items if i.judgement and not i.judgement.is_override),
        "pinned": sum(1 for i in board.items if i.pinned),
        "left_out": sum(1 for i in board.items if i.left_out),
        "hidden": states.get(Contribution.State.HIDDEN, 0),
        "pending": states.get(Contribution.State.PENDING, 0),
        "merged": states.get(Contribution.State.MERGED, 0),
        "groups_present": len(board.groups_present),
        "classes": Counter(item.verdict for item in board.items),
        "example": next(
            (
                i
                for i in board.items
                if i.verdict == Verdict.COMMON_GROUND and i.kind == "contribution"
            ),
            None,
        ),
        **_sample_sizes(board.items),
    }


def _appendix(scope):
    return (
        Contribution.objects.filter(scope, state=Contribution.State.VISIBLE)
        .select_related("participant__group", "prompt__recommendation")
        # By recommendation, then by group: each group named once, not on each of 2,000 lines.
        .order_by("prompt__recommendation__number", "participant__group__order", "created")
    )


def data_version(series, workshop=None):
    """A fingerprint of everything a report of this scope shows; it changes when any does."""
    scope = in_scope(series, workshop)
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
        series.report_choices.aggregate(n=Count("pk"), last=Max("decided_at")),
        series.findings.aggregate(n=Count("pk"), last=Max("updated")),
        list(
            series.themes.values_list("pk", "title", "contributions").order_by(
                "pk", "contributions"
            )
        ),
        (series.name, series.organisation, series.description),
        list(
            ReportText.objects.filter(Q(workshop=None) | Q(workshop=workshop), series=series)
            .order_by("pk")
            .values_list("pk", "updated")
        ),
        list(
            series.workshops.order_by("pk").values_list(
                "pk", "title", "region", "venue", "starts_at"
            )
        ),
        thresholds(),
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()


def reads_right_to_left(text):
    """Whether `text` starts, as HTML's dir="auto" decides, in a right-to-left script: its
    first strongly directional character is Hebrew, Arabic or the like. WeasyPrint ignores
    dir="auto" (and its attribute slows every selector that tests [dir]), so the report
    names the direction itself, and only where it is not left to right."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False
