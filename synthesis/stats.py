"""Agreement by stakeholder group: the statistics behind /work/shared/SYNTHESIS.md.

Pure functions over vote counts, so the rule can be tested exhaustively and rerun on any
pooling of votes (one workshop, a series, a linked theme) without touching the database.
The result is a *suggestion*; an analyst confirms or overrides it elsewhere.

Float care: every comparison against a threshold is made on a value produced by a single
division of exact integers. Python's true division is correctly rounded, so a value that
equals a threshold exactly (e.g. a rate gap of 3/10 against 0.3) compares as equal
instead of falling a rounding error short.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations
from typing import Literal

OTHER = "other"
"""The catch-all group: its votes count towards totals and the pooled majority, but it is
never a "covered" group, because it does not speak for any one stakeholder."""

POOLED = "all"
"""Key of the reading over every voter together."""

# A debate needs two sides, so this is part of the definition rather than a setting.
_MIN_GROUPS_TO_COMPARE = 2


@dataclass(frozen=True)
class Thresholds:
    """Every number the rule depends on, so a report can print exactly what was used."""

    min_group_votes: int = 3
    min_total_votes: int = 6
    confidence: float = 0.8
    divergence_gap: float = 0.3
    z_critical: float = 1.2816
    uncertain_pass_share: float = 0.3
    max_groups_required: int = 3

    def as_rows(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs in plain English for a report's method section."""
        return (
            ("Votes a group needs before its view is judged", f"{self.min_group_votes}"),
            ("Votes a contribution needs in all", f"{self.min_total_votes}"),
            (
                "Confidence needed to say most of a group agrees (or disagrees)",
                _percent(self.confidence),
            ),
            ("Difference in agree rates that counts as a divergence", f"{self.divergence_gap:g}"),
            ("z-score a divergence must exceed", f"{self.z_critical:g}"),
            (
                "Share of passes above which a result is uncertain",
                _percent(self.uncertain_pass_share),
            ),
            (
                "Groups that must agree for common ground (fewer if fewer groups took part)",
                f"{self.max_groups_required}",
            ),
        )


def _percent(share: float) -> str:
    # :g trims the float noise in e.g. 0.3 * 100 = 30.000000000000004.
    return f"{share * 100:g}%"


DEFAULT = Thresholds()


class Stance(StrEnum):
    NO_DATA = "no_data"
    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNSETTLED = "unsettled"

    @property
    def label(self) -> str:
        return {
            "no_data": "Too few votes",
            "agrees": "Agrees",
            "disagrees": "Disagrees",
            "unsettled": "Unsettled",
        }[self.value]


class Verdict(StrEnum):
    COMMON_GROUND = "common_ground"
    SHARED_REJECTION = "shared_rejection"
    DEBATE_OPPOSED = "debate_opposed"
    DEBATE_DIVERGENT = "debate_divergent"
    MAJORITY_VIEW = "majority_view"
    MAJORITY_REJECTS = "majority_rejects"
    MIXED = "mixed"
    INSUFFICIENT_DATA = "insufficient_data"

    @property
    def label(self) -> str:
        return _VERDICT_LABELS[self]

    @property
    def is_debate(self) -> bool:
        return self in (Verdict.DEBATE_OPPOSED, Verdict.DEBATE_DIVERGENT)

    @property
    def is_common_ground(self) -> bool:
        """Only agreement counts: a shared rejection is unity against, not common ground."""
        return self is Verdict.COMMON_GROUND


# Outside the class because a dict in an Enum body would become a member.
_VERDICT_LABELS = {
    Verdict.COMMON_GROUND: "Common ground",
    Verdict.SHARED_REJECTION: "Shared rejection",
    Verdict.DEBATE_OPPOSED: "Debate (opposed)",
    Verdict.DEBATE_DIVERGENT: "Debate (divergent)",
    Verdict.MAJORITY_VIEW: "Majority view",
    Verdict.MAJORITY_REJECTS: "Majority rejects",
    Verdict.MIXED: "Mixed",
    Verdict.INSUFFICIENT_DATA: "Insufficient data",
}


