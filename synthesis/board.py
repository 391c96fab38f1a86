"""The analyst's board: every item of a series or workshop with its suggested class.

An item is a contribution, or a theme that pools the votes of the contributions it links.
A themed post leaves the post items. A post may be in several themes: its votes then count
in each, and the post is shown once under each of its themes. A theme whose posts answer one
recommendation sits under it; one spanning several sits once, in a section of its own.
Reading the board costs a fixed number of queries, however many items and votes there are.
"""

import functools
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import F, Prefetch

from participants.models import Contribution, StakeholderGroup, Vote
from pillars.models import Pillar, Recommendation
from synthesis.models import Judgement, ReportChoice, Theme, recommendations_of
from synthesis.selectors import (
    as_tallies,
    group_tallies,
    present_groups,
    thresholds,
    vote_counts,
)
from synthesis.stats import NO_VOTES, Classification, Stance, Tally, Verdict, classify
from synthesis.tallies import CHOICE_FIELD
from workshops.models import Workshop

# The order classes are shown in: agreement first, then debate, then the rest.
VERDICT_ORDER = [
    Verdict.COMMON_GROUND,
    Verdict.SHARED_REJECTION,
    Verdict.DEBATE_OPPOSED,
    Verdict.DEBATE_DIVERGENT,
    Verdict.MAJORITY_VIEW,
    Verdict.MAJORITY_REJECTS,
    Verdict.MIXED,
    Verdict.INSUFFICIENT_DATA,
]
SORTS = {
    "consensus": lambda item: (-item.reading.consensus_geomean, -item.total.total),
    "votes": lambda item: (-item.total.total, -item.reading.consensus_geomean),
    "newest": lambda item: -item.created.timestamp(),
}
SHOWN_PER_CLASS = 10


@dataclass(frozen=True)
class GroupLine:
    """One group's view of an item, in words and as shares for a bar."""

    group: StakeholderGroup
    tally: Tally
    stance: Stance

    @property
    def judged(self):
        return self.stance != Stance.NO_DATA

    @property
    def text(self):
        votes = self.tally.total
        if not self.judged:
            count = "no votes yet" if votes == 0 else f"{votes} vote{'s' if votes != 1 else ''}"
            return f"{self.group.name}: {count} — too few to judge"
        return f"{self.group.name}: {self.tally.agree} of {votes} agree"

    @property
    def agree_share(self):
        """Percent of the group's votes that agree, for the width of a bar."""
        return round(100 * self.tally.agree / self.tally.total) if self.tally.total else 0

    @property
    def disagree_share(self):
        return round(100 * self.tally.disagree / self.tally.total) if self.tally.total else 0


@dataclass
class Item:
    kind: str  # "contribution" or "theme"
    pk: int
    text: str
    # By number: a post answers at most one recommendation, a theme those of its posts.
    recommendations: list
    created: object
    tallies: dict
    reading: Classification
    author_group: StakeholderGroup | None = None
    author_id: int | None = None
    workshop: object = None
    members: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    judgement: Judgement | None = None
    report_choice: ReportChoice | None = None
    # Every group, in display order, for `lines`.
    groups: list = field(default_factory=list)
    # The class the rule gives at series scope, which is what decisions are made against;
    # None where a filtered board cannot tell (a theme with some of its posts filtered out).
    series_verdict: Verdict | None = None

    @property
    def total(self):
        return self.reading.overall.tally

    @cached_property
    def lines(self):
        """Each group's view of the item: made only for the items a page shows."""
        return [
            GroupLine(
                group,
                self.tallies.get(group.slug, NO_VOTES),
                self.reading.groups[group.slug].stance
                if group.slug in self.reading.groups
                else Stance.NO_DATA,
            )
            for group in self.groups
        ]

    @property
    def recommendation_id(self):
        """The one recommendation the item sits under; None for none or several."""
        return self.recommendations[0].pk if len(self.recommendations) == 1 else None

    @property
    def spans_recommendations(self):
        return len(self.recommendations) > 1

    @property
    def verdict(self):
        """The analyst's decision where there is one, else the rule's suggestion."""
        return Verdict(self.judgement.verdict) if self.judgement else self.reading.verdict

    @property
    def pinned(self):
        return getattr(self.report_choice, "choice", None) == ReportChoice.Choice.PINNED

    @property
    def left_out(self):
        return getattr(self.report_choice, "choice", None) == ReportChoice.Choice.LEFT_OUT

    @property
    def changed_since_decision(self):
        if not self.judgement or self.series_verdict is None:
            return False
        return self.judgement.computed != self.series_verdict

    @property
    def anchor(self):
        return f"{self.kind}-{self.pk}"

    def _group_names(self, slugs):
        names = {group.slug: group.name for group in self.groups}
        return [names.get(slug, slug) for slug in slugs]

    @property
    def groups_not_with_majority(self):
        """The rule's groups not yet with the majority, by the names people know them by."""
        return self._group_names(self.reading.not_with_majority)

    @property
    def widest_gap(self):
        """(group, group, z) of the two groups furthest apart, by name; None if not divided."""
        pair = self.reading.divergent_pair
        return (*self._group_names(pair[:2]), pair[2]) if pair else None


