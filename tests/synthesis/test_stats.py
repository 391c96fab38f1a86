"""Tests for synthesis.stats: the worked cases of SYNTHESIS.md, exact values, and properties."""

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthesis.stats import (
    OTHER,
    Stance,
    Tally,
    Thresholds,
    Verdict,
    classify,
    distinguish,
    majority_confidence,
    read_group,
    two_proportion_z,
)

PCF, EDU, HEALTH, LA, YOUNG = "pcf", "education", "health", "local_government", "young_person"
ALL_FIVE = (PCF, EDU, HEALTH, LA, YOUNG)
GROUP_KEYS = (*ALL_FIVE, OTHER)

FAST = settings(max_examples=200, deadline=None)


def tallies(**votes: tuple[int, int, int]) -> dict[str, Tally]:
    return {key: Tally(*abc) for key, abc in votes.items()}


@pytest.mark.parametrize(
    ("votes", "verdict"),
    [
        ({PCF: (3, 0, 0), EDU: (3, 0, 0), LA: (3, 0, 0)}, Verdict.COMMON_GROUND),
        ({PCF: (2, 0, 1), EDU: (2, 0, 1), LA: (2, 0, 1)}, Verdict.MAJORITY_VIEW),
        ({PCF: (4, 0, 0), LA: (0, 4, 0)}, Verdict.DEBATE_OPPOSED),
        ({PCF: (3, 0, 0), EDU: (3, 0, 0), HEALTH: (1, 0, 0)}, Verdict.MAJORITY_VIEW),
        ({PCF: (2, 0, 0), EDU: (2, 0, 0), LA: (2, 0, 0)}, Verdict.INSUFFICIENT_DATA),
        ({PCF: (3, 0, 0), EDU: (1, 0, 2), LA: (2, 1, 0)}, Verdict.DEBATE_DIVERGENT),
        ({PCF: (2, 2, 0), EDU: (2, 2, 0), LA: (2, 2, 0)}, Verdict.MIXED),
    ],
    ids=[
        "common-ground",
        "majority-of-unsettled-groups",
        "opposed",
        "majority-health-not-covered",
        "too-few-per-group",
        "divergent",
        "mixed",
    ],
)
def test_worked_cases(votes, verdict):
    result = classify(tallies(**votes), ALL_FIVE)
    assert result.groups_required == 3
    assert result.verdict is verdict


def test_worked_majority_case_has_unsettled_groups_and_pooled_six_of_nine():
    result = classify(
        tallies(pcf=(2, 0, 1), education=(2, 0, 1), local_government=(2, 0, 1)), ALL_FIVE
    )
    assert {result.groups[k].stance for k in (PCF, EDU, LA)} == {Stance.UNSETTLED}
    assert result.overall.tally == Tally(6, 0, 3)


def test_worked_majority_case_names_health_as_not_with_it():
    result = classify(tallies(pcf=(3, 0, 0), education=(3, 0, 0), health=(1, 0, 0)), ALL_FIVE)
    assert result.covered == (EDU, PCF)
    assert HEALTH in result.not_with_majority
    # Present groups with no votes are named too; the groups that agree are not.
    assert set(result.not_with_majority) == {HEALTH, LA, YOUNG}


def test_worked_divergent_case_reports_pcf_against_education():
    result = classify(
        tallies(pcf=(3, 0, 0), education=(1, 0, 2), local_government=(2, 1, 0)), ALL_FIVE
    )
    high, low, z = result.divergent_pair
    assert (high, low) == (PCF, EDU)
    assert z == pytest.approx(1.63, abs=0.005)


def test_divergence_gap_of_exactly_the_threshold_counts():
    # pa 7/10 against 2/5: a gap of exactly 0.3, which naive float subtraction puts below 0.3.
    votes = tallies(pcf=(6, 2, 0), education=(1, 2, 0))
    lenient_z = Thresholds(z_critical=0.5)
    assert classify(votes, ALL_FIVE, lenient_z).verdict is Verdict.DEBATE_DIVERGENT
    wider_gap = Thresholds(z_critical=0.5, divergence_gap=0.31)
    assert classify(votes, ALL_FIVE, wider_gap).verdict is not Verdict.DEBATE_DIVERGENT


def test_two_proportion_z_matches_worked_value_and_is_zero_without_variance():
    assert two_proportion_z(3, 3, 1, 3) == pytest.approx(0.5 / (0.09375**0.5))
    assert two_proportion_z(3, 3, 1, 3) == -two_proportion_z(1, 3, 3, 3)
    assert two_proportion_z(4, 4, 2, 2) == 0.0  # pooled rate is 1