@dataclass(frozen=True)
class Tally:
    agree: int = 0
    disagree: int = 0
    passes: int = 0

    def __post_init__(self) -> None:
        if min(self.agree, self.disagree, self.passes) < 0:
            raise ValueError(f"vote counts cannot be negative: {self}")

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passes

    @classmethod
    def pooled(cls, tallies: Iterable[Tally]) -> Tally:
        """Many tallies as one, made in one go rather than one sum at a time."""
        tallies = list(tallies)
        return cls(
            sum(t.agree for t in tallies),
            sum(t.disagree for t in tallies),
            sum(t.passes for t in tallies),
        )

    def __add__(self, other: Tally) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally(
            self.agree + other.agree, self.disagree + other.disagree, self.passes + other.passes
        )


NO_VOTES = Tally()


# Tallies are immutable, and a board reads tens of thousands of small counts, most alike:
# one object each saves making and collecting the rest.
@functools.lru_cache(maxsize=65536)
def tally_of(agree: int, disagree: int, passes: int) -> Tally:
    return Tally(agree, disagree, passes)


# A board reads thousands of items whose groups have the same few small counts.
@functools.lru_cache(maxsize=4096)
def majority_confidence(successes: int, total: int) -> float:
    """How sure we can be that more than half of the group would say yes.

    P(Beta(k+1, n-k+1) > 1/2) under a uniform prior, which equals
    P(Binomial(n+1, 1/2) <= k); summing binomial coefficients keeps it exact until the one
    final division, with no SciPy.
    """
    if not 0 <= successes <= total:
        raise ValueError(f"need 0 <= successes <= total, got {successes} of {total}")
    trials = total + 1
    return sum(math.comb(trials, i) for i in range(successes + 1)) / 2**trials


def _smoothed_rate(count: int, total: int) -> float:
    # Laplace smoothing: one imagined vote each way, so 1 of 1 is not read as 100%.
    return (count + 1) / (total + 2)


@dataclass(frozen=True)
class GroupReading:
    key: str
    tally: Tally
    agree_rate: float
    disagree_rate: float
    conf_agree: float
    conf_disagree: float
    stance: Stance


# Readings are immutable, and a board reads the same few small counts for thousands of items.
@functools.lru_cache(maxsize=16384)
def read_group(key: str, tally: Tally, thresholds: Thresholds = DEFAULT) -> GroupReading:
    conf_agree = majority_confidence(tally.agree, tally.total)
    conf_disagree = majority_confidence(tally.disagree, tally.total)
    return GroupReading(
        key=key,
        tally=tally,
        agree_rate=_smoothed_rate(tally.agree, tally.total),
        disagree_rate=_smoothed_rate(tally.disagree, tally.total),
        conf_agree=conf_agree,
        conf_disagree=conf_disagree,
        stance=_stance(tally.total, conf_agree, conf_disagree, thresholds),
    )


def _stance(total: int, conf_agree: float, conf_disagree: float, t: Thresholds) -> Stance:
    if total < t.min_group_votes:
        return Stance.NO_DATA
    if conf_agree >= t.confidence:
        return Stance.AGREES
    if conf_disagree >= t.confidence:
        return Stance.DISAGREES
    return Stance.UNSETTLED


def two_proportion_z(succ1: int, pop1: int, succ2: int, pop2: int) -> float:
    """One-sided z for "population 1 says yes more often than population 2", as in Polis.

    One is added to all four counts so that tiny or unanimous groups give a finite z
    rather than a division by zero; the variance is pooled, as under the null hypothesis.
    """
    succ1, pop1, succ2, pop2 = succ1 + 1, pop1 + 1, succ2 + 1, pop2 + 1
    if succ1 + succ2 in (0, pop1 + pop2):  # pooled rate 0 or 1: no variance to test against
        return 0.0
    pi_hat = (succ1 + succ2) / (pop1 + pop2)
    spread = math.sqrt(pi_hat * (1 - pi_hat) * (1 / pop1 + 1 / pop2))
    return (succ1 / pop1 - succ2 / pop2) / spread