@dataclass
class ClassGroup:
    verdict: Verdict
    items: list

    @property
    def shown(self):
        return self.items[:SHOWN_PER_CLASS]


@dataclass
class Board:
    items: list
    pillars: list  # [(pillar, [(recommendation, [ClassGroup])])]
    unlinked: list  # [ClassGroup] for items with no recommendation
    across: list  # [ClassGroup] for themes spanning several recommendations
    groups_present: set

    def count(self, verdict):
        return sum(1 for item in self.items if item.verdict == verdict)


def collector_paused(build):
    """Runs `build` with Python's cycle collector off: a board makes hundreds of thousands
    of short-lived objects and no cycles worth finding, and walking them took a third of
    its time. Another thread's work may turn it back on, which costs only that time."""

    @functools.wraps(build)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


@collector_paused
def build_board(
    series,
    *,
    workshop=None,
    region="",
    group=None,
    verdict=None,
    sort="consensus",
    recommendation=None,
):
    """The board for a series, or for one of its workshops when `workshop` is given."""
    rules = thresholds()
    present = present_groups(workshop=workshop) if workshop else present_groups(series=series)
    groups = list(StakeholderGroup.objects.all())
    contributions = _visible_contributions(series, workshop=workshop, region=region, group=group)
    themes = list(
        Theme.objects.filter(series=series).prefetch_related(
            Prefetch("contributions", queryset=contributions, to_attr="members")
        )
    )
    themed = {member.pk for theme in themes for member in theme.members}
    items = _contribution_items(contributions.exclude(pk__in=themed), present, rules, groups)
    items += _theme_items([t for t in themes if t.members], present, rules)
    _attach_decisions(items, series)
    _attach_series_verdicts(items, series, rules, filtered=bool(workshop or region or group))
    for item in items:
        item.groups = groups
    if verdict:
        items = [item for item in items if item.verdict == verdict]
    if recommendation:
        items = [item for item in items if recommendation in item.recommendations]
    items.sort(key=SORTS.get(sort, SORTS["consensus"]))
    return _arrange(series, items, present)


def _visible_contributions(series, *, workshop, region, group):
    contributions = Contribution.objects.filter(
        workshop__series=series, state=Contribution.State.VISIBLE
    ).select_related("workshop", "participant__group", "prompt__recommendation")
    if workshop:
        contributions = contributions.filter(workshop=workshop)
    if region:
        contributions = contributions.filter(workshop__region=region)
    if group:
        contributions = contributions.filter(participant__group=group)
    return contributions


# What a post's item reads of the post itself; the rest is shared (see _contribution_items).
POST_FIELDS = (
    "text",
    "masked_text",
    "personal_data",
    "personal_data_released",
    "created",
    "workshop_id",
    "participant_id",
)


def _contribution_items(contributions, present, rules, groups):
    """An item for each post. A post is read as one row: its workshop, its author's group and
    its recommendation are a handful of objects per series, each made once and shared, not
    one model each per post."""
    posts = list(
        contributions.select_related(None)
        .only(*POST_FIELDS)
        .annotate(
            author_group_id=F("participant__group_id"),
            recommendation_id=F("prompt__recommendation_id"),
        )
    )
    workshops = Workshop.objects.in_bulk({post.workshop_id for post in posts})
    tallies = group_tallies(contributions, groups)
    groups = {group.pk: group for group in groups}
    recommendations = Recommendation.objects.in_bulk(
        {post.recommendation_id for post in posts} - {None}
    )
    items = []
    for post in posts:
        by_group = tallies.get(post.pk, {})
        recommendation = recommendations.get(post.recommendation_id)
        items.append(
            Item(
                kind="contribution",
                pk=post.pk,
                text=post.public_text,
                created=post.created,
                recommendations=[recommendation] if recommendation else [],
                tallies=by_group,
                reading=classify(by_group, present, rules),
                author_group=groups[post.author_group_id],
                author_id=post.participant_id,
                workshop=workshops[post.workshop_id],
            )
        )
    return items


def _theme_items(themes, present, rules):
    """Themes pool their members' votes: each person counts once, with their latest vote."""
    pooled, by_region = _theme_tallies(themes)
    items = []
    for theme in themes:
        tallies = pooled.get(theme.pk, {})
        regions = [
            (region, classify(region_tallies, present, rules))
            for region, region_tallies in sorted(by_region.get(theme.pk, {}).items())
            if sum(region_tallies.values(), NO_VOTES).total >= rules.min_total_votes
        ]
        items.append(
            Item(
                kind="theme",
                pk=theme.pk,
                text=theme.title,
                created=theme.created,
                recommendations=recommendations_of(theme.members),
                tallies=tallies,
                reading=classify(tallies, present, rules),
                members=theme.members,
                regions=regions,
            )
        )
    return items


