"""The report's overview: who holds which view, per recommendation and stakeholder group,
and how the items of each recommendation and region were classed.

Each post asks something different, so a group's stances are counted post by post, never
pooled into one stance (shared/SYNTHESIS.md, "Per recommendation, per group").
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from synthesis.stats import OTHER, Stance, Verdict


@dataclass(frozen=True)
class Cell:
    """One group's stances on one recommendation's judged items."""

    agrees: int
    disagrees: int
    unsettled: int
    too_few_people: bool = False

    @property
    def judged(self):
        return self.agrees + self.disagrees + self.unsettled

    @property
    def balance(self):
        """(agrees − disagrees) / judged, from −1 to 1, for the cell's shade."""
        return (self.agrees - self.disagrees) / self.judged if self.judged else 0

    @property
    def shade(self):
        if self.too_few_people or not self.judged:
            return "none"
        for bound, name in ((0.5, "agree-strong"), (0.2, "agree"), (-0.2, "mixed")):
            if self.balance >= bound:
                return name
        return "disagree-strong" if self.balance <= -0.5 else "disagree"

    @property
    def text(self):
        if self.too_few_people:
            return f"fewer than {settings.REPORT_SMALL_NUMBER} people"
        if not self.judged:
            return "no judged posts"
        words = [f"agrees with {self.agrees} of {self.judged} judged posts"]
        words += [f"disagrees with {self.disagrees}"] if self.disagrees else []
        words += [f"unsettled on {self.unsettled}"] if self.unsettled else []
        return ", ".join(words)


def judged(items):
    return [item for item in items if item.verdict != Verdict.INSUFFICIENT_DATA]


def group_cell(items, group, *, people):
    """How one group stands on these items, counting only items where it has enough votes."""
    if people < settings.REPORT_SMALL_NUMBER:
        return Cell(0, 0, 0, too_few_people=True)
    stances = Counter(
        line.stance for item in judged(items) for line in item.lines if line.group == group
    )
    return Cell(stances[Stance.AGREES], stances[Stance.DISAGREES], stances[Stance.UNSETTLED])


def stance_table(recommendations, groups, people_by_group):
    """[(recommendation, [Cell per group])] for the recommendations a report prints."""
    shown = [g for g in groups if g.slug != OTHER]
    return shown, [
        (
            recommendation,
            [group_cell(items, g, people=people_by_group.get(g.slug, 0)) for g in shown],
        )
        for recommendation, items in recommendations
    ]


def class_counts(items, kinds):
    """How many items fall in each kind, a kind being a set of classes."""
    counts = Counter(item.verdict for item in items)
    return [sum(counts[verdict] for verdict in kind) for kind in kinds]


def region_table(items, people_by_region, kinds):
    """[(region, people, [count per class])] by region; posts only, each judged where it was
    made (a theme pools regions). Where too few people took part, people and counts are None.
    """
    by_region = {}
    for item in items:
        if item.kind == "contribution":
            by_region.setdefault(item.workshop.region, []).append(item)
    rows = []
    for region in sorted(set(by_region) | set(people_by_region)):
        people = people_by_region.get(region, 0)
        if people < settings.REPORT_SMALL_NUMBER:
            rows.append((region or "No region", None, None))
        else:
            rows.append(
                (region or "No region", people, class_counts(by_region.get(region, []), kinds))
            )
    return rows