@dataclass(frozen=True)
class Classification:
    """A suggested verdict plus everything a report needs to explain it.

    `groups` holds a reading for every group given in the tallies or listed as present, so
    groups too small to judge can be named. `divergent_pair` (higher, lower, z) is set only
    for DEBATE_DIVERGENT, and `not_with_majority` only for the two majority verdicts.
    """

    verdict: Verdict
    uncertain: bool
    groups: dict[str, GroupReading]
    overall: GroupReading
    covered: tuple[str, ...]
    groups_required: int
    consensus: float
    consensus_geomean: float
    not_with_majority: tuple[str, ...] = ()
    divergent_pair: tuple[str, str, float] | None = None


def classify(
    tallies: Mapping[str, Tally],
    present_groups: Iterable[str] = (),
    thresholds: Thresholds = DEFAULT,
) -> Classification:
    """Apply the first-match rule of SYNTHESIS.md to one contribution's votes.

    `present_groups` are the groups with at least one participant in the workshop or
    series; a group that voted is present whether listed or not.
    """
    if isinstance(present_groups, str):
        raise TypeError("present_groups must be an iterable of group keys, not one string")
    # Sorted so that the result cannot depend on the order groups arrive in.
    return classify_counts(tuple(sorted(tallies.items())), frozenset(present_groups), thresholds)


# Boards and the wall read the same posts again and again while few of their counts change:
# a post whose counts are unchanged is not classified again. Readings are immutable.
@functools.lru_cache(maxsize=16384)
def classify_counts(
    tallies: tuple[tuple[str, Tally], ...], present: frozenset[str], thresholds: Thresholds
) -> Classification:
    """`classify` for counts given as sorted (group, tally) pairs."""
    counts = dict(tallies)
    keys = sorted(present | set(counts))
    readings = {key: read_group(key, counts.get(key, NO_VOTES), thresholds) for key in keys}
    covered = tuple(k for k in keys if k != OTHER and readings[k].stance is not Stance.NO_DATA)
    overall = read_group(POOLED, Tally.pooled(counts.values()), thresholds)
    required = groups_required(counts, present, thresholds)
    consensus = math.prod(readings[k].agree_rate for k in covered) if covered else 0.0
    decision = _decide(readings, covered, overall, required, thresholds)
    return Classification(
        uncertain=_is_uncertain(overall.tally, thresholds),
        groups=readings,
        overall=overall,
        covered=covered,
        groups_required=required,
        consensus=consensus,
        consensus_geomean=consensus ** (1 / len(covered)) if covered else 0.0,
        verdict=decision.verdict,
        not_with_majority=decision.not_with_majority,
        divergent_pair=decision.divergent_pair,
    )


def groups_required(
    tallies: Mapping[str, Tally], present_groups: Iterable[str], thresholds: Thresholds = DEFAULT
) -> int:
    """K: how many covered groups common ground needs. A workshop with only two
    stakeholder groups in the room can still reach common ground."""
    present = set(present_groups) | {key for key, tally in tallies.items() if tally.total}
    present.discard(OTHER)
    return min(thresholds.max_groups_required, len(present))


def _is_uncertain(pooled: Tally, t: Thresholds) -> bool:
    return pooled.total > 0 and pooled.passes / pooled.total > t.uncertain_pass_share


@dataclass(frozen=True)
class _Decision:
    verdict: Verdict
    not_with_majority: tuple[str, ...] = ()
    divergent_pair: tuple[str, str, float] | None = None