def _theme_tallies(themes):
    """Pooled tallies per theme, and per theme and region; a post in two themes counts in both."""
    pooled = defaultdict(vote_counts)
    by_region = defaultdict(lambda: defaultdict(vote_counts))
    for (theme_id, _), (slug, choice, region) in latest_theme_votes(themes).items():
        pooled[theme_id][slug][CHOICE_FIELD[choice]] += 1
        by_region[theme_id][region or "No region"][slug][CHOICE_FIELD[choice]] += 1
    return (
        {theme: as_tallies(counts) for theme, counts in pooled.items()},
        {
            theme: {region: as_tallies(c) for region, c in regions.items()}
            for theme, regions in by_region.items()
        },
    )


def latest_theme_votes(themes):
    """{(theme id, participant id): (group slug, choice, region)} of each person's latest vote
    on any of the theme's posts, leaving out authors' votes on their own posts."""
    themes_of = defaultdict(list)
    for theme in themes:
        for member in theme.members:
            themes_of[member.pk].append(theme.pk)
    votes = (
        Vote.objects.filter(contribution__in=list(themes_of))
        .exclude(participant=F("contribution__participant"))
        .values_list(
            "contribution_id",
            "participant_id",
            "participant__group__slug",
            "choice",
            "contribution__workshop__region",
        )
        .order_by("updated")
    )
    latest = {}
    for contribution_id, participant_id, slug, choice, region in votes:
        for theme_id in themes_of[contribution_id]:
            latest[(theme_id, participant_id)] = (slug, choice, region)
    return latest


def _attach_series_verdicts(items, series, rules, *, filtered):
    """A post's votes are the same at any scope, but the groups present (and so K) differ."""
    if not filtered:
        for item in items:
            item.series_verdict = item.reading.verdict
        return
    present = present_groups(series=series)
    for item in items:
        if item.kind == "contribution" and item.judgement:
            item.series_verdict = classify(item.tallies, present, rules).verdict


def _attach_decisions(items, series):
    """Each item's judgement and report choice, where analysts have made them."""
    for model, name in ((Judgement, "judgement"), (ReportChoice, "report_choice")):
        decisions = model.objects.filter(series=series).select_related("decided_by")
        by_item = {decision.item_key: decision for decision in decisions}
        for item in items:
            setattr(item, name, by_item.get((item.kind, item.pk)))


def _arrange(series, items, present):
    by_recommendation, across = defaultdict(list), []
    for item in items:
        if item.spans_recommendations:
            across.append(item)
        else:
            by_recommendation[item.recommendation_id].append(item)
    pillars = []
    framework_pillars = Pillar.objects.filter(framework=series.framework_id).prefetch_related(
        "recommendations"
    )
    for pillar in framework_pillars:
        recommendations = [
            (recommendation, _by_class(by_recommendation.get(recommendation.pk, [])))
            for recommendation in pillar.recommendations.all()
        ]
        pillars.append((pillar, recommendations))
    return Board(
        items=items,
        pillars=pillars,
        unlinked=_by_class(by_recommendation.get(None, [])),
        across=_by_class(across),
        groups_present=present,
    )


def _by_class(items):
    grouped = defaultdict(list)
    for item in items:
        grouped[item.verdict].append(item)
    return [ClassGroup(verdict, grouped[verdict]) for verdict in VERDICT_ORDER if grouped[verdict]]


def contribution_items(series, workshop=None):
    """Every visible post of the scope as its own item, themed or not (for data exports)."""
    rules = thresholds()
    present = present_groups(workshop=workshop) if workshop else present_groups(series=series)
    contributions = _visible_contributions(series, workshop=workshop, region="", group=None)
    items = _contribution_items(contributions, present, rules, StakeholderGroup.objects.all())
    _attach_decisions(items, series)
    return items


def find_item(series, kind, pk):
    """One item of the series board, read as the board reads it (for judging it), or None."""
    present, rules = present_groups(series=series), thresholds()
    if kind == "theme":
        themes = Theme.objects.filter(series=series, pk=pk).prefetch_related(
            Prefetch(
                "contributions",
                queryset=_visible_contributions(series, workshop=None, region="", group=None),
                to_attr="members",
            )
        )
        items = _theme_items(list(themes), present, rules)
    else:
        contributions = _visible_contributions(series, workshop=None, region="", group=None)
        items = _contribution_items(
            contributions.filter(pk=pk), present, rules, StakeholderGroup.objects.all()
        )
    return items[0] if items else None