@pytest.mark.parametrize(
    ("successes", "total", "expected"),
    [
        (3, 3, Fraction(15, 16)),
        (2, 3, Fraction(11, 16)),
        (1, 3, Fraction(5, 16)),
        (0, 3, Fraction(1, 16)),
        (0, 0, Fraction(1, 2)),
        (6, 9, Fraction(848, 1024)),
    ],
)
def test_majority_confidence_is_exact(successes, total, expected):
    assert majority_confidence(successes, total) == float(expected)


def test_majority_confidence_rejects_impossible_counts():
    with pytest.raises(ValueError):
        majority_confidence(4, 3)


def test_read_group_rates_and_stance():
    reading = read_group(PCF, Tally(3, 0, 0))
    assert reading.agree_rate == pytest.approx(0.8)
    assert reading.disagree_rate == pytest.approx(0.2)
    assert reading.stance is Stance.AGREES
    assert read_group(PCF, Tally(0, 3, 0)).stance is Stance.DISAGREES
    assert read_group(PCF, Tally(2, 0, 0)).stance is Stance.NO_DATA


def test_shared_rejection():
    result = classify(tallies(pcf=(0, 3, 0), education=(0, 4, 0), health=(0, 3, 1)), ALL_FIVE)
    assert result.verdict is Verdict.SHARED_REJECTION
    assert not result.verdict.is_common_ground


def test_majority_rejects_names_groups_not_disagreeing():
    result = classify(tallies(pcf=(0, 2, 1), education=(0, 2, 1), health=(0, 2, 1)), ALL_FIVE)
    assert result.verdict is Verdict.MAJORITY_REJECTS
    assert set(result.not_with_majority) == set(ALL_FIVE)


@pytest.mark.parametrize(
    ("votes", "uncertain"),
    [
        ({PCF: (2, 0, 1), EDU: (2, 0, 1), LA: (2, 0, 1)}, True),  # 3 of 9 passes
        ({PCF: (3, 0, 0), EDU: (1, 0, 2), LA: (2, 1, 0)}, False),  # 2 of 9
        ({PCF: (4, 0, 1), EDU: (2, 1, 2)}, False),  # exactly 30% does not exceed it
        ({PCF: (3, 0, 0), EDU: (3, 0, 0), OTHER: (0, 0, 4)}, True),  # others' passes count
    ],
)
def test_uncertain_flag(votes, uncertain):
    assert classify(tallies(**votes), ALL_FIVE).uncertain is uncertain


def test_fewer_groups_present_lowers_k():
    votes = tallies(pcf=(3, 0, 0), education=(3, 0, 0))
    two_present = classify(votes, [PCF, EDU])
    assert two_present.groups_required == 2
    assert two_present.verdict is Verdict.COMMON_GROUND
    assert classify(votes, ALL_FIVE).verdict is Verdict.MAJORITY_VIEW


def test_groups_that_voted_count_as_present_and_other_never_does():
    result = classify(tallies(pcf=(3, 0, 0), education=(3, 0, 0), other=(5, 0, 0)))
    assert result.groups_required == 2
    assert result.verdict is Verdict.COMMON_GROUND


def test_other_is_never_covered_but_counts_towards_total():
    votes = tallies(pcf=(3, 0, 0), education=(3, 0, 0), other=(2, 0, 0))
    needs_eight = Thresholds(min_total_votes=8)
    assert classify(votes, [PCF, EDU], needs_eight).verdict is Verdict.COMMON_GROUND
    assert OTHER not in classify(votes, [PCF, EDU]).covered
    del votes[OTHER]
    assert classify(votes, [PCF, EDU], needs_eight).verdict is Verdict.INSUFFICIENT_DATA


def test_other_counts_in_pooled_majority_but_not_among_holdouts():
    votes = tallies(pcf=(2, 1, 0), education=(2, 1, 0), other=(6, 0, 0))
    result = classify(votes, ALL_FIVE)
    assert result.covered == (EDU, PCF)
    assert result.verdict is Verdict.MAJORITY_VIEW
    assert OTHER not in result.not_with_majority
    del votes[OTHER]
    assert classify(votes, ALL_FIVE).verdict is Verdict.INSUFFICIENT_DATA


def test_consensus_is_product_of_covered_agree_rates():
    result = classify(tallies(pcf=(3, 0, 0), education=(3, 0, 0), health=(1, 0, 0)), ALL_FIVE)
    assert result.consensus == pytest.approx(0.8 * 0.8)
    assert result.consensus_geomean == pytest.approx(0.8)
    empty = classify({}, ALL_FIVE)
    assert (empty.consensus, empty.consensus_geomean) == (0.0, 0.0)