def _decide(
    readings: Mapping[str, GroupReading],
    covered: tuple[str, ...],
    overall: GroupReading,
    required: int,
    t: Thresholds,
) -> _Decision:
    stances = {readings[key].stance for key in covered}
    if len(covered) < _MIN_GROUPS_TO_COMPARE or overall.tally.total < t.min_total_votes:
        return _Decision(Verdict.INSUFFICIENT_DATA)
    if {Stance.AGREES, Stance.DISAGREES} <= stances:
        return _Decision(Verdict.DEBATE_OPPOSED)
    if len(covered) >= required and stances == {Stance.AGREES}:
        return _Decision(Verdict.COMMON_GROUND)
    if len(covered) >= required and stances == {Stance.DISAGREES}:
        return _Decision(Verdict.SHARED_REJECTION)
    pair = _most_divergent_pair([readings[key] for key in covered], t)
    if pair is not None:
        return _Decision(Verdict.DEBATE_DIVERGENT, divergent_pair=pair)
    if overall.stance in (Stance.AGREES, Stance.DISAGREES):
        # Named so the report can say who is not yet with the majority, including groups
        # present but too small to judge.
        holdouts = tuple(
            key for key, r in readings.items() if key != OTHER and r.stance is not overall.stance
        )
        agrees = overall.stance is Stance.AGREES
        return _Decision(
            Verdict.MAJORITY_VIEW if agrees else Verdict.MAJORITY_REJECTS,
            not_with_majority=holdouts,
        )
    too_few = len(covered) < required
    return _Decision(Verdict.INSUFFICIENT_DATA if too_few else Verdict.MIXED)


def _most_divergent_pair(
    covered: list[GroupReading], t: Thresholds
) -> tuple[str, str, float] | None:
    """The qualifying pair with the largest z, as (higher group, lower group, z).

    Ties keep the first pair in key order, so the answer is deterministic.
    """
    best: tuple[str, str, float] | None = None
    for x, y in combinations(covered, 2):
        high, low = (x, y) if x.agree_rate >= y.agree_rate else (y, x)
        if _agree_rate_gap(high.tally, low.tally) < t.divergence_gap:
            continue
        z = two_proportion_z(high.tally.agree, high.tally.total, low.tally.agree, low.tally.total)
        if z > t.z_critical and (best is None or z > best[2]):
            best = (high.key, low.key, z)
    return best


def _agree_rate_gap(high: Tally, low: Tally) -> float:
    # One division of exact integers (see the module docstring), not a difference of floats.
    numerator = (high.agree + 1) * (low.total + 2) - (low.agree + 1) * (high.total + 2)
    return numerator / ((high.total + 2) * (low.total + 2))


@dataclass(frozen=True)
class Distinction:
    """How a group's view of one contribution stands out from everyone else's (Polis repness)."""

    key: str
    direction: Literal["agree", "disagree"]
    rate: float
    others_rate: float
    ratio: float
    z: float


def distinguish(key: str, tallies: Mapping[str, Tally]) -> Distinction:
    """Compare one group with the pooled votes of all other groups, "other" included.

    Of agreeing and disagreeing, the direction with the larger z wins, as in Polis: z says
    how surely the group differs, where the ratio says only by how much.
    """
    own = tallies.get(key, NO_VOTES)
    rest = Tally.pooled(tally for k, tally in tallies.items() if k != key)
    agree = _distinction(key, "agree", own.agree, own.total, rest.agree, rest.total)
    disagree = _distinction(key, "disagree", own.disagree, own.total, rest.disagree, rest.total)
    return agree if agree.z >= disagree.z else disagree


def _distinction(
    key: str,
    direction: Literal["agree", "disagree"],
    count: int,
    total: int,
    others_count: int,
    others_total: int,
) -> Distinction:
    rate = _smoothed_rate(count, total)
    others_rate = _smoothed_rate(others_count, others_total)
    return Distinction(
        key=key,
        direction=direction,
        rate=rate,
        others_rate=others_rate,
        ratio=rate / others_rate,
        z=two_proportion_z(count, total, others_count, others_total),
    )
