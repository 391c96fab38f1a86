"""Geometry and words for the report's agreement charts.

Each chart is one SVG per item: a row per stakeholder group with its label, its bar and its
numbers at the same height, so they cannot drift apart. Disagree grows left of a centre axis
and agree right of it, so the two are told apart by position and pattern, not colour alone.
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.template.defaultfilters import pluralize

register = template.Library()

# In the SVG's own units (about a millimetre each at the report's width).
WIDTH = 174
ROW = 7
TOP = 6  # room for the axis labels above the first row
BAR_HEIGHT = 4.6
AXIS = 82
HALF = 38  # the length of a bar of 100%, on either side of the axis


@dataclass(frozen=True)
class Row:
    label: str
    words: str
    y: float
    too_few: bool
    agree: float
    disagree: float

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 1.1

    @property
    def disagree_x(self):
        return AXIS - self.disagree


def _words(line):
    """A group's numbers: "9 of 11 agree, 1 disagrees", or why there is no bar."""
    votes = line.tally.total
    if not line.judged:
        return f"{votes} vote{pluralize(votes)} — too few to judge"
    disagree = line.tally.disagree
    return f"{line.tally.agree} of {votes} agree, {disagree} disagree{pluralize(disagree, 's,')}"


@register.simple_tag
def agreement_rows(item):
    """A Row per group that has voted on the item. A group too small to judge (the board's
    NO_DATA: fewer votes than the min_group_votes threshold) gets no bar at all, so two votes
    can never draw a full-length one."""
    protected = getattr(item, "protected", set())
    return [
        _row(n, line, hidden=line.group.slug in protected)
        for n, line in enumerate(item.voted_lines)
    ]


def _row(n, line, *, hidden):
    """A group's row; `hidden` (too few people to show their numbers) draws no bar either."""
    empty = hidden or not line.judged
    return Row(
        label=line.group.name,
        words=f"fewer than {settings.REPORT_SMALL_NUMBER} people" if hidden else _words(line),
        y=TOP + n * ROW,
        too_few=empty,
        agree=0 if empty else HALF * line.agree_share / 100,
        disagree=0 if empty else HALF * line.disagree_share / 100,
    )


@dataclass(frozen=True)
class Geometry:
    """The fixed positions every agreement chart is drawn with, for a given number of rows."""

    rows: int
    width: float = WIDTH
    axis: float = AXIS
    bar_height: float = BAR_HEIGHT
    left: float = AXIS - HALF
    track: float = 2 * HALF
    mark_left: float = AXIS - HALF / 2
    mark_right: float = AXIS + HALF / 2
    disagree_label_x: float = AXIS - 1.5
    agree_label_x: float = AXIS + 1.5
    words_x: float = AXIS + HALF + 3
    rules_top: float = TOP - 1.6

    @property
    def height(self):
        return TOP + self.rows * ROW


@register.simple_tag
def agreement_geometry(rows):
    return Geometry(len(rows))


@register.simple_tag
def chart_alternative(rows):
    """The chart's one text alternative: every row's label and numbers, as drawn. The words
    beside a chart say which groups agree, never how many votes, so they repeat none of it."""
    return "; ".join(f"{row.label}: {row.words}" for row in rows)