def test_verdict_labels_and_helpers():
    assert Verdict.COMMON_GROUND.label == "Common ground"
    assert Verdict.DEBATE_OPPOSED.label == "Debate (opposed)"
    assert all(v.label for v in Verdict)
    assert {v for v in Verdict if v.is_debate} == {
        Verdict.DEBATE_OPPOSED,
        Verdict.DEBATE_DIVERGENT,
    }
    assert {v for v in Verdict if v.is_common_ground} == {Verdict.COMMON_GROUND}


def test_thresholds_rows_print_the_values_used():
    rows = dict(Thresholds().as_rows())
    assert len(rows) == 7
    assert "80%" in rows.values()
    assert "30%" in rows.values()
    assert "1.2816" in rows.values()
    assert "85%" in dict(Thresholds(confidence=0.85).as_rows()).values()


def test_tally_pools_and_refuses_negative_counts():
    assert Tally(1, 2, 3) + Tally(4, 5, 6) == Tally(5, 7, 9)
    assert (Tally(1, 2, 3) + Tally()).total == 6
    with pytest.raises(ValueError):
        Tally(-1, 0, 0)


def test_present_groups_must_not_be_a_bare_string():
    with pytest.raises(TypeError):
        classify(tallies(pcf=(3, 0, 0)), "pcf")


def test_distinguish_group_agreeing_where_others_disagree():
    votes = tallies(pcf=(5, 0, 0), education=(0, 4, 0), health=(1, 3, 0), other=(0, 2, 0))
    distinction = distinguish(PCF, votes)
    assert distinction.direction == "agree"
    assert distinction.z > 0
    assert distinction.ratio > 1
    assert distinction.rate == pytest.approx(6 / 7)
    assert distinction.others_rate == pytest.approx(2 / 12)


def test_distinguish_group_disagreeing_where_others_agree():
    votes = tallies(pcf=(5, 0, 0), education=(0, 4, 0), health=(4, 0, 0))
    distinction = distinguish(EDU, votes)
    assert distinction.direction == "disagree"
    assert distinction.z > 0


# --- properties -------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=12)
tally_strategy = st.builds(Tally, counts, counts, counts)
tallies_strategy = st.dictionaries(st.sampled_from(GROUP_KEYS), tally_strategy, max_size=6)
present_strategy = st.lists(st.sampled_from(GROUP_KEYS), unique=True)


@FAST
@given(tally_strategy)
def test_an_extra_agree_never_lowers_conf_agree(tally):
    more = tally + Tally(agree=1)
    assert read_group(PCF, more).conf_agree >= read_group(PCF, tally).conf_agree


@FAST
@given(tallies_strategy, present_strategy, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_group_order(votes, present, rng: random.Random):
    items = list(votes.items())
    rng.shuffle(items)
    shuffled_present = list(present)
    rng.shuffle(shuffled_present)
    assert classify(dict(items), shuffled_present) == classify(votes, present)


@FAST
@given(tallies_strategy, present_strategy)
def test_classification_invariants(votes, present):
    result = classify(votes, present)
    if result.verdict is Verdict.COMMON_GROUND:
        assert len(result.covered) >= result.groups_required
        assert all(result.groups[k].stance is Stance.AGREES for k in result.covered)
    assert OTHER not in result.covered
    assert 0.0 <= result.consensus <= result.consensus_geomean <= 1.0
    assert (result.divergent_pair is not None) == (result.verdict is Verdict.DEBATE_DIVERGENT)
    if result.not_with_majority:
        assert result.verdict in (Verdict.MAJORITY_VIEW, Verdict.MAJORITY_REJECTS)


@FAST
@given(
    tally_strategy,
    st.floats(min_value=0.5, max_value=0.99),
    st.floats(min_value=0.5, max_value=0.99),
)
def test_higher_confidence_only_unsettles_a_stance(tally, first, second):
    lenient, strict = sorted((first, second))
    before = read_group(PCF, tally, Thresholds(confidence=lenient)).stance
    after = read_group(PCF, tally, Thresholds(confidence=strict)).stance
    assert after is before or (
        before in (Stance.AGREES, Stance.DISAGREES) and after is Stance.UNSETTLED
    )


@FAST
@given(tally_strategy, st.integers(min_value=0, max_value=40))
def test_higher_min_group_votes_only_hides_a_stance(tally, min_votes):
    before = read_group(PCF, tally).stance
    after = read_group(PCF, tally, Thresholds(min_group_votes=max(min_votes, 3))).stance
    assert after is before or after is Stance.NO_DATA
