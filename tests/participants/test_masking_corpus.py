"""The masking safety net measured against labelled writing (masking_corpus.yaml).

Recall is the share of personal cases whose data is all gone and whose kinds are all
reported; docs/SECURITY.md quotes the figures.
"""

from pathlib import Path

import pytest
import yaml

from participants.privacy import mask_personal_data

CORPUS = yaml.safe_load((Path(__file__).parent / "masking_corpus.yaml").read_text("utf-8"))
PERSONAL = [case for case in CORPUS if case["personal"]]
ORDINARY = [case for case in CORPUS if not case["personal"]]
RECALL_FLOOR = 0.95


def is_caught(case):
    result = mask_personal_data(case["text"])
    data_gone = not any(secret in result.text for secret in case["secret"])
    return data_gone and set(case["kinds"]) <= set(result.kinds)


def test_the_corpus_is_large_and_mostly_ordinary():
    assert len(CORPUS) >= 200
    assert len(ORDINARY) >= len(CORPUS) / 2
    for case in PERSONAL:
        assert case["secret"] and case["kinds"], case["text"]
        assert all(secret in case["text"] for secret in case["secret"]), case["text"]


def test_recall_over_personal_cases(capsys):
    """At least 95% of personal cases have all their data masked and all kinds reported."""
    missed = [case["text"] for case in PERSONAL if not is_caught(case)]
    recall = 1 - len(missed) / len(PERSONAL)
    with capsys.disabled():
        print(f"\nmasking recall {recall:.1%} ({len(PERSONAL) - len(missed)}/{len(PERSONAL)})")
    assert recall >= RECALL_FLOOR, f"recall {recall:.1%}; missed: {missed}"


@pytest.mark.parametrize("case", ORDINARY, ids=[case["text"][:60] for case in ORDINARY])
def test_ordinary_writing_is_not_touched(case):
    result = mask_personal_data(case["text"])
    assert (result.text, result.kinds) == (case["text"], ())


@pytest.mark.parametrize(
    "text, masked",
    [
        ("My son’s name is Zoë – he’s “Zo”", "My son’s name is [name] – he’s “Zo”"),
        ("Ring\u00a007700\u00a0900123, café’s number", "Ring\u00a0[phone], café’s number"),
        ("ＳＫ４ ２ＨＤ is where Zoë's school is", "[postcode] is where Zoë's school is"),
        ("I'm Zoe\u0308 – thanks", "I'm [name] – thanks"),
    ],
)
def test_only_the_masked_spans_change(text, masked):
    """Matching runs on a normalised copy, but what is not masked keeps its own characters."""
    assert mask_personal_data(text).text == masked
